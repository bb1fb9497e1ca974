"""fake-smtpd's command line (ARCHITECTURE.md §6: a bad argument exits 2
with a one-line reason; a bad profile fails before listening, with
file:line)."""

import os
import signal
import socket
import subprocess
import tempfile
import unittest

from fakesmtpd import FakeSmtpd, ServerTestCase, binary, plain_b64

EXIT_USAGE = 2
HELP_HINT = "Run 'fake-smtpd --help' for usage."


def run(*args, timeout=20):
    return subprocess.run([binary(), *args], stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout)


# Every refused invocation also carries ephemeral ports, so a bug that let it
# start would not collide with anything and would be caught by the timeout.
EPHEMERAL = ("--listen", "127.0.0.1:0", "--api", "127.0.0.1:0")


class UsageErrors(unittest.TestCase):

    def assertUsageError(self, result, *needles):
        self.assertEqual(result.returncode, EXIT_USAGE, result.stderr)
        self.assertEqual(result.stdout, "", "a refused start prints nothing on stdout")
        lines = result.stderr.splitlines()
        self.assertGreaterEqual(len(lines), 1, "no reason on stderr")
        self.assertTrue(lines[0].startswith("fake-smtpd: "), lines[0])
        # One line of reason; the only other line allowed is the --help hint.
        self.assertEqual([l for l in lines[1:] if l != HELP_HINT], [], result.stderr)
        for needle in needles:
            self.assertIn(needle, lines[0])
        return lines[0]

    def test_help_exits_zero_and_lists_the_flags(self):
        result = run("--help")
        self.assertEqual(result.returncode, 0, result.stderr)
        for flag in ("--listen", "--tls-listen", "--api", "--store", "--ports-file", "--user",
                     "--max-size", "--max-recipients", "--idle-timeout", "--disable",
                     "--keep-bare-line-endings"):
            self.assertIn(flag, result.stdout)

    def test_unknown_flag(self):
        self.assertUsageError(run("--bogus-flag", *EPHEMERAL), "--bogus-flag")

    def test_listen_nonsense(self):
        self.assertUsageError(run("--listen", "nonsense", "--api", "127.0.0.1:0"), "--listen",
                              "nonsense")

    def test_listen_hostname_is_not_resolved(self):
        # A listener never waits on DNS: only addresses (and "localhost").
        self.assertUsageError(run("--listen", "mx.example.invalid:25", "--api", "127.0.0.1:0"),
                              "--listen")

    def test_store_bogus(self):
        self.assertUsageError(run("--store", "bogus", *EPHEMERAL), "--store", "bogus")

    def test_disable_unknown_keyword(self):
        self.assertUsageError(run("--disable", "NOPE", *EPHEMERAL), "--disable", "NOPE")

    def test_user_without_password(self):
        self.assertUsageError(run("--user", "alice", *EPHEMERAL), "--user")

    def test_idle_timeout_zero_and_nonsense(self):
        for value in ("0s", "soon", "-5s"):
            with self.subTest(value=value):
                self.assertUsageError(run(f"--idle-timeout={value}", *EPHEMERAL),
                                      "--idle-timeout")

    def test_max_recipients_zero(self):
        self.assertUsageError(run("--max-recipients", "0", *EPHEMERAL), "--max-recipients")

    def test_cert_without_key(self):
        self.assertUsageError(run("--cert", os.devnull, *EPHEMERAL), "--cert")


class PortInUse(unittest.TestCase):

    def test_each_listener_names_the_busy_address(self):
        holder = socket.socket()
        self.addCleanup(holder.close)
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        busy = "127.0.0.1:%d" % holder.getsockname()[1]
        cases = {
            "--listen": ["--listen", busy, "--api", "127.0.0.1:0"],
            "--tls-listen": ["--tls-listen", busy, "--listen", "127.0.0.1:0", "--api",
                             "127.0.0.1:0"],
            "--api": ["--api", busy, "--listen", "127.0.0.1:0"],
        }
        for flag, args in cases.items():
            with self.subTest(flag=flag):
                result = run(*args)
                self.assertNotEqual(result.returncode, 0, result.stderr)
                self.assertIn(busy, result.stderr)
                self.assertNotIn("ready", result.stdout)


class Profiles(unittest.TestCase):

    def write(self, text):
        fd, path = tempfile.mkstemp(prefix="profile-", suffix=".lua")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        self.addCleanup(os.unlink, path)
        return path

    def assertProfileError(self, text, line, needle):
        path = self.write(text)
        result = run(path, *EPHEMERAL)
        self.assertEqual(result.returncode, EXIT_USAGE, result.stderr)
        self.assertEqual(result.stdout, "")
        first = result.stderr.splitlines()[0]
        self.assertIn(f"{path}:{line}:", first)
        self.assertIn(needle, first)

    def test_syntax_error_names_file_and_line(self):
        # The missing comma makes line 3 the first bad token.
        self.assertProfileError('server {\n  hostname = "mx.test"\n  max_size = 3\n}\n', 3,
                                "expected")

    def test_unknown_field(self):
        self.assertProfileError("server { nope = 1 }\n", 1, "nope")

    def test_wrong_type(self):
        self.assertProfileError('-- a comment first\nserver { max_size = "x" }\n', 2, "max_size")

    def test_unknown_disable_keyword(self):
        self.assertProfileError('server { disable = { "CHUNKING", "NOPE" } }\n', 1, "NOPE")

    def test_runtime_error_outside_server(self):
        self.assertProfileError("local x = nil\nx.y = 1\n", 2, "")


class GoodProfile(ServerTestCase):
    PROFILE = ('server { hostname = "mx.test", users = { u = "p" }, '
               'disable = { "CHUNKING" } }\n')

    def profile(self):
        fd, path = tempfile.mkstemp(prefix="profile-", suffix=".lua")
        with os.fdopen(fd, "w") as f:
            f.write(self.PROFILE)
        self.addCleanup(os.unlink, path)
        return path

    def check_profile_applied(self, server):
        c = self.client(server)
        self.assertEqual(c.greeting.raw, b"220 mx.test ESMTP fake-smtpd ready\r\n")
        ehlo = c.ehlo()
        self.assertEqual(ehlo.lines[0], "mx.test Hello client.test")
        keywords = c.keywords(ehlo)
        self.assertNotIn("CHUNKING", keywords)
        self.assertIn("PIPELINING", keywords)
        self.assertReply(c.cmd("BDAT 1 LAST"), 500, "5.5.2")
        # users = { u = "p" } is the only account: inside TLS, u/p is good
        # and anything else is 535.
        c.starttls()
        c.ehlo()
        self.assertReply(c.cmd("AUTH PLAIN " + plain_b64("u", "wrong")), 535, "5.7.8")
        self.assertReply(c.cmd("AUTH PLAIN " + plain_b64("u", "p")), 235, "2.7.0")

    def test_profile_takes_effect(self):
        self.check_profile_applied(self.start_server(profile=self.profile()))

    def test_flags_after_the_profile_override_it(self):
        server = self.start_server("--hostname", "flag.test", profile=self.profile())
        c = self.client(server)
        self.assertEqual(c.greeting.raw, b"220 flag.test ESMTP fake-smtpd ready\r\n")

    def test_profile_after_repeatable_options(self):
        # `--help` documents "[OPTIONS] [profile]": the profile may follow the
        # options, including the repeatable ones (--user, --disable).
        server = FakeSmtpd("--disable", "VRFY", "--user", "x:y", self.profile(), profile=None)
        server.start()
        self.addCleanup(server.stop)
        self.check_profile_applied(server)


class Startup(ServerTestCase):

    def test_ports_file_and_banner(self):
        server = self.start_server("--seed", "4242")
        ports = server.ports
        # The API answers on the port the file names.
        self.assertEqual(server.stats()["connections"], 0)
        self.assertEqual(set(ports), {"host", "smtp", "smtps", "api", "pid", "seed", "store",
                                      "max_sessions"})
        self.assertEqual(ports["host"], "127.0.0.1")
        self.assertEqual(ports["pid"], server.proc.pid)
        self.assertEqual(ports["seed"], 4242)
        self.assertEqual(ports["store"], "memory")
        for key in ("smtp", "smtps", "api"):
            self.assertIsInstance(ports[key], int)
            self.assertGreater(ports[key], 0)
        self.assertEqual(len({ports["smtp"], ports["smtps"], ports["api"]}), 3)
        self.assertEqual(
            server.banner,
            f"fake-smtpd ready: smtp 127.0.0.1:{ports['smtp']}, smtps 127.0.0.1:{ports['smtps']}, "
            f"api http://127.0.0.1:{ports['api']}, store memory, seed 4242")
        # The ports file is complete when it appears (written by rename).
        self.assertFalse(os.path.exists(server.ports_file + ".tmp"))

    def test_no_api_and_no_tls_listener(self):
        server = FakeSmtpd(plain_args=False)
        server.args = ["--no-api", "--listen", "127.0.0.1:0", "--ports-file", server.ports_file]
        server.start()
        self.addCleanup(server.stop)
        self.assertIsNone(server.ports["api"])
        self.assertIsNone(server.ports["smtps"])
        self.assertNotIn("api", server.banner)
        c = self.client(server)
        self.assertEqual(c.greeting.code, 220)

    def test_sigterm_right_after_ready_exits_zero(self):
        # A supervisor may stop the server as soon as it reports ready: the
        # signal must already be handled then (exit 0), not kill the process.
        # Several rounds, because the window is short.
        for round_ in range(8):
            with self.subTest(round=round_):
                server = FakeSmtpd().start()
                server.stop()  # asserts exit code 0

    def test_sigterm_with_live_sessions_and_a_long_poll(self):
        # Shutting down with sessions in every state (mid-DATA, inside TLS,
        # in an AUTH exchange, mid-BDAT) and an API long poll pending: exit 0,
        # and under ASan no leak or use-after-free from the abandoned coroutines.
        server = self.start_server("--auth-cleartext")
        data = self.client(server)
        data.ehlo()
        data.cmd("MAIL FROM:<a@b.test>")
        data.cmd("RCPT TO:<c@d.test>")
        self.assertEqual(data.cmd("DATA").code, 354)
        data.send(b"half a message")
        tls = self.client(server, implicit_tls=True)
        tls.ehlo()
        sasl = self.client(server)
        sasl.ehlo()
        self.assertEqual(sasl.cmd("AUTH LOGIN").code, 334)
        bdat = self.client(server)
        bdat.ehlo()
        bdat.cmd("MAIL FROM:<a@b.test>")
        bdat.cmd("RCPT TO:<c@d.test>")
        bdat.send(b"BDAT 100000\r\nonly a little")
        poll = socket.create_connection((server.host, server.api_port), timeout=10)
        self.addCleanup(poll.close)
        poll.sendall(b"GET /api/messages?wait=5&timeout=60s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        self.assertEqual(server.stats()["active_sessions"], 4)
        server.stop()  # asserts exit 0 and a clean stderr

    def test_sigint_exits_zero(self):
        server = self.start_server()
        c = self.client(server)
        c.ehlo()
        server.proc.send_signal(signal.SIGINT)
        self.assertEqual(server.proc.wait(timeout=10), 0)
        server.stop()  # the sanitizer check of stderr


if __name__ == "__main__":
    unittest.main()
