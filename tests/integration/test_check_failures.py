"""smtp-harness check when the target is no SMTP server at all (a target
that is down, hangs, or sends garbage yields ERROR verdicts with reasons;
the harness never hangs or crashes): a closed port, a server that accepts
and never speaks, one that answers with a line that is not a reply or with
random bytes, and one that closes each connection at once. Each run is
bounded by the test, exits 1, and every check ends in ERROR, with a reason
that names the problem, or SKIP (another profile, no oracle). Usage errors:
an unresolvable host, a bad flag, a suite that does not compile.

Every loop is bounded in count and time; the raw servers' threads end when
the test stops them.
"""

import random
import re
import socket
import unittest

from checkharness import (EXIT_FAILED, EXIT_USAGE, NO_ORACLE, PROFILE_MISMATCH, CheckTestCase)
from rawserver import RawServer, drain

# The runs use short timeouts, so a target that never answers costs each
# check about a second; the bound below is far above what a run takes.
SHORT = ("--timeout", "1s", "--connect-timeout", "1s")
HOSTILE_RUN_TIMEOUT = 90.0
# "(not a reply: ...)", or G1's and G2's "the first bytes are not an SMTP reply".
NOT_A_REPLY = r"not an? (SMTP )?reply"


def send(conn, data):
    try:
        conn.sendall(data)
        return True
    except OSError:
        return False


def silent(conn, stop):
    """Accepts and never sends a byte."""
    drain(conn, stop)


def not_a_reply(conn, stop):
    """A line, but no SMTP reply: no three-digit code."""
    if send(conn, b"hello\r\n"):
        drain(conn, stop)


def noise(n=4096):
    """n random octets, the same every time. The first is no digit: bytes
    that start with one look like a server's broken reply, which G1 and G2
    judge (FAIL), rather than like something that does not speak SMTP."""
    data = random.Random(5321).randbytes(n)
    return bytes([data[0] | 0x80]) + data[1:]


def random_bytes(conn, stop):
    """4 KiB of noise, then silence."""
    if send(conn, noise()):
        drain(conn, stop)


def closes_at_once(conn, stop):
    """Closes the connection as soon as it is accepted."""


def closed_port():
    """A port of 127.0.0.1 that was bound and closed again: nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HostileTargets(CheckTestCase):
    def start_raw(self, behaviour):
        server = RawServer(behaviour).start()
        self.addCleanup(server.stop)
        return server

    def assertOnlyErrors(self, target, problem):
        """The whole suite against `target`: exit 1, every verdict ERROR or
        SKIP, every ERROR's reason matching the regex `problem`."""
        run = self.check(target, *SHORT, expect=EXIT_FAILED, timeout=HOSTILE_RUN_TIMEOUT)
        self.assertValid(run.result)
        print(f"\n{target} ({problem}): {run.check['counts']} in {run.seconds:.1f} s", flush=True)
        others = {i: (v, run.results[i]["reason"]) for i, v in run.verdicts.items()
                  if v not in ("ERROR", "SKIP")}
        self.assertEqual(others, {}, "verdicts other than ERROR and SKIP")
        errors = run.reasons("ERROR")
        self.assertGreater(len(errors), 60)
        unexplained = {i: r for i, r in errors.items() if not re.search(problem, r, re.I)}
        self.assertEqual(unexplained, {}, f"ERROR reasons that do not say /{problem}/")
        # Nothing was judged, so the only SKIPs are the runner's own.
        skips = {i: r for i, r in run.reasons("SKIP").items()
                 if r != NO_ORACLE and not PROFILE_MISMATCH.match(r)}
        self.assertEqual(skips, {})
        return run

    def test_target_down(self):
        port = closed_port()
        run = self.assertOnlyErrors(f"127.0.0.1:{port}", r"refused")
        for reason in run.reasons("ERROR").values():
            self.assertIn(f"127.0.0.1:{port}", reason)

    def test_accepts_and_never_speaks(self):
        self.assertOnlyErrors(self.start_raw(silent).target, r"timeout")

    def test_line_that_is_not_a_reply(self):
        self.assertOnlyErrors(self.start_raw(not_a_reply).target, NOT_A_REPLY)

    def test_random_bytes(self):
        self.assertOnlyErrors(self.start_raw(random_bytes).target, NOT_A_REPLY)

    def test_closes_at_once(self):
        self.assertOnlyErrors(self.start_raw(closes_at_once).target, r"closed")


class UsageErrors(CheckTestCase):
    def test_unresolvable_host(self):
        # .invalid never resolves (RFC 2606 §2).
        run = self.check("no-such-host.invalid:25", *SHORT, expect=EXIT_FAILED, timeout=60)
        self.assertIn("no-such-host.invalid", run.stderr)
        self.assertIsNone(run.result, "a result for a run that could not start")

    def test_unknown_profile(self):
        run = self.check("127.0.0.1:25", "--profile", "nope", expect=EXIT_USAGE, timeout=30)
        self.assertIn("--profile", run.stderr)
        self.assertIsNone(run.result)

    def test_auth_without_tls_is_refused(self):
        # RFC 4954 §4: the password would cross in clear text, in every session.
        run = self.check("127.0.0.1:25", "--auth", "user:secret", expect=EXIT_USAGE, timeout=30)
        self.assertIn("--tls", run.stderr)
        self.assertNotIn("secret", run.stderr)
        self.assertIsNone(run.result)

    def test_suite_with_a_lua_syntax_error(self):
        path = self.temp_file(
            "check {\n"
            "  id = \"Z1\",\n"
            "  title = \"a check that does not compile\",\n"
            "  rfc = \"RFC 5321 §4.1.1.9\",\n"
            "  level = \"MUST\",\n"
            "  run = function(t)\n"
            "    local c = t:session(\n"
            "  end,\n"
            "}\n")
        port = closed_port()
        run = self.check(f"127.0.0.1:{port}", "--suite", path, expect=EXIT_USAGE, timeout=30)
        self.assertRegex(run.stderr, re.escape(path) + r":8:")
        self.assertIsNone(run.result)


if __name__ == "__main__":
    unittest.main()
