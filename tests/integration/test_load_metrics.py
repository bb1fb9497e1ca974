"""Prometheus metrics of both programs, scraped by a real Prometheus.

Debian's prometheus (scripts/deps.sh) runs on loopback with a private
configuration and data directory and scrapes fake-smtpd's API port and a
`smtp-harness load --metrics` run every second. The counters it stored must
agree with the run's result JSON and with fake-smtpd's /api/stats, within
one scrape interval's worth of messages. A missing prometheus FAILS, never
skips. Also: the flags' errors (exit 2, naming the address).
"""

import math
import os
import re
import shutil
import socket
import unittest
import urllib.request

from fakesmtpd import require_tool
from loadharness import EXIT_FAILED, EXIT_OK, EXIT_USAGE, LoadTestCase
from prometheus import SCRAPE_INTERVAL, Prometheus, free_port

RATE = 200
DURATION_S = 10

# Quotes, a brace, a newline and a backslash in a rule's name: a label value
# that would end the sample early if it were not escaped. Prometheus refuses
# the whole scrape of an invalid document, so `up` and this series prove it.
HOSTILE_RULE = 'evil"} 1\n# TYPE x counter\\'
RULES = 'rule { name = "evil\\"} 1\\n# TYPE x counter\\\\", on = "MAIL", delay = "1ms" }\n'


def last(metric):
    """The newest sample of a series, even after its target went away (an
    instant query of a target that is down sees the staleness marker)."""
    return f"last_over_time({metric}[10m])"


class PrometheusScrapesBoth(LoadTestCase):
    def test_counters_agree_with_the_result_and_api_stats(self):
        binary = require_tool(self, shutil.which("prometheus") or "prometheus", "prometheus")
        fake = self.start_fake()
        fake.put_rules(RULES)
        metrics_port = free_port()
        prom = Prometheus(binary, {"fake-smtpd": f"127.0.0.1:{fake.api_port}",
                                   "load": f"127.0.0.1:{metrics_port}"})
        self.addCleanup(prom.stop)
        prom.start()

        run = self.load("--target", f"127.0.0.1:{fake.smtp_port}", "--rate", RATE,
                        "--connections", 8, "--duration", f"{DURATION_S}s",
                        "--metrics", f"127.0.0.1:{metrics_port}", "--metrics-linger", "30s",
                        "--run-id", "it-run", timeout=90)
        load = run.result["load"]
        counters = load["counters"]
        self.assertGreater(counters["delivered"], RATE * DURATION_S // 2, self.describe(run))
        self.assertIn(f"metrics: serving http://127.0.0.1:{metrics_port}/metrics", run.stderr)
        # One scrape interval's worth of messages at the rate the run achieved.
        slack = math.ceil(load["achieved_rate"] * SCRAPE_INTERVAL)

        # The load lingered until Prometheus fetched its final document.
        prom.wait_value(last('smtp_harness_run_finished{job="load",run_id="it-run"}'),
                        lambda v: v == 1, 15, "the final document was scraped")
        delivered = prom.scalar(last('smtp_harness_transactions_total{job="load",'
                                     'outcome="delivered",shard="1/1"}'))
        started = prom.scalar(last("smtp_harness_transactions_started_total"))
        self.assertLessEqual(abs(delivered - counters["delivered"]), slack)
        self.assertLessEqual(abs(started - counters["transactions_started"]), slack)
        rcpt_250 = prom.scalar(last('smtp_harness_replies_total{phase="rcpt",code="250"}'))
        self.assertLessEqual(abs(rcpt_250 - counters["recipients_accepted"]), slack)
        # The latency histogram: every transaction once (each was delivered).
        timed = prom.scalar(last('smtp_harness_latency_seconds_count{phase="transaction"}'))
        self.assertIsNotNone(timed, "the transaction latency histogram reached Prometheus")
        self.assertLessEqual(abs(timed - counters["delivered"]), slack)
        # Counters never fall back, not at the end of the run either
        # (Prometheus would read a reset, and rate() would be wrong).
        for counter in ('smtp_harness_transactions_total{outcome="delivered"}',
                        "smtp_harness_transactions_started_total",
                        'smtp_harness_replies_total{phase="rcpt",code="250"}'):
            self.assertEqual(prom.scalar(f"resets({counter}[10m])"), 0.0, counter)

        # fake-smtpd's counter against its own /api/stats, once Prometheus
        # has scraped it after the run.
        stats = fake.stats()
        accepted = prom.wait_value(
            'fake_smtpd_messages_accepted_total{job="fake-smtpd"}',
            lambda v: abs(v - stats["messages_accepted"]) <= slack, 5 * SCRAPE_INTERVAL,
            "fake-smtpd's accepted messages reached Prometheus")
        self.assertLessEqual(abs(accepted - counters["delivered"]), slack)
        self.assertEqual(prom.scalar('up{job="fake-smtpd"}'), 1.0, prom.log()[-2000:])
        fired = prom.query('fake_smtpd_rules_fired_total{job="fake-smtpd"}')
        self.assertEqual([labels["rule"] for labels, _ in fired], [HOSTILE_RULE])
        self.assertGreaterEqual(fired[0][1], counters["transactions_started"] - slack)
        mail_250 = prom.scalar('fake_smtpd_replies_total{command="MAIL",code="250"}')
        self.assertLessEqual(abs(mail_250 - counters["transactions_started"]), slack)
        print(f"\nprometheus (slack {slack}): load delivered {delivered:.0f} (result "
              f"{counters['delivered']}), started {started:.0f} (result "
              f"{counters['transactions_started']}), rcpt 250 {rcpt_250:.0f} (result "
              f"{counters['recipients_accepted']}), transaction latency count {timed:.0f}; "
              f"fake-smtpd accepted {accepted:.0f} (/api/stats {stats['messages_accepted']}), "
              f"MAIL 250 {mail_250:.0f}, rule fired {fired[0][1]:.0f}", flush=True)


class ThroughTheDrain(LoadTestCase):
    def test_counters_never_fall_back_while_the_sink_drains(self):
        """--sink with nothing routed to it: the whole --drain is spent
        waiting, and /metrics is scraped all along. The run's counters keep
        their totals through it (a document with less would be a reset)."""
        binary = require_tool(self, shutil.which("prometheus") or "prometheus", "prometheus")
        fake = self.start_fake()
        metrics_port = free_port()
        prom = Prometheus(binary, {"load": f"127.0.0.1:{metrics_port}"})
        self.addCleanup(prom.stop)
        prom.start()
        run = self.load("--target", f"127.0.0.1:{fake.smtp_port}", "--rate", 50,
                        "--duration", "2s", "--sink", "127.0.0.1:0", "--drain", "4s",
                        "--metrics", f"127.0.0.1:{metrics_port}", "--metrics-linger", "30s",
                        expect=EXIT_FAILED, timeout=90)
        counters = run.result["load"]["counters"]
        self.assertIn("drain: waiting up to", run.stderr)
        prom.wait_value(last('smtp_harness_run_finished{job="load"}'), lambda v: v == 1, 15,
                        "the final document was scraped")
        for counter in ("smtp_harness_transactions_started_total",
                        'smtp_harness_delivery_total{outcome="accepted"}'):
            self.assertEqual(prom.scalar(f"resets({counter}[10m])"), 0.0, counter)
        self.assertEqual(prom.scalar(last("smtp_harness_transactions_started_total")),
                         counters["transactions_started"])
        # Nothing arrived: every accepted pair is still pending at the end.
        self.assertEqual(prom.scalar(last("smtp_harness_delivery_pending")),
                         counters["recipients_accepted"])


class MetricsFlags(LoadTestCase):
    def test_an_address_in_use_is_a_usage_error_naming_it(self):
        fake = self.start_fake()
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen(1)
            port = busy.getsockname()[1]
            run = self.load("--target", f"127.0.0.1:{fake.smtp_port}", "--duration", "1s",
                            "--metrics", f"127.0.0.1:{port}", expect=EXIT_USAGE)
        self.assertIn(f"127.0.0.1:{port}", run.stderr)
        self.assertIn("--metrics", run.stderr)

    def test_linger_and_run_id_need_metrics(self):
        fake = self.start_fake()
        run = self.load("--target", f"127.0.0.1:{fake.smtp_port}", "--metrics-linger", "1s",
                        expect=EXIT_USAGE)
        self.assertIn("need --metrics", run.stderr)

    def test_a_run_id_that_is_not_a_plain_word_is_a_usage_error(self):
        fake = self.start_fake()
        run = self.load("--target", f"127.0.0.1:{fake.smtp_port}", "--metrics", "127.0.0.1:0",
                        "--run-id", 'a"b\xff', expect=EXIT_USAGE)
        self.assertIn("--run-id: 1 to 64 letters", run.stderr)

    def test_served_live_then_final_and_the_linger_ends_with_one_scrape(self):
        fake = self.start_fake()
        process = self.start_load("--target", f"127.0.0.1:{fake.smtp_port}", "--duration", "2s",
                                  "--connections", 2, "--metrics", "127.0.0.1:0",
                                  "--metrics-linger", "60s")
        # The bound port is in the "serving" line.
        url = None
        for _ in range(200):
            with open(os.path.join(process.tmp, "stderr"), encoding="utf-8") as f:
                found = re.search(r"serving (http://[0-9.:]+/metrics)", f.read())
            if found:
                url = found.group(1)
                break
            process._reaper.join(0.05)
        self.assertIsNotNone(url, "no 'metrics: serving' line")
        finished = 0.0
        for _ in range(400):  # bounded: 400 × 50 ms past the 2 s run
            with urllib.request.urlopen(url, timeout=5) as res:
                self.assertEqual(res.headers["Content-Type"],
                                 "text/plain; version=0.0.4; charset=utf-8")
                text = res.read().decode()
            found = re.search(r'^smtp_harness_run_finished\{[^}]*\} (\d)$', text, re.M)
            self.assertIsNotNone(found, text[:500])
            finished = float(found.group(1))
            if finished == 1:
                break
            process._reaper.join(0.05)
        self.assertEqual(finished, 1.0)
        # That scrape ended the linger long before its 60 s.
        run = process.finish(timeout=20)
        self.assertEqual(run.code, EXIT_OK, self.describe(run))
        self.assertLess(run.seconds, 30)
        delivered = re.search(r'^smtp_harness_transactions_total\{[^}]*outcome="delivered"\} (\d+)$',
                              text, re.M)
        self.assertEqual(int(delivered.group(1)), run.result["load"]["counters"]["delivered"])


if __name__ == "__main__":
    unittest.main()
