"""smtp-harness load when things go wrong: a scenario with a Lua error fails
before any connection, with file:line; a target that is down is a clear
error, not a hang; hostile servers (fake-smtpd's hostile.lua, and raw
sockets that drip, never end a reply, or send garbage) never crash or hang
the client, and its memory stays bounded; SIGINT still writes the partial
result; thresholds decide the exit code.

Each run has a bounded wait (a hang fails the test) and its peak RSS is the
process's own (wait4).
"""

import random
import socket
import time
import unittest

from loadharness import (EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, RSS_LIMIT_KB,
                         SMALL_QUARANTINE, LoadTestCase, fake_scenario)
from rawserver import RawServer, drip_banner, endless_reply, send_for_a_while


def target(server):
    return f"{server.host}:{server.smtp_port}"


class ScenarioErrors(LoadTestCase):
    """Validated before the load: no connection is made (fake-smtpd counts
    none, not even the harness's connect probe)."""

    def assertRefusedBeforeLoad(self, text, *expected_in_stderr):
        server = self.start_fake()
        path = self.temp_file(text)
        run = self.load(path, "--target", target(server), "--messages", 10, expect=EXIT_USAGE)
        for expected in expected_in_stderr:
            self.assertIn(expected.replace("PATH", path), run.stderr, self.describe(run))
        self.assertIsNone(run.result, "a result file for a run that never started")
        self.assertEqual(server.stats()["connections"], 0)
        return run

    def test_lua_syntax_error(self):
        self.assertRefusedBeforeLoad(
            "return {\n"
            "  connections = 2,\n"
            "  message = function(ctx)\n"
            "    return { to = { \"a@example.test\" }\n"
            "  end,\n"
            "}\n", "PATH:5:")

    def test_runtime_error_in_message_hook(self):
        self.assertRefusedBeforeLoad(
            "return {\n"
            "  message = function(ctx)\n"
            "    local settings = nil\n"
            "    return { to = { settings.rcpt } }\n"
            "  end,\n"
            "}\n", "PATH:4:", "settings")

    def test_unknown_field(self):
        self.assertRefusedBeforeLoad("return {\n  conections = 2,\n}\n", "PATH", "'conections'")

    def test_message_hook_failing_during_the_run_skips_that_start(self):
        server = self.start_fake()
        path = self.temp_file(
            "return {\n"
            "  message = function(ctx)\n"
            "    if ctx.seq % 10 == 9 then error(\"no message for \" .. ctx.seq) end\n"
            "  end,\n"
            "}\n")
        run = self.load(path, "--target", target(server), "--connections", 2, "--messages", 100,
                        "--threads", 1, "-q")
        load = run.result["load"]
        self.assertEqual(load["errors"]["script"], 10)
        self.assertEqual(load["counters"]["transactions_started"], 90)
        self.assertEqual(load["counters"]["delivered"], 90)
        self.assertEqual(server.stats()["messages_accepted"], 90)
        self.assertTrue(any(f"{path}:3:" in s for s in load["error_samples"]),
                        load["error_samples"])


class TargetDown(LoadTestCase):
    def test_closed_port_is_a_clear_error(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        run = self.load("--target", f"127.0.0.1:{port}", "--connections", 2, "--duration", "5s",
                        expect=EXIT_FAILED, timeout=20)
        self.assertLess(run.seconds, 5)
        self.assertIn(f"127.0.0.1:{port}", run.stderr)
        self.assertIn("refused", run.stderr.lower())

    def test_message_limited_run_whose_every_login_fails_ends(self):
        """--messages without --duration, and AUTH refused on every
        connection: no transaction can ever start, so the run must end
        (exit 1: nothing it was asked for happened), not reconnect forever."""
        server = self.start_fake(profile=fake_scenario("submission"))
        run = self.load("--target", target(server), "--tls", "starttls", "--auth",
                        "alice:not-her-password", "--connections", 2, "--messages", 10, "-q",
                        expect=None, timeout=20)
        self.assertEqual(run.code, EXIT_FAILED, self.describe(run))
        self.assertGreater(run.result["load"]["errors"]["auth"], 0)


class HostileFakeSmtpd(LoadTestCase):
    """scenarios/fake/hostile.lua: the EHLO name picks the poison."""

    POISONS = {
        "endless": "protocol",      # a multi-line EHLO reply that never ends
        "long-line": "protocol",    # a 4000-octet reply line
        "partial": "timeout",       # 5 octets of the EHLO reply, then silence
        "bad-code": "protocol",     # MAIL answered "2x0"
        "extra-reply": "protocol",  # MAIL answered twice
        "stall": "timeout",         # MAIL never answered
        "slam": "closed",           # MAIL: the connection is closed
    }

    def test_poisons(self):
        server = self.start_fake(profile=fake_scenario("hostile"))
        for poison, kind in self.POISONS.items():
            with self.subTest(poison=poison):
                run = self.load("--target", target(server), "--helo", f"{poison}.test",
                                "--connections", 2, "--duration", "1s", "--timeout", "1s",
                                "--threads", 2, "-q", expect=None, timeout=30,
                                env=SMALL_QUARANTINE)
                self.assertIn(run.code, (EXIT_OK, EXIT_FAILED), self.describe(run))
                load = run.result["load"]
                self.assertGreater(load["errors"][kind], 0, load["errors"])
                self.assertEqual(load["counters"]["delivered"], 0)
                self.assertLess(run.max_rss_kb, RSS_LIMIT_KB)
        self.assertEqual(server.stats()["messages_accepted"], 0)


def endless_line(sock, stop):
    """A reply line that never ends: digits and no line break, for ever."""
    send_for_a_while(sock, b"2" * 65536, stop)


def garbage(sock, stop):
    send_for_a_while(sock, random.Random(5321).randbytes(65536), stop)


class HostileRawServers(LoadTestCase):
    def hostile_run(self, behaviour):
        with RawServer(behaviour, blocking=False) as server:
            run = self.load("--target", f"127.0.0.1:{server.port}", "--connections", 2,
                            "--duration", "2s", "--timeout", "1s", "--threads", 2, "-q",
                            expect=None, timeout=40, env=SMALL_QUARANTINE)
        self.assertIn(run.code, (EXIT_OK, EXIT_FAILED), self.describe(run))
        self.assertLess(run.max_rss_kb, RSS_LIMIT_KB)
        load = run.result["load"]
        self.assertEqual(load["counters"]["delivered"], 0)
        return load

    def test_banner_dripping_one_octet_at_a_time(self):
        load = self.hostile_run(drip_banner)
        # One deadline for the whole reply: trickling does not extend it.
        self.assertGreater(load["errors"]["timeout"], 0, load["errors"])

    def test_reply_that_never_ends(self):
        load = self.hostile_run(endless_reply)
        self.assertGreater(load["errors"]["protocol"], 0, load["errors"])

    def test_line_that_never_ends(self):
        load = self.hostile_run(endless_line)
        self.assertGreater(load["errors"]["protocol"], 0, load["errors"])

    def test_garbage(self):
        load = self.hostile_run(garbage)
        self.assertGreater(load["errors"]["protocol"], 0, load["errors"])


class Interrupt(LoadTestCase):
    def test_sigint_writes_the_partial_result(self):
        server = self.start_fake()
        process = self.start_load("--target", target(server), "--connections", 4,
                                  "--duration", "30s", "--threads", 2, "-q")
        self.wait_accepted(server, 50)
        sent = time.monotonic()
        process.interrupt()
        run = process.finish(timeout=15)
        self.assertNoSanitizerReport(run)
        self.assertEqual(run.code, EXIT_INTERRUPTED, self.describe(run))
        self.assertLess(time.monotonic() - sent, 5)
        self.assertIsNotNone(run.result, "no result file after SIGINT")
        self.assertValid(run.result)
        load = run.result["load"]
        self.assertIs(load["interrupted"], True)
        self.assertEqual(load["stop_reason"], "interrupted")
        self.assertLess(load["elapsed_seconds"], 30)
        # Graceful: the transactions in flight were finished, not lost.
        self.assertGreaterEqual(load["counters"]["delivered"], 50)
        self.assertEqual(load["counters"]["delivered"], server.stats()["messages_accepted"])
        self.assertEqual(load["counters"]["failed"], 0)


class Thresholds(LoadTestCase):
    def test_crossed_threshold_exits_1(self):
        server = self.start_fake()
        run = self.load("--target", target(server), "--messages", 50, "--threshold", "p99<1ns",
                        expect=EXIT_FAILED)
        self.assertIn("FAIL p99<1ns", run.stdout)
        load = run.result["load"]
        [verdict] = load["thresholds"]
        self.assertEqual((verdict["metric"], verdict["percentile"], verdict["phase"],
                          verdict["passed"]), ("percentile", 99, "transaction", False))
        [transaction] = [p for p in load["phases"] if p["phase"] == "transaction"]
        self.assertEqual(verdict["observed"], transaction["p99_ns"])

    def test_threshold_kept_exits_0(self):
        server = self.start_fake()
        run = self.load("--target", target(server), "--messages", 50,
                        "--threshold", "errors<100%", expect=EXIT_OK)
        self.assertIn("PASS errors<100%", run.stdout)
        [verdict] = run.result["load"]["thresholds"]
        self.assertEqual((verdict["metric"], verdict["share"], verdict["observed"],
                          verdict["passed"]), ("errors", True, 0, True))


if __name__ == "__main__":
    unittest.main()
