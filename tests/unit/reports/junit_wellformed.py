#!/usr/bin/python3
"""Check a JUnit XML file as a CI system reads it.

usage: junit_wellformed.py FILE.xml

Parses FILE with xml.etree (which refuses what is not well-formed XML 1.0)
and checks the layout CI test reporters rely on: <testsuites> holding
<testsuite> elements whose tests/failures/errors/skipped attributes agree
with their <testcase> children, and totals that agree with the suites; every
testcase has a name, a classname and a numeric time, and at most one of
<failure>, <error>, <skipped>. Then checks what the reports tests' sample
(write_sample_check_result) holds: the hostile server bytes survive as
visible, escaped text. Exit status 0 when all is well, 1 otherwise (each
problem printed), 2 for a usage error.
"""

import sys
import xml.etree.ElementTree as ElementTree

COUNTS = ("tests", "failures", "errors", "skipped")
OUTCOMES = {"failures": "failure", "errors": "error", "skipped": "skipped"}


def count_attributes(element, problems, where):
    """The element's counts as integers; a problem for each one missing."""
    counts = {}
    for name in COUNTS:
        value = element.get(name)
        if value is None or not value.isdigit():
            problems.append(f"{where}: {name}={value!r} is not a count")
            value = "0"
        counts[name] = int(value)
    return counts


def check_testcase(case, problems, where):
    """Problems of one <testcase>; returns which outcome it has, or None."""
    for name in ("name", "classname", "time"):
        if not case.get(name):
            problems.append(f"{where}: no {name}")
    try:
        float(case.get("time", ""))
    except ValueError:
        problems.append(f"{where}: time={case.get('time')!r} is not a number")
    outcomes = [key for key, tag in OUTCOMES.items() if case.find(tag) is not None]
    if len(outcomes) > 1:
        problems.append(f"{where}: several outcomes {outcomes}")
    return outcomes[0] if outcomes else None


def check_layout(root, problems):
    """The counts of every suite and of the whole file."""
    if root.tag != "testsuites":
        problems.append(f"root element is <{root.tag}>, expected <testsuites>")
        return
    totals = dict.fromkeys(COUNTS, 0)
    suites = root.findall("testsuite")
    if not suites:
        problems.append("no <testsuite>")
    for suite in suites:
        where = f"testsuite {suite.get('name')!r}"
        declared = count_attributes(suite, problems, where)
        found = dict.fromkeys(COUNTS, 0)
        for case in suite.findall("testcase"):
            found["tests"] += 1
            outcome = check_testcase(case, problems, f"{where} testcase {case.get('name')!r}")
            if outcome:
                found[outcome] += 1
        if declared != found:
            problems.append(f"{where}: declares {declared}, holds {found}")
        for name in COUNTS:
            totals[name] += found[name]
    declared = count_attributes(root, problems, "testsuites")
    if declared != totals:
        problems.append(f"testsuites: declares {declared}, the suites hold {totals}")


def check_sample(root, problems):
    """The sample's hostile check D3: its text arrives, escaped, intact."""
    hostile = None
    for case in root.iter("testcase"):
        if case.get("name", "").startswith("D3 "):
            hostile = case
    if hostile is None:
        problems.append("the sample's testcase D3 is missing")
        return
    out = hostile.findtext("system-out", default="")
    expected = ["<script>alert(1)</script> ]]> & \"q\" 'a'\\r\\n", "NUL \\x00 ESC \\x1b[31m",
                "\\xff, \\xc3(, \\xc0\\xaf, \\xed\\xa0\\x80", "RLO \\xe2\\x80\\xae",
                "Gr\u00fc\u00dfe \U0001F642\\n", "tail \\xe2\\x82"]
    for text in expected:
        if text not in out:
            problems.append(f"D3 system-out lacks {text!r}")
    properties = {p.get("name"): p.get("value") for p in hostile.iter("property")}
    if properties.get("verdict") != "WARN" or "warning" not in properties:
        problems.append(f"D3 properties {properties}: expected verdict WARN and a warning")
    # Attribute values keep TAB, LF and CR through the parser's normalisation.
    if "tab\tline\nCR\r" not in properties.get("warning", ""):
        problems.append(f"D3 warning lost its TAB, LF or CR: {properties.get('warning')!r}")


def main(argv):
    if len(argv) != 2:
        print("usage: junit_wellformed.py FILE.xml", file=sys.stderr)
        return 2
    try:
        root = ElementTree.parse(argv[1]).getroot()
    except (OSError, ElementTree.ParseError) as error:
        print(f"{argv[1]}: not well-formed: {error}")
        return 1
    problems = []
    check_layout(root, problems)
    check_sample(root, problems)
    for problem in problems:
        print(f"{argv[1]}: {problem}")
    if not problems:
        print(f"{argv[1]}: well-formed, counts agree")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
