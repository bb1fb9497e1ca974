"""smtp-harness check --oracle (the delivery oracle): the harness listens as
a capture server, a relay passes the checks' mail on to it, and the oracle
checks (`--list` marks them `[oracle]`) judge what arrived.

The relays are tests/integration/relay.py: Debian's aiosmtpd with its own
relaying handler (a real third-party relay), a small relay that does
everything right, and broken variants of it that each break one
requirement, so that each oracle check is shown failing.
"""

import concurrent.futures
import socket
import sys
import unittest

from checkharness import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CheckTestCase, run_check
from relay import Relay

ORACLE_CHECKS = ["D2", "D6", "D7", "L4.delivered", "K2.delivered"]
# A port taken between picking it and the harness binding it: tried again.
BIND_ATTEMPTS = 3


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def judge(mode, *extra):
    """The oracle checks against relay `mode` (a fresh oracle port each
    attempt). Returns (CheckRun, relay stderr)."""
    for attempt in range(BIND_ATTEMPTS):
        oracle = f"127.0.0.1:{free_port()}"
        relay = Relay(mode, oracle).start()
        try:
            run = run_check(relay.address, "--only", ",".join(ORACLE_CHECKS),
                            "--oracle", oracle, *extra)
        finally:
            errors = relay.stop()
        in_use = run.code == EXIT_USAGE and "in use" in run.stderr
        if not in_use or attempt == BIND_ATTEMPTS - 1:
            return run, errors
    raise AssertionError("unreachable")


class DeliveryOracle(CheckTestCase):
    def test_a_correct_relay_passes_every_oracle_check(self):
        run, errors = judge("correct")
        self.assertEqual(run.code, EXIT_OK, run.not_passed() + f"\nrelay stderr:\n{errors}")
        self.assertEqual(run.verdicts, {"D2": "PASS", "D6": "PASS", "D7": "PASS",
                                        "L4.delivered": "PASS", "K2.delivered": "PASS"})
        self.assertIn("delivery oracle listening on 127.0.0.1:", run.stdout)
        # The evidence says what arrived, and when.
        events = [e["text"] for e in run.results["D2"]["transcript"] if e["kind"] == "event"]
        self.assertTrue(any(t.startswith("oracle: a message of") for t in events), events)
        events = [e["text"] for e in run.results["D7"]["transcript"] if e["kind"] == "event"]
        self.assertTrue(any(t.startswith("oracle: no message holding") for t in events), events)
        self.assertValid(run.result)

    def test_each_broken_relay_fails_its_check(self):
        # A relay that does not dot-stuff (RFC 5321 §4.5.2) changes every
        # line that starts with a dot: D2's, one of L4's, and K2's chunk,
        # whose "." line ends the message at the next hop.
        broken = {"unstuffed": {"D2", "L4.delivered", "K2.delivered"}, "no-trace": {"D6"},
                  "partial": {"D7"}, "folding": {"L4.delivered"}}
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(broken)) as pool:
            runs = {mode: pool.submit(judge, mode) for mode in broken}
            for mode, check in broken.items():  # check: the ids that must FAIL
                with self.subTest(relay=mode):
                    run, errors = runs[mode].result(timeout=180)
                    self.assertNoCrash(run)
                    self.assertEqual(run.code, EXIT_FAILED, run.describe())
                    self.assertEqual(run.ids("FAIL"), check,
                                     run.not_passed() + f"\nrelay stderr:\n{errors}")
                    self.assertEqual(run.ids("ERROR"), set(), run.not_passed())

    def test_aiosmtpd_proxy_adds_no_received_line(self):
        # A real finding: aiosmtpd 1.4's Proxy handler inserts "X-Peer:" but
        # no Received: line, which RFC 5321 §4.4 requires of a relay.
        run, errors = judge("aiosmtpd-proxy")
        self.assertNoCrash(run)
        self.assertEqual(run.code, EXIT_FAILED, run.describe())
        self.assertEqual(run.ids("FAIL"), {"D6"}, run.not_passed() + f"\nrelay stderr:\n{errors}")
        self.assertIn("no Received: header", run.results["D6"]["reason"])
        self.assertEqual(run.ids("PASS"), {"D2", "D7", "L4.delivered"}, run.not_passed())
        self.assertEqual(run.results["K2.delivered"]["reason"], "CHUNKING is not advertised")

    def test_oracle_address_errors_are_usage_errors(self):
        run = self.check("127.0.0.1:9", "--oracle", "nowhere", expect=EXIT_USAGE,
                         json_file=False)
        self.assertIn("--oracle: expected HOST:PORT", run.stderr)
        run = self.check("127.0.0.1:9", "--oracle", "oracle.example:2526", expect=EXIT_USAGE,
                         json_file=False)
        self.assertIn("expected an IP address", run.stderr)
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            run = self.check("127.0.0.1:9", "--oracle", f"127.0.0.1:{port}", expect=EXIT_USAGE,
                             json_file=False)
            self.assertIn(f"127.0.0.1:{port}", run.stderr)


if __name__ == "__main__":
    sys.exit(unittest.main())
