"""smtp-harness check against real MTAs started on loopback by mta.py:
Postfix 3.7 three times (smtpd_forbid_bare_newline = no, normalize,
reject), Exim 4.96 and OpenSMTPD 6.8, each an MX of example.com that does
not trust loopback to relay (see mta.py for their configurations).

The verdicts are the suite's findings about those servers. EXPECTED holds
them, one table per target: every FAIL, WARN and ERROR, each as {id:
evidence}, where `evidence` must occur in the check's reason (so a verdict
that stays the same for another cause is noticed). The test asserts exactly
these sets, so any verdict that changes fails it, and its message prints the
run's verdicts as a table to paste here after checking them.

An ERROR is never a finding about a server: the ERROR entries below are
checks that cannot judge these servers today (what they stumble over is
noted at each); a fixed suite should empty them.

A target that cannot start fails the test under CI=true; elsewhere it is
skipped with the reason (mta.py needs root, and Exim's and OpenSMTPD's
.debs from Debian's archive the first time).
"""

import os
import unittest

import mta
from checkharness import EXIT_FAILED, EXIT_OK, CheckTestCase

# Shared by the three Postfix targets: everything but the bare-newline checks.
_POSTFIX_FAIL = {
    # The check sends ETRN without its argument; Postfix answers "500
    # Syntax: ETRN domain" to that, not to an unknown command.
    "E4": "ETRN got 500 Syntax: ETRN domain",
    "X3": "MAIL FROM:<jösé@example.org> was accepted without the SMTPUTF8 parameter",
}
_POSTFIX_WARN = {
    "C4": "QUIT x got 221",
    "C5": "HELP got 500 5.5.2 Error: command not recognized",
    "C11": "MAIL FROM:<c11-jörg@example.org> got 250",
    "K5": "BDAT abc was refused with 521 5.5.4",
}
_POSTFIX_ERROR = {
    # exa_mple.com is not local: Postfix's default relay restriction answers
    # 454 (defer_unauth_destination), which the check takes for "not now".
    "C10": "got 454 4.7.1 <u@exa_mple.com>: Relay access denied",
    # Postfix keeps a refused MAIL's SIZE= for the next MAIL of the same
    # session (until RSET), and X1 goes on in that session.
    "X1": "MAIL FROM:<x1@example.org> was refused: 552 5.3.4 Message size exceeds fixed limit",
}

EXPECTED = {
    "postfix-stock": {
        "banner": "ESMTP Postfix",
        "FAIL": {
            **_POSTFIX_FAIL,
            # smtpd_forbid_bare_newline = no: LF . LF and its kin end the data.
            "D3": r"\n.\n got 250 2.0.0 Ok: queued as",
            "D4": "a bare LF before a lone dot got 250 2.0.0 Ok: queued as",
            "D5": r"NOOP\n got 250 2.0.0 Ok before any CRLF",
        },
        "WARN": _POSTFIX_WARN,
        "ERROR": _POSTFIX_ERROR,
    },
    "postfix-normalize": {
        "banner": "ESMTP Postfix",
        # normalize: a bare LF still ends a command line, not the data.
        "FAIL": {**_POSTFIX_FAIL, "D5": r"NOOP\n got 250 2.0.0 Ok before any CRLF"},
        "WARN": _POSTFIX_WARN,
        "ERROR": _POSTFIX_ERROR,
    },
    "postfix-reject": {
        "banner": "ESMTP Postfix",
        "FAIL": _POSTFIX_FAIL,
        "WARN": _POSTFIX_WARN,
        "ERROR": _POSTFIX_ERROR,
    },
    "exim": {
        "banner": "ESMTP Exim 4.96",
        "FAIL": {
            "D5": r"NOOP\n got 250 OK before any CRLF",
            "X1": "MAIL ... SIZE=abc was accepted: 250 OK",
            "X3": "MAIL FROM:<jösé@example.org> was accepted without the SMTPUTF8 parameter",
        },
        "WARN": {
            "C11": "MAIL FROM:<c11-jörg@example.org> got 250 OK",
        },
        "ERROR": {},
    },
    "opensmtpd": {
        "banner": "ESMTP OpenSMTPD",
        "FAIL": {
            "C1": "NOOP xyz got 500 5.5.4 Invalid command arguments",
            # The 512-octet line is a NOOP with an argument, which OpenSMTPD
            # refuses whatever its length (C1).
            "L1": "a 512-octet command line (NOOP, CRLF included) got 500 5.5.4",
            "D5": r"NOOP\n got 250 2.0.0 Ok before any CRLF",
            "X1": "MAIL ... SIZE=36700161 (over the advertised 36700160) was accepted",
            "X4": "MAIL ... RET=BODY was accepted",
        },
        "WARN": {
            # OpenSMTPD refuses a second EHLO or HELO in a session (503
            # "Already identified"); G4 and E6 send theirs after one.
            "G4": "EHLO got 503 5.5.1 Invalid command: Already identified",
            "E6": "EHLO without a domain got 503 5.5.1 Invalid command: Already identified",
            "C9": "'NOOP  ' got 500 5.5.4 Invalid command arguments",
            "S4": "RSET got 503 5.5.1 Invalid command: Command not allowed at this point",
            "X2": "BODY=FOO was refused with 503 5.5.4",
        },
        "ERROR": {
            "E7": "the second EHLO got 503 5.5.1 Invalid command: Already identified",
        },
    },
}

JUDGED = ("FAIL", "WARN", "ERROR")


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
        failing = expected["FAIL"] or expected["ERROR"]
        run = self.check(target.address, "--domain", target.domain,
                         expect=EXIT_FAILED if failing else EXIT_OK)
        self.assertValid(run.result)
        self.assertCountsMatch(run)
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
                if want[check_id] not in got[check_id]:
                    problems.append(f"{check_id}: {verdict} for another reason: expected "
                                    f"{want[check_id]!r} in: {got[check_id]}")
        if problems:
            self.fail(f"{name}: {len(problems)} verdict(s) changed:\n" + "\n".join(problems)
                      + "\n\nThis run's verdicts, to paste into EXPECTED once checked (cut each "
                      "reason to a part that names the evidence, without queue ids):\n"
                      + verdict_table(actual) + "\n" + target.log_tail(10))

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
            lines.append(f'        "{check_id}": {reason[:90]!r},')
        lines.append("    },")
    return "\n".join(lines)


if __name__ == "__main__":
    unittest.main()
