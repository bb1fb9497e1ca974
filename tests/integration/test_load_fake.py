"""smtp-harness load against fake-smtpd: the closed and open models,
STARTTLS and implicit TLS with AUTH, pipelining on and off, and the shipped
scenario files. Every count the harness reports is checked against what the
server counted (GET /api/stats, GET /api/rules), not only against itself.
"""

import json
import os
import shutil
import tempfile
import unittest
import xml.etree.ElementTree

from loadharness import EXIT_FAILED, LoadTestCase, fake_scenario, load_scenario
from loadresult import cell, phase_total, replies, reply_count

MS = 1_000_000


def target(server, implicit_tls=False):
    return f"{server.host}:{server.smtps_port if implicit_tls else server.smtp_port}"


class ClosedModel(LoadTestCase):
    def test_closed_model_delivers_each_message_once(self):
        server = self.start_fake()
        run = self.load("--target", target(server), "--connections", 4, "--messages", 300,
                        "--threads", 2, "-q")
        self.assertValid(run.result)
        load = run.result["load"]
        c = load["counters"]
        self.assertEqual((c["transactions_started"], c["delivered"], c["refused_4xx"],
                          c["refused_5xx"], c["failed"]), (300, 300, 0, 0, 0), c)
        self.assertEqual((c["connections_opened"], c["connections_failed"], c["reconnects"]),
                         (4, 0, 0), c)
        self.assertEqual(sum(load["errors"].values()), 0, load["errors"])
        self.assertEqual(load["stop_reason"], "messages")
        settings = load["settings"]
        self.assertEqual((settings["model"], settings["connections"], settings["threads"],
                          settings["messages"]), ("closed", 4, 2, 300))
        self.assertNotIn("target_rate", load)

        stats = server.stats()
        self.assertEqual(stats["messages_accepted"], 300, stats)
        # Every octet the client wrote reached the server (the server also
        # counts the harness's connect probe, which writes nothing).
        self.assertEqual(stats["bytes_in"], c["bytes_written"])
        self.assertEqual(replies(load), {
            ("banner", 220, None): 4,
            ("ehlo", 250, None): 4,
            ("mail", 250, "2.1.0"): 300,
            ("rcpt", 250, "2.1.5"): 300,
            ("data", 354, None): 300,
            ("end_of_data", 250, "2.0.0"): 300,
            ("quit", 221, "2.0.0"): 4,
        })
        # The server sent as many 250s as the client read (EHLO, MAIL, RCPT, end of data).
        self.assertEqual(stats["replies"]["250"],
                         sum(n for (_, code, _), n in replies(load).items() if code == 250))
        for phase, cls in (("mail", "2xx"), ("rcpt", "2xx"), ("data", "3xx"),
                           ("end_of_data", "2xx"), ("transaction", "2xx"), ("service", "2xx")):
            entry = cell(load, phase, cls)
            self.assertIsNotNone(entry, f"no latency for {phase} {cls}")
            self.assertEqual(entry["count"], 300, f"{phase} {cls}")
            self.assertGreater(entry["min_ns"], 0, f"{phase} {cls}")
            self.assertSummaries(entry, f"{phase} {cls}")
        for phase in ("connect", "banner", "ehlo", "quit"):
            self.assertEqual(cell(load, phase, "2xx")["count"], 4, phase)
        self.assertIn("delivered 300", run.stdout)


class RenderedDirectly(LoadTestCase):
    """load --html/--markdown/--junit write the reports `report` would."""

    def test_load_writes_html_markdown_and_junit(self):
        server = self.start_fake()
        out = tempfile.mkdtemp(prefix="load-render-")
        self.addCleanup(shutil.rmtree, out, ignore_errors=True)
        paths = {kind: os.path.join(out, "run." + kind) for kind in ("html", "md", "xml")}
        run = self.load("--target", f"{server.host}:{server.smtp_port}", "--messages", "20",
                        "--connections", "2", "--threshold", "p99<10s", "--html", paths["html"],
                        "--markdown", paths["md"], "--junit", paths["xml"])
        with open(paths["html"], encoding="utf-8") as f:
            html = f.read()
        self.assertIn("<svg", html)
        self.assertIn(f"Load run: {server.host}:{server.smtp_port}", html)
        self.assertNotIn("<script", html)
        with open(paths["md"], encoding="utf-8") as f:
            self.assertIn("p99&lt;10s", f.read())  # markdown_text escapes "<"
        suites = xml.etree.ElementTree.parse(paths["xml"]).getroot()
        names = [c.get("name") for c in suites.iter("testcase")]
        self.assertEqual(names, ["run completed", "threshold p99<10s"])
        self.assertEqual(len(list(suites.iter("failure"))), 0, names)
        self.assertEqual(run.result["load"]["counters"]["delivered"], 20)


class OpenModel(LoadTestCase):
    def test_constant_arrivals_start_on_schedule(self):
        server = self.start_fake()
        run = self.load("--target", target(server), "--rate", 400, "--duration", "2s",
                        "--threads", 2, "-q")
        self.assertValid(run.result)
        load = run.result["load"]
        c = load["counters"]
        self.assertEqual(load["settings"]["model"], "open")
        self.assertEqual(load["settings"]["arrivals"], "constant")
        self.assertEqual(load["target_rate"], 400)
        self.assertAlmostEqual(c["transactions_started"], 800, delta=16)
        self.assertAlmostEqual(load["achieved_rate"], 400, delta=8)
        self.assertEqual(c["dropped_starts"], 0)
        self.assertEqual(c["delivered"], c["transactions_started"])
        self.assertEqual(server.stats()["messages_accepted"], c["delivered"])
        self.assertSeriesAddUp(load)
        # Two whole seconds on the schedule; a last, partial second may hold
        # the drain (QUIT) and a start that came late, past the schedule.
        whole = [s for s in load["series"] if s["second"] < 2]
        self.assertEqual(len(whole), 2, load["series"])
        for second in whole:
            self.assertEqual(second["target_rate"], 400, second)
            self.assertAlmostEqual(second["started"], 400, delta=8, msg=second)
        for second in load["series"][2:]:
            self.assertEqual(second["target_rate"], 0, second)
            self.assertLessEqual(second["started"], second["late_starts"], second)
        # Latency counts from the intended start, so it is at least the
        # service time of the same transaction.
        self.assertGreaterEqual(cell(load, "transaction", "2xx")["min_ns"],
                                cell(load, "service", "2xx")["min_ns"])

    def test_poisson_arrivals_replay_with_their_seed(self):
        server = self.start_fake()
        started = []
        for _ in range(2):
            run = self.load("--target", target(server), "--rate", 400, "--duration", "1s",
                            "--arrivals", "poisson", "--seed", 7, "--threads", 2, "-q")
            load = run.result["load"]
            self.assertEqual((load["settings"]["arrivals"], load["settings"]["seed"]),
                             ("poisson", 7))
            self.assertEqual(load["target_rate"], 400)
            # Poisson: 400 expected, standard deviation 20.
            self.assertGreater(load["counters"]["transactions_started"], 320)
            self.assertLess(load["counters"]["transactions_started"], 480)
            self.assertEqual(load["counters"]["dropped_starts"], 0)
            started.append(load["counters"]["transactions_started"])
        # The same seed gives the same schedule (give or take a start that
        # races the end of the run).
        self.assertAlmostEqual(started[0], started[1], delta=2, msg=started)
        self.assertEqual(server.stats()["messages_accepted"], sum(started))


class Submission(LoadTestCase):
    """scenarios/fake/submission.lua: AUTH required, users alice and bob."""

    PASSWORD = "wonderland"

    def assertNoPassword(self, run, password):
        for name, text in (("stdout", run.stdout), ("stderr", run.stderr),
                           ("the JSON result", json.dumps(run.result))):
            self.assertNotIn(password, text, f"the password is in {name}")

    def check_authenticated(self, server, run, messages):
        load = run.result["load"]
        c = load["counters"]
        self.assertEqual(c["delivered"], messages, c)
        self.assertEqual(server.stats()["messages_accepted"], messages)
        self.assertEqual(load["settings"]["auth"], True)
        opened = c["connections_opened"]
        self.assertEqual(reply_count(load, "auth", 235, "2.7.0"), opened)
        self.assertEqual(cell(load, "auth", "2xx")["count"], opened)
        self.assertEqual(cell(load, "tls_handshake", "2xx")["count"], opened)
        self.assertEqual(server.stats()["tls_handshakes"], opened)
        self.assertNoPassword(run, self.PASSWORD)
        return load

    def test_starttls_then_auth_plain(self):
        server = self.start_fake(profile=fake_scenario("submission"))
        run = self.load("--target", target(server), "--tls", "starttls", "--auth",
                        f"alice:{self.PASSWORD}", "--connections", 3, "--messages", 60,
                        "--threads", 2, "-q")
        self.assertValid(run.result)
        load = self.check_authenticated(server, run, 60)
        self.assertEqual(load["settings"]["tls"], "starttls")
        opened = load["counters"]["connections_opened"]
        self.assertEqual(reply_count(load, "starttls", 220, "2.0.0"), opened)
        self.assertEqual(cell(load, "starttls", "2xx")["count"], opened)
        # EHLO again after TLS (RFC 3207 §4.2).
        self.assertEqual(phase_total(load, "ehlo"), 2 * opened)

    def test_implicit_tls_then_auth(self):
        server = self.start_fake(profile=fake_scenario("submission"))
        run = self.load("--target", target(server, implicit_tls=True), "--tls", "implicit",
                        "--auth", f"alice:{self.PASSWORD}", "--connections", 2, "--messages", 40,
                        "--threads", 2, "-q")
        load = self.check_authenticated(server, run, 40)
        self.assertEqual(load["settings"]["tls"], "implicit")
        self.assertEqual(phase_total(load, "starttls"), 0)
        self.assertEqual(phase_total(load, "ehlo"), load["counters"]["connections_opened"])

    def test_wrong_password_is_an_auth_error_and_delivers_nothing(self):
        server = self.start_fake(profile=fake_scenario("submission"))
        wrong = "not-the-password-42"
        # A run in which no transaction could start has failed (exit 1),
        # thresholds or not.
        run = self.load("--target", target(server), "--tls", "starttls", "--auth",
                        f"alice:{wrong}", "--connections", 2, "--duration", "1s", "--threads", 2,
                        "-q", expect=EXIT_FAILED)
        self.assertIn("no transaction could start", run.stderr)
        load = run.result["load"]
        c = load["counters"]
        self.assertEqual((c["transactions_started"], c["delivered"]), (0, 0), c)
        self.assertGreater(load["errors"]["auth"], 0)
        refused = reply_count(load, "auth", 535, "5.7.8")
        self.assertEqual(load["errors"]["auth"], refused)
        self.assertEqual(server.stats()["replies"]["535"], refused)
        self.assertEqual(server.stats()["messages_accepted"], 0)
        self.assertEqual(c["connections_failed"], c["connections_opened"])
        self.assertNoPassword(run, wrong)


class Pipelining(LoadTestCase):
    """fake-smtpd holds each MAIL reply back for 150 ms. Pipelined (RFC 2920),
    RCPT and DATA go out in MAIL's batch, and their replies queue behind
    MAIL's: their latency, counted from the batch's write, includes the
    delay. One command at a time, RCPT is sent after MAIL's reply and is fast."""

    DELAY_MS = 150

    def run_with_slow_mail(self, *flags):
        profile = self.temp_file(
            f'rule {{ name = "slow-mail", on = "MAIL", delay = "{self.DELAY_MS}ms" }}\n')
        server = self.start_fake(profile=profile)
        run = self.load("--target", target(server), "--connections", 4, "--duration", "1s",
                        "--threads", 2, "-q", *flags)
        load = run.result["load"]
        started = load["counters"]["transactions_started"]
        self.assertGreater(started, 8)
        self.assertEqual(load["counters"]["delivered"], started)
        self.assertEqual(server.rule("slow-mail")["fired"], started)
        # The bucket's midpoint may sit up to 0.4% below the true value.
        self.assertGreaterEqual(cell(load, "mail", "2xx")["p50_ns"], 0.99 * self.DELAY_MS * MS)
        return load

    def test_pipelined_batch_waits_for_the_mail_reply(self):
        load = self.run_with_slow_mail()
        self.assertEqual(load["settings"]["pipelining"], True)
        for phase, cls in (("rcpt", "2xx"), ("data", "3xx")):
            self.assertGreaterEqual(cell(load, phase, cls)["p50_ns"], 0.99 * self.DELAY_MS * MS,
                                    f"{phase} was not sent in MAIL's batch")

    def test_without_pipelining_rcpt_waits_for_nothing(self):
        load = self.run_with_slow_mail("--no-pipelining")
        self.assertEqual(load["settings"]["pipelining"], False)
        for phase, cls in (("rcpt", "2xx"), ("data", "3xx")):
            self.assertLess(cell(load, phase, cls)["p50_ns"], 50 * MS,
                            f"{phase} was sent before MAIL's reply")


class ScenarioFiles(LoadTestCase):
    """The shipped scenarios/load/ files, aimed at this test's fake-smtpd by --target."""

    def test_smoke(self):
        server = self.start_fake()
        run = self.load(load_scenario("smoke"), "--target", target(server), "--threads", 2, "-q")
        load = run.result["load"]
        self.assertEqual(load["settings"]["scenario"], load_scenario("smoke"))
        self.assertEqual(load["counters"]["delivered"], 200)
        self.assertEqual(server.stats()["messages_accepted"], 200)
        self.assertEqual([(t["text"], t["passed"]) for t in load["thresholds"]],
                         [("errors<=0", True), ("delivered>=200", True)])
        self.assertIn("PASS delivered>=200", run.stdout)

    def test_many_recipients_counts_the_refused_ones(self):
        # 120 recipients a message; fake-smtpd takes 100 (its default), then 452.
        server = self.start_fake()
        run = self.load(load_scenario("many-recipients"), "--target", target(server),
                        "--duration", "1s", "--threads", 2, "-q")
        load = run.result["load"]
        c = load["counters"]
        messages = c["transactions_started"]
        self.assertGreater(messages, 0)
        self.assertEqual(c["delivered"], messages)
        self.assertEqual(server.stats()["messages_accepted"], messages)
        self.assertEqual(reply_count(load, "rcpt", 250, "2.1.5"), 100 * messages)
        self.assertEqual(reply_count(load, "rcpt", 452, "4.5.3"), 20 * messages)
        self.assertEqual((c["recipients_accepted"], c["recipients_refused"]),
                         (100 * messages, 20 * messages))
        # The reply hook's custom counter, summed over both workers.
        self.assertEqual(load["custom"], {"rcpt_too_many": 20 * messages})
        # done(summary) printed it.
        self.assertIn(f"refused for too many recipients: {20 * messages}", run.stdout)


if __name__ == "__main__":
    unittest.main()
