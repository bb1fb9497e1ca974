"""smtp-harness check against real third-party servers: Debian's aiosmtpd
(python3-aiosmtpd, `python3 -m aiosmtpd`) and Postfix's smtp-sink, each
with its default settings. The verdicts are
findings about those servers; the tables below record them, one line of
reason each, and the test asserts the exact sets of FAIL and WARN ids, and
that no check ended in ERROR.

Each table entry is (why, evidence): `evidence` must occur in the check's
reason, so a verdict that stays the same for another cause is noticed.

A missing server is a failure, never a skip (scripts/deps.sh installs both).
Every wait is bounded; each server is stopped by the test that started it.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

from checkharness import EXIT_FAILED, CheckTestCase
from fakesmtpd import require_tool

PYTHON = "/usr/bin/python3"
SMTP_SINK = "/usr/sbin/smtp-sink"

# aiosmtpd 1.4 (Debian bookworm), `python3 -m aiosmtpd -n`.
AIOSMTPD_FAIL = {
    "C10": ("an underscore in the RCPT domain is accepted: it checks no domain syntax",
            "RCPT TO:<u@exa_mple.com> got 250"),
    "D5": ("a bare LF ends a command line: NOOP LF is answered 250 before any CRLF",
           "NOOP\\n got 250"),
}
AIOSMTPD_WARN = {
    "G4": ("HELP is answered 250, a code RFC 5321 §4.3.2 does not list for HELP",
           "HELP got 250"),
    "C5": ("HELP gets 250 instead of 211 or 214", "HELP got 250"),
}
# Deviations the RFC states no requirement for (docs/CONFORMANCE.md): INFO.
AIOSMTPD_INFO = {
    "S5": ("MAIL with an unclosed path (no '>') is accepted with 250: only the grammar is "
           "broken", "MAIL FROM:<s5@example.org (no closing '>') got 250"),
}

# smtp-sink of Postfix 3.7 (Debian bookworm), `smtp-sink ADDR:PORT 100`: a
# test sink that says yes to nearly everything, as its manual says.
SMTP_SINK_FAIL = {
    "C6": ("VRFY of any user gets 250", "VRFY no-such-user"),
    "C10": ("an underscore in the RCPT domain is accepted", "RCPT TO:<u@exa_mple.com> got 250"),
    "X5": ("ENHANCEDSTATUSCODES offered, but QUIT's 221 has no enhanced code",
           "QUIT -> 221 Bye"),
    "X5.helo": ("the same after HELO", "after HELO: QUIT -> 221 Bye"),
    "A4": ("AUTH PLAIN with a response that is not base64 gets 250",
           "!!!not-base64!!! got 250"),
    "A6": ("AUTH during a mail transaction gets 250, not 503",
           "AUTH during a mail transaction got 250"),
    "A7": ("AUTH PLAIN = (an empty response) gets 250", "AUTH PLAIN = "),
}
SMTP_SINK_WARN = {
    "C4": ("RSET, DATA and QUIT with an argument are carried out", "RSET x got 250"),
    "C5": ("HELP is an unknown command (500)", "HELP got 500"),
    "C11": ("non-ASCII addresses are accepted without SMTPUTF8",
            "MAIL FROM:<c11-jörg@example.org> got 250"),
    "A1": ("AUTH PLAIN and LOGIN offered in clear text, without STARTTLS",
           "offered in clear text"),
    "A5": ("any credentials are accepted (250)", "were accepted: 250"),
    "X4": ("DSN offered, but NOTIFY=NEVER,SUCCESS is accepted, not refused with 501 "
           "(RFC 3461 §5.1(b)); RET=BODY is accepted too (INFO)",
           "NOTIFY=NEVER,SUCCESS was accepted"),
}
SMTP_SINK_INFO = {
    "E1": ("the EHLO reply has an empty line among its keywords", "1 empty line(s)"),
    "E6": ("EHLO without a domain gets 250", "a bare EHLO (no domain) was accepted"),
    "C8": ("MAIL with an unknown parameter (FOO=BAR) gets 250", "FOO=BAR got 250"),
    "S5": ("MAIL with an unclosed path (no '>') is accepted with 250",
           "MAIL FROM:<s5@example.org (no closing '>') got 250"),
    "X2": ("BODY=FOO is accepted", "BODY=FOO was accepted"),
    "A2": ("AUTH with an unknown mechanism gets 250, not 504", "AUTH NOPE got 250"),
    "A3": ("AUTH LOGIN gets 250 at once: no SASL exchange, so nothing to cancel",
           "without any SASL exchange"),
}

READY_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def free_port():
    """A port of 127.0.0.1 that was free a moment ago (bound, then closed):
    neither server can be asked to pick one and say which."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PeerServer:
    """A third-party server process on 127.0.0.1:PORT; start() returns once
    it has sent a 220 greeting to a probe connection."""

    def __init__(self, name, argv_for_port):
        self.name = name
        self.port = free_port()
        self.argv = argv_for_port(self.port)
        self.tmp = tempfile.mkdtemp(prefix=f"{name}-it-")
        self.proc = None

    @property
    def target(self):
        return f"127.0.0.1:{self.port}"

    def start(self):
        self._out = open(os.path.join(self.tmp, "stdout"), "wb")
        self._err = open(os.path.join(self.tmp, "stderr"), "wb")
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=self._out,
                                     stderr=self._err,
                                     env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
        try:
            self.wait_for_greeting()
        except BaseException:
            self.stop()
            raise
        return self

    def wait_for_greeting(self):
        """Connects until the server listens (a client's retry backoff,
        bounded in attempts and time), then reads its greeting."""
        deadline = time.monotonic() + READY_TIMEOUT
        delay = 0.01
        for _ in range(200):
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.proc.returncode} before "
                                     f"listening: {' '.join(self.argv)}\n{self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5) as probe:
                    greeting = probe.recv(512)
                if not greeting.startswith(b"220"):
                    raise AssertionError(f"{self.name} greeted with {greeting!r}")
                return
            except ConnectionRefusedError:
                pass
            if time.monotonic() + delay > deadline:
                break
            time.sleep(delay)  # backoff between connection attempts
            delay = min(delay * 2, 0.5)
        raise AssertionError(f"{self.name} did not listen on {self.target} within "
                             f"{READY_TIMEOUT}s\n{self.output()}")

    def output(self):
        texts = []
        for stream in ("stdout", "stderr"):
            try:
                with open(os.path.join(self.tmp, stream), "rb") as f:
                    texts.append(f"{stream}:\n{f.read()[-2000:].decode(errors='replace')}")
            except OSError:
                pass
        return "\n".join(texts)

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)
        self._out.close()
        self._err.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.proc = None


class Peers(CheckTestCase):
    def start_peer(self, name, argv_for_port):
        server = PeerServer(name, argv_for_port)
        server.start()
        self.addCleanup(server.stop)
        return server

    def assertFindings(self, server, expected_fail, expected_warn, expected_info):
        run = self.check(server.target, expect=EXIT_FAILED)
        self.assertValid(run.result)
        self.assertCountsMatch(run)
        print(f"\n{server.name}: {run.check['counts']} in {run.check['elapsed_seconds']:.2f} s\n"
              + run.not_passed(limit=100), flush=True)
        self.assertEqual(run.reasons("ERROR"), {})
        self.assertEqual(run.ids("FAIL"), set(expected_fail), run.reasons("FAIL"))
        self.assertEqual(run.ids("WARN"), set(expected_warn), run.reasons("WARN"))
        # INFO also holds the checks that only record (G5, R3, ...).
        self.assertEqual(set(expected_info) - run.ids("INFO"), set(), run.reasons("INFO"))
        for table in (expected_fail, expected_warn, expected_info):
            for check_id, (_, evidence) in table.items():
                self.assertIn(evidence, run.results[check_id]["reason"], check_id)

    def test_aiosmtpd(self):
        require_tool(self, PYTHON, "python3")
        server = self.start_peer(
            "aiosmtpd", lambda port: [PYTHON, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"])
        self.assertFindings(server, AIOSMTPD_FAIL, AIOSMTPD_WARN, AIOSMTPD_INFO)

    def test_smtp_sink(self):
        require_tool(self, SMTP_SINK, "postfix")
        # As root, smtp-sink wants a user to run as.
        user = ["-u", "nobody"] if os.geteuid() == 0 else []
        server = self.start_peer(
            "smtp-sink", lambda port: [SMTP_SINK, *user, f"127.0.0.1:{port}", "100"])
        self.assertFindings(server, SMTP_SINK_FAIL, SMTP_SINK_WARN, SMTP_SINK_INFO)


if __name__ == "__main__":
    unittest.main()
