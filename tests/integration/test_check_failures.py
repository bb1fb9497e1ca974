"""smtp-harness check when the target is no SMTP server at all: the harness
never hangs or crashes, and an ERROR means only "could not judge".

A target that cannot be reached, a closed port, a name that does not
resolve, a server that accepts and never speaks or closes at once, stops
the run at the probe before the checks: exit 1, one line on stderr naming
host:port and what failed, nothing on stdout, and no result file. A target
that answers something, a line that is not a reply or random bytes, is
reachable: every check runs and ends in ERROR with a reason that names the
problem, or SKIP (another profile, no oracle). Usage errors: a bad flag, a
suite that does not compile.

Every loop is bounded in count and time; the raw servers' threads end when
the test stops them.
"""

import os
import random
import re
import socket
import time
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

    def assertUnreachable(self, target, problem):
        """The whole suite against `target`: exit 1 within a few timeouts,
        one line on stderr, "smtp-harness check: TARGET: PROBLEM" (a regex),
        no check's line on stdout, and none of the result files asked for."""
        tmp = self.temp_dir()
        outputs = {flag: os.path.join(tmp, name) for flag, name in
                   (("--junit", "result.xml"), ("--html", "result.html"),
                    ("--markdown", "result.md"))}
        args = [a for pair in outputs.items() for a in pair]
        run = self.check(target, *SHORT, *args, expect=EXIT_FAILED, timeout=30)
        print(f"\n{target}: {run.stderr.strip()} in {run.seconds:.1f} s", flush=True)
        lines = run.stderr.splitlines()
        self.assertEqual(len(lines), 1, run.describe())
        self.assertRegex(lines[0], "^smtp-harness check: " + re.escape(target) + ": " + problem)
        self.assertEqual(run.stdout, "", "per-check output for a target that was never reached")
        self.assertNotIn("ERROR", run.stdout + run.stderr)
        self.assertIsNone(run.result, "a result file for a run that judged nothing")
        self.assertEqual([f for f in outputs.values() if os.path.exists(f)], [])
        # One connect or greeting timeout (1 s), not one per check.
        self.assertLess(run.seconds, 10, run.describe())
        return run

    def test_target_down(self):
        self.assertUnreachable(f"127.0.0.1:{closed_port()}", "connect: Connection refused$")

    def test_accepts_and_never_speaks(self):
        self.assertUnreachable(self.start_raw(silent).target, r"no greeting within 1s$")

    def test_closes_at_once(self):
        self.assertUnreachable(self.start_raw(closes_at_once).target,
                               r"no greeting: closed by the peer$")

    def test_unresolvable_host(self):
        # .invalid never resolves (RFC 2606 §2).
        self.assertUnreachable("no-such-host.invalid:25", "cannot resolve: ")

    def test_line_that_is_not_a_reply(self):
        self.assertOnlyErrors(self.start_raw(not_a_reply).target, NOT_A_REPLY)

    def test_random_bytes(self):
        self.assertOnlyErrors(self.start_raw(random_bytes).target, NOT_A_REPLY)



def answering(ehlo_reply):
    """A server that greets, answers EHLO with `ehlo_reply` (bytes), QUIT
    with 221 and every other command with 250, one reply per line."""

    def behaviour(conn, stop):
        if not send(conn, b"220 long.test ESMTP\r\n"):
            return
        conn.settimeout(0.2)
        buffered = b""
        deadline = time.monotonic() + 30
        for _ in range(10000):
            if stop.is_set() or time.monotonic() > deadline:
                return
            if b"\r\n" not in buffered:
                try:
                    data = conn.recv(4096)
                except socket.timeout:
                    continue
                except OSError:
                    return
                if not data:
                    return
                buffered += data
                continue
            line, buffered = buffered.split(b"\r\n", 1)
            verb = line.split(b" ", 1)[0].upper()
            reply = {b"EHLO": ehlo_reply, b"QUIT": b"221 bye\r\n"}.get(verb, b"250 OK\r\n")
            if not send(conn, reply) or verb == b"QUIT":
                return

    return behaviour


class LongReplies(CheckTestCase):
    """G2 judges a reply's syntax, not its size: a reply line over 512
    octets breaks a SHOULD (RFC 5321 §4.5.3.1), and a reply longer than the
    100 lines the suite reads breaks nothing, so it is not judged."""

    def g2(self, ehlo_reply):
        server = RawServer(answering(ehlo_reply)).start()
        self.addCleanup(server.stop)
        run = self.check(server.target, *SHORT, "--only", "G2", expect=None)
        return run.verdicts["G2"], run.results["G2"]["reason"]

    def test_a_long_reply_line_is_a_warn(self):
        verdict, reason = self.g2(b"250-long.test " + b"x" * 600 + b"\r\n250 SIZE 1000\r\n")
        self.assertEqual(verdict, "WARN", reason)
        self.assertIn("§4.5.3.1", reason)

    def test_a_reply_of_many_lines_is_not_judged(self):
        lines = b"".join(b"250-X-EXTENSION-%d\r\n" % i for i in range(150))
        verdict, reason = self.g2(b"250-long.test\r\n" + lines + b"250 SIZE 1000\r\n")
        self.assertEqual(verdict, "ERROR", reason)
        self.assertIn("no limit", reason)

    def test_a_reply_of_fifty_lines_passes(self):  # the shape above can pass
        lines = b"".join(b"250-X-EXTENSION-%d\r\n" % i for i in range(50))
        verdict, reason = self.g2(b"250-long.test\r\n" + lines + b"250 SIZE 1000\r\n")
        self.assertEqual(verdict, "PASS", reason)


class UsageErrors(CheckTestCase):
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
