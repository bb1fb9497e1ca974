"""repo.conformance_quotes: docs/CONFORMANCE.md against RFC 5321 and the suite.

1. Every quote attributed to RFC 5321 in docs/CONFORMANCE.md (a line
   `> "..." — RFC 5321 §x.y`) appears word for word in docs/rfc/rfc5321.txt,
   whitespace-insensitively: the RFC's page breaks (the form feed, the
   "Klensin ... [Page N]" footer and the "RFC 5321 ... October 2008" header)
   are removed before comparing, every run of white space is one space, and
   a word the RFC hyphenated at a line end may be quoted whole.
2. Every check id of the suite (scenarios/compliance/*.lua, `id = "..."`)
   has a `### ID — title` entry, and every entry a check.
3. Each check's `level = "..."` is the first word of its entry's
   `- **Level:** ...` line.

Usage: conformance_quotes.py [REPOSITORY_ROOT]. Exit 0 when both hold, 1
with one line per problem (file:line) otherwise. Standard library only.
"""

import glob
import os
import re
import sys

QUOTE = re.compile(r'^\s*> "(.*)" — RFC 5321 (§[0-9.]+)\s*$')
ENTRY = re.compile(r"^### (\S+) — ")
CHECK_ID = re.compile(r'^\s*id = "([^"]+)",')
CHECK_LEVEL = re.compile(r'^\s*level = "([A-Z]+)",')
ENTRY_LEVEL = re.compile(r"^- \*\*Level:\*\* ([A-Z]+)")
PAGE_FOOTER = re.compile(r"^Klensin\s+Standards Track\s+\[Page \d+\]$")
PAGE_HEADER = re.compile(r"^RFC 5321\s+SMTP\s+October 2008$")


def normal(text):
    """White space runs as one space; a hyphen that ended a line joins the
    word parts again ("server-\n   offered" is "server-offered")."""
    return " ".join(text.split()).replace("- ", "-")


def rfc_text(path):
    """The RFC as one line: page breaks out, then normal()."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().replace("\f", "\n").split("\n")
    kept = [line for line in lines if not PAGE_FOOTER.match(line) and not PAGE_HEADER.match(line)]
    return normal(" ".join(kept))


def quotes(path):
    """[(line number, quoted text, section)] of the RFC 5321 quotes."""
    found = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            m = QUOTE.match(line)
            if m:
                found.append((number, m.group(1), m.group(2)))
    return found


def ids_and_levels(path, id_line, level_line, where):
    """{id: (where(number), level)}: each line matching `id_line` starts an
    item; the first line matching `level_line` after it gives its level
    (None without one)."""
    found = {}
    current = None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            m = id_line.match(line)
            if m:
                current = m.group(1)
                found[current] = (where(number), None)
                continue
            level = level_line.match(line)
            if level and current and found[current][1] is None:
                found[current] = (found[current][0], level.group(1))
    return found


def entries(path):
    """{id: (line number, level)} of the `### ID — title` headings, with the
    first word of the entry's Level line."""
    return ids_and_levels(path, ENTRY, ENTRY_LEVEL, lambda number: number)


def suite_ids(directory):
    """{id: ("file:line", level)} of the suite's checks: the first `level =`
    after each `id =` is that check's."""
    found = {}
    for path in sorted(glob.glob(os.path.join(directory, "*.lua"))):
        found.update(ids_and_levels(path, CHECK_ID, CHECK_LEVEL,
                                    lambda number, path=path: f"{path}:{number}"))
    return found


def problems(root):
    catalogue = os.path.join(root, "docs", "CONFORMANCE.md")
    rfc = rfc_text(os.path.join(root, "docs", "rfc", "rfc5321.txt"))
    out = []
    listed = quotes(catalogue)
    if not listed:
        out.append(f"{catalogue}: no quote attributed to RFC 5321 found")
    for number, text, section in listed:
        if normal(text) not in rfc:
            out.append(f"{catalogue}:{number}: not word for word in RFC 5321 ({section}): "
                       f'"{text}"')
    documented = entries(catalogue)
    checks = suite_ids(os.path.join(root, "scenarios", "compliance"))
    for check_id in sorted(set(checks) - set(documented)):
        out.append(f"{checks[check_id][0]}: check {check_id} has no entry in {catalogue}")
    for check_id in sorted(set(documented) - set(checks)):
        out.append(f"{catalogue}:{documented[check_id][0]}: entry {check_id} has no check in "
                   f"the suite")
    for check_id in sorted(set(documented) & set(checks)):
        where, level = checks[check_id]
        if level != documented[check_id][1]:
            out.append(f"{where}: check {check_id} has level {level}, its entry "
                       f"({catalogue}:{documented[check_id][0]}) {documented[check_id][1]}")
    return out, len(listed), len(checks)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    found, quoted, checked = problems(os.path.abspath(root))
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} problem(s)")
        return 1
    print(f"{quoted} RFC 5321 quotes found word for word; {checked} checks, each with an entry "
          f"of the same level")
    return 0


if __name__ == "__main__":
    sys.exit(main())
