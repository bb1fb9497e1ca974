"""smtp-harness check against real MTAs started on loopback by mta.py:
Postfix 3.7 three times (smtpd_forbid_bare_newline = no, normalize,
reject), Exim 4.96 and OpenSMTPD 6.8, each an MX of example.com that does
not trust loopback to relay (see mta.py for their configurations).

The verdicts are the suite's findings about those servers. EXPECTED holds
them, one table per target: every FAIL, WARN and INFO, each as {id:
(evidence, why)}, where `evidence` must occur in the check's reason (so a
verdict that stays the same for another cause is noticed) and `why` names
the sentence that sets its level. The test asserts exactly these sets, and
no ERROR at all (an ERROR is never a finding about a server), so any verdict
that changes fails it; its message prints the run's verdicts as a table to
paste here after checking them against docs/CONFORMANCE.md.

A target that cannot start fails the test under CI=true; elsewhere it is
skipped with the reason (mta.py needs root, and Exim's and OpenSMTPD's
.debs from Debian's archive the first time).
"""

import os
import unittest
import xml.etree.ElementTree as ET

import mta
from checkharness import EXIT_FAILED, EXIT_OK, CheckTestCase

# Each entry: check id -> (evidence, why). `evidence` must occur in the
# check's reason; `why` is the sentence of docs/CONFORMANCE.md that sets the
# level of what the server did (`smtp-harness check --explain ID` prints the
# whole entry).
RECORDED = "an INFO check: the behaviour is recorded, never judged"

# Shared by the three Postfix targets.
_POSTFIX_WARN = {
    "C4": ("QUIT x got 221",
           "RFC 5321 §4.3.2: commands that do not accept arguments (DATA, RSET, QUIT) "
           "SHOULD return a 501 message if arguments are supplied"),
    "C5": ("HELP got 500 5.5.2 Error: command not recognized",
           "RFC 5321 §4.1.1.8: SMTP servers SHOULD support HELP without arguments"),
}
_POSTFIX_INFO = {
    "G5": ("tolerates: greeting 220 mx.example.com ESMTP Postfix", RECORDED),
    # exa_mple.com is not local, and loopback may not relay: Postfix's
    # defer_unauth_destination answers 454 4.7.1, a refusal for another reason.
    "C10": ("policy policy-refusal: RCPT TO:<u@exa_mple.com> got 454 4.7.1",
            "policy-refusal (docs/CONFORMANCE.md, policies): an X.7.x refusal is a "
            "policy, and RFC 5321 §4.1.2 asks 501 only where there is no other reason"),
    "L2": ("1 MiB line: 250 2.0.0 Ok", RECORDED),
    "R3": ("refused all 16 of 16 variants tried", RECORDED),
    "P5": ("the group was answered in order (250, 250, 250), tolerated", RECORDED),
    "K5": ("BDAT abc was refused with 521 5.5.4",
           "RFC 3030 §2 gives chunk-size only as grammar (1*DIGIT): no sentence names the code"),
    "T7": ("TLS 1.2 or 1.3 is negotiated", RECORDED),
    "O2": ("answered bad RCPT 21 with 421 4.7.0", RECORDED),
}

EXPECTED = {
    "postfix-stock": {
        "banner": "ESMTP Postfix",
        # smtpd_forbid_bare_newline = no: LF . LF and its kin end the data,
        # and a bare LF ends a command line.
        "FAIL": {
            "D3": (r"\n.\n got 250 2.0.0 Ok: queued as",
                   "RFC 5321 §4.1.1.4: <LF>.<LF> MUST NOT be treated as equivalent to "
                   "<CRLF>.<CRLF>"),
            "D4": ("a bare LF before a lone dot got 250 2.0.0 Ok: queued as",
                   "RFC 5321 §2.3.8: MUST NOT recognize any other sequence as a line "
                   "terminator"),
            "D5": (r"NOOP\n got 250 2.0.0 Ok before any CRLF",
                   "RFC 5321 §2.3.8: MUST NOT recognize any other sequence as a line "
                   "terminator"),
        },
        "WARN": _POSTFIX_WARN,
        "INFO": _POSTFIX_INFO,
    },
    "postfix-normalize": {
        "banner": "ESMTP Postfix",
        # normalize: the data ends only at CRLF.CRLF; a bare LF still ends a
        # command line.
        "FAIL": {
            "D5": (r"NOOP\n got 250 2.0.0 Ok before any CRLF",
                   "RFC 5321 §2.3.8: MUST NOT recognize any other sequence as a line "
                   "terminator"),
        },
        "WARN": _POSTFIX_WARN,
        "INFO": _POSTFIX_INFO,
    },
    "postfix-reject": {
        "banner": "ESMTP Postfix",
        # reject: a bare LF is answered 521 and the session closed (D5 strict).
        "FAIL": {},
        "WARN": _POSTFIX_WARN,
        "INFO": _POSTFIX_INFO,
    },
    "exim": {
        "banner": "ESMTP Exim 4.96",
        "FAIL": {
            "D5": (r"NOOP\n got 250 OK before any CRLF",
                   "RFC 5321 §2.3.8: MUST NOT recognize any other sequence as a line "
                   "terminator"),
        },
        "WARN": {},
        "INFO": {
            "G5": ("tolerates: greeting 220 mx.example.com ESMTP Exim 4.96", RECORDED),
            # The 1 MiB line gets "500 unrecognized command" or a close, as
            # the write and Exim's reading interleave: recorded either way.
            "L2": ("4 KiB line: 250 OK; NOOP on the same connection: 250 OK", RECORDED),
            "R3": ("refused all 7 of 7 variants tried", RECORDED),
            "P5": ("554 SMTP synchronization error", RECORDED),
            "X1": ("MAIL ... SIZE=abc was accepted: 250 OK",
                   "RFC 1870 §3 gives size-value only as grammar (1*20DIGIT)"),
            "T7": ("TLS 1.2 or 1.3 is negotiated", RECORDED),
            "O2": ("closed the session after 4 refused RCPTs", RECORDED),
        },
    },
    "opensmtpd": {
        "banner": "ESMTP OpenSMTPD",
        "FAIL": {
            "D5": (r"NOOP\n got 250 2.0.0 Ok before any CRLF",
                   "RFC 5321 §2.3.8: MUST NOT recognize any other sequence as a line "
                   "terminator"),
            # OpenSMTPD ignores SIZE= at MAIL and enforces its limit on the
            # data (554 5.3.4) instead.
            "X1": ("MAIL ... SIZE=36700161 (over the advertised 36700160) got 250 2.0.0 Ok",
                   "RFC 1870 §6.1/§7: a minimal server must return 552 when the declared "
                   "size exceeds its fixed limit (a pre-RFC 2119 'must': docs/CONFORMANCE.md, rule 2)"),
        },
        "WARN": {
            "C1": ("NOOP xyz got 500 5.5.4 Invalid command arguments",
                   "RFC 5321 §4.1.1.9: If a parameter string is specified, servers SHOULD "
                   "ignore it."),
            "C9": ("'NOOP  ' got 500 5.5.4 Invalid command arguments",
                   "RFC 5321 §4.1.1: SMTP receivers SHOULD tolerate trailing white space"),
            "S4": ("RSET got 503 5.5.1 Invalid command: Command not allowed at this point",
                   "RFC 5321 §4.1.4: these SHOULD be processed normally before EHLO"),
            "X4": ("NOTIFY=NEVER,SUCCESS was refused with another code than 501: 553",
                   "RFC 3461 §5.1(b): the server SHOULD issue 501"),
        },
        "INFO": {
            "G5": ("tolerates: greeting 220 mx.example.com ESMTP OpenSMTPD", RECORDED),
            # OpenSMTPD refuses a second EHLO or HELO in a session (503
            # "Already identified"), which §4.1.4 allows.
            "E7": ("the second EHLO was refused (503 5.5.1 Invalid command: Already identified)",
                   "RFC 5321 §4.1.4 resets only on an EHLO 'acceptable to the SMTP server'"),
            "L2": ("4 KiB line: 500 5.0.0 Command line too long", RECORDED),
            "R3": ("refused all 16 of 16 variants tried", RECORDED),
            "P5": ("500 5.5.1 Invalid command: Pipelining not supported", RECORDED),
            "O2": ("still open after 30 bad RCPTs", RECORDED),
        },
    },
}

JUDGED = ("FAIL", "WARN", "INFO", "ERROR")

# What the probe's greeting and EHLO reply name (harness/check/server_identity.cpp):
# (software, version). None of these banners shows Postfix's or OpenSMTPD's version.
SERVERS = {
    "postfix-stock": ("Postfix", "unknown"),
    "postfix-normalize": ("Postfix", "unknown"),
    "postfix-reject": ("Postfix", "unknown"),
    "exim": ("Exim", "4.96"),
    "opensmtpd": ("OpenSMTPD", "unknown"),
}

# The remediation hints (harness/check/remediation_hints.cpp) each target's
# results carry, {id: the setting the hint names}; every other result has
# none. Exim has no setting for a bare LF ending a command (its D5).
_NORMALIZE = "set smtpd_forbid_bare_newline = normalize in main.cf"
_REJECT = "set smtpd_forbid_bare_newline = reject in main.cf"
HINTS = {
    "postfix-stock": {"D3": _NORMALIZE, "D4": _NORMALIZE, "D5": _REJECT},
    "postfix-normalize": {"D5": _REJECT},
    "postfix-reject": {},
    "exim": {},
    "opensmtpd": {},
}


class CheckMta(CheckTestCase):
    def start_target(self, name):
        """The running target; a target that cannot start fails under
        CI=true and is skipped elsewhere."""
        try:
            return self.enterContext(mta.start(name))
        except mta.StartError as e:
            if os.environ.get("CI") == "true":
                self.fail(f"{name} did not start: {e}")
            self.skipTest(f"{name} did not start (a failure under CI=true): {e}")

    def assertVerdicts(self, name):
        expected = EXPECTED[name]
        target = self.start_target(name)
        self.assertIn(expected["banner"], target.banner)
        expected = {**expected, "ERROR": {}}  # ERROR is never a finding about a server
        failing = bool(expected["FAIL"])
        run = self.check(target.address, "--domain", target.domain,
                         expect=EXIT_FAILED if failing else EXIT_OK, junit_file=True)
        self.assertValid(run.result)
        self.assertCountsMatch(run)
        self.assertServerAndHints(name, run)
        print(f"\n{name} ({target.version}, ready in {target.start_seconds:.2f} s): "
              f"{run.check['counts']} in {run.check['elapsed_seconds']:.2f} s", flush=True)
        actual = {verdict: run.reasons(verdict) for verdict in JUDGED}
        problems = []
        for verdict in JUDGED:
            want, got = expected[verdict], actual[verdict]
            for check_id in sorted(set(want) - set(got)):
                now = run.verdicts.get(check_id, "not run")
                problems.append(f"{check_id}: expected {verdict}, got {now}: "
                                f"{run.results.get(check_id, {}).get('reason', '')}")
            for check_id in sorted(set(got) - set(want)):
                problems.append(f"{check_id}: unexpected {verdict}: {got[check_id]}")
            for check_id in sorted(set(want) & set(got)):
                evidence = want[check_id][0]
                if evidence not in got[check_id]:
                    problems.append(f"{check_id}: {verdict} for another reason: expected "
                                    f"{evidence!r} in: {got[check_id]}")
        if problems:
            self.fail(f"{name}: {len(problems)} verdict(s) changed:\n" + "\n".join(problems)
                      + "\n\nThis run's verdicts, to paste into EXPECTED once checked (cut each "
                      "reason to a part that names the evidence, without queue ids):\n"
                      + verdict_table(actual) + "\n" + target.log_tail(10))

    def assertServerAndHints(self, name, run):
        """The server as named in the JSON, the text and the JUnit; the
        hints exactly where HINTS has them, in each output."""
        server = run.check["server"]
        self.assertEqual((server["software"], server["version"]), SERVERS[name], server)
        self.assertIn(EXPECTED[name]["banner"], server["banner"])
        self.assertTrue(server["ehlo"].startswith("250"), server)
        self.assertIn(f"server: {server['software']}", run.stdout)
        junit = ET.fromstring(run.junit)
        self.assertEqual({p.get("value") for p in junit.iter("property")
                          if p.get("name") == "banner"}, {server["banner"]})
        hints = {r["id"]: r["hint"] for r in run.check["results"] if "hint" in r}
        self.assertEqual(set(hints), set(HINTS[name]), hints)
        for check_id, setting in HINTS[name].items():
            hint = hints[check_id]
            self.assertTrue(hint.startswith(setting), hint)
            self.assertIn("(needs Postfix 3.5.24, 3.6.14, 3.7.10, 3.8.5, 3.9 or later)", hint)
            self.assertIn(f"       hint: {hint}\n", run.stdout)
            failures = [f for case in junit.iter("testcase")
                        if case.get("name").split()[0] == check_id
                        for f in case.iter("failure")]
            self.assertEqual(len(failures), 1, check_id)
            self.assertTrue(failures[0].get("message").endswith("; hint: " + hint),
                            failures[0].get("message"))
            print(f"{name} {check_id} hint: {hint}", flush=True)

    def test_postfix_stock(self):
        self.assertVerdicts("postfix-stock")

    def test_postfix_normalize(self):
        self.assertVerdicts("postfix-normalize")

    def test_postfix_reject(self):
        self.assertVerdicts("postfix-reject")

    def test_exim(self):
        self.assertVerdicts("exim")

    def test_opensmtpd(self):
        self.assertVerdicts("opensmtpd")


def verdict_table(actual):
    """{verdict: {id: reason}} as Python source for an EXPECTED entry."""
    lines = []
    for verdict in JUDGED:
        lines.append(f'    "{verdict}": {{')
        for check_id, reason in sorted(actual[verdict].items()):
            lines.append(f'        "{check_id}": ({reason[:90]!r}, "the sentence"),')
        lines.append("    },")
    return "\n".join(lines)


if __name__ == "__main__":
    unittest.main()
