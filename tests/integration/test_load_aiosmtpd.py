"""smtp-harness load against Debian's aiosmtpd, a real third-party server
(aiosmtpd_server.py runs it): the closed and open models, STARTTLS with
AUTH, refusals counted by phase and code, and a server without PIPELINING.
The server's own counts (its handler's) must equal the harness's.
"""

import smtplib
import unittest

from loadharness import EXIT_FAILED, LoadTestCase
from loadresult import cell, phase_total, replies, reply_count

CREDENTIALS = ("carol", "s3cret-carol")


class Models(LoadTestCase):
    def test_closed_model(self):
        server = self.start_aiosmtpd()
        run = self.load("--target", server.target, "--connections", 4, "--messages", 200,
                        "--threads", 2, "-q")
        self.assertValid(run.result)
        load = run.result["load"]
        c = load["counters"]
        self.assertEqual((c["transactions_started"], c["delivered"], c["failed"]), (200, 200, 0))
        stats = server.stats()
        self.assertEqual(stats["messages"], 200)
        self.assertEqual(stats["recipients"], c["recipients_accepted"])
        # aiosmtpd sends no enhanced status codes on these replies.
        self.assertEqual(replies(load), {
            ("banner", 220, None): 4,
            ("ehlo", 250, None): 4,
            ("mail", 250, None): 200,
            ("rcpt", 250, None): 200,
            ("data", 354, None): 200,
            ("end_of_data", 250, None): 200,
            ("quit", 221, None): 4,
        })
        self.assertEqual(cell(load, "end_of_data", "2xx")["count"], 200)

    def test_open_model(self):
        server = self.start_aiosmtpd()
        run = self.load("--target", server.target, "--rate", 200, "--duration", "1s",
                        "--connections", 16, "--threads", 2, "-q")
        load = run.result["load"]
        c = load["counters"]
        self.assertEqual(load["target_rate"], 200)
        self.assertAlmostEqual(c["transactions_started"], 200, delta=4)
        self.assertAlmostEqual(load["achieved_rate"], 200, delta=4)
        self.assertEqual(c["dropped_starts"], 0)
        self.assertEqual(c["delivered"], c["transactions_started"])
        self.assertEqual(server.stats()["messages"], c["delivered"])
        self.assertSeriesAddUp(load)


class StarttlsAuth(LoadTestCase):
    def test_starttls_and_auth(self):
        user, password = CREDENTIALS
        server = self.start_aiosmtpd(starttls=True, user=f"{user}:{password}")
        run = self.load("--target", server.target, "--tls", "starttls", "--auth",
                        f"{user}:{password}", "--connections", 4, "--messages", 100,
                        "--threads", 2, "-q")
        load = run.result["load"]
        c = load["counters"]
        self.assertEqual(c["delivered"], 100)
        stats = server.stats()
        self.assertEqual(stats["messages"], 100)
        self.assertEqual(stats["auth_ok"], c["connections_opened"])
        self.assertEqual(stats["auth_failed"], 0)
        opened = c["connections_opened"]
        self.assertEqual(phase_total(load, "starttls"), opened)
        self.assertEqual(reply_count(load, "auth", 235, "2.7.0"), opened)
        self.assertEqual(cell(load, "tls_handshake", "2xx")["count"], opened)
        for text in (run.stdout, run.stderr, str(run.result)):
            self.assertNotIn(password, text)

    def test_wrong_password(self):
        user, password = CREDENTIALS
        server = self.start_aiosmtpd(starttls=True, user=f"{user}:{password}")
        run = self.load("--target", server.target, "--tls", "starttls", "--auth",
                        f"{user}:wrong-{password}", "--connections", 2, "--duration", "1s",
                        "--threads", 2, "-q", expect=EXIT_FAILED)
        self.assertIn("no transaction could start", run.stderr)
        load = run.result["load"]
        stats = server.stats()
        self.assertEqual(stats["messages"], 0)
        self.assertGreater(stats["auth_failed"], 0)
        self.assertEqual(load["errors"]["auth"], stats["auth_failed"])
        self.assertEqual(reply_count(load, "auth", 535, "5.7.8"), stats["auth_failed"])
        self.assertEqual(load["counters"]["transactions_started"], 0)


class Refusals(LoadTestCase):
    """The handler refuses every third RCPT (451) and every fourth message
    at its end of data (550), and counts what it refused."""

    def test_refusals_by_phase_and_code(self):
        server = self.start_aiosmtpd(rcpt_every="3:451 4.3.0 Try later",
                                     data_every="4:550 5.7.1 Rejected")
        run = self.load("--target", server.target, "--connections", 3, "--messages", 120,
                        "--threads", 2, "-q")
        load = run.result["load"]
        c = load["counters"]
        stats = server.stats()
        deferred = stats["rcpt_replies"].get("451 4.3.0 Try later", 0)
        rejected = stats["data_replies"].get("550 5.7.1 Rejected", 0)
        self.assertEqual(deferred, 40)
        self.assertEqual(rejected, 20)  # every fourth of the 80 messages with a recipient
        self.assertEqual(reply_count(load, "rcpt", 451, "4.3.0"), deferred)
        self.assertEqual(reply_count(load, "end_of_data", 550, "5.7.1"), rejected)
        self.assertEqual((c["refused_4xx"], c["refused_5xx"]), (deferred, rejected))
        self.assertEqual((load["errors"]["4xx"], load["errors"]["5xx"]), (deferred, rejected))
        self.assertEqual(c["delivered"], stats["messages"])
        self.assertEqual(c["delivered"] + c["refused_4xx"] + c["refused_5xx"], 120)


class NoPipelining(LoadTestCase):
    """aiosmtpd does not offer PIPELINING (RFC 2920), so the client must wait
    for each reply: after a refused RCPT it sends no DATA at all, where a
    pipelined batch would have carried one."""

    def test_server_does_not_offer_pipelining(self):
        server = self.start_aiosmtpd()
        with smtplib.SMTP("127.0.0.1", server.port, timeout=10) as client:
            client.ehlo("probe.test")
            self.assertFalse(client.has_extn("pipelining"), client.esmtp_features)

    def test_one_command_at_a_time(self):
        server = self.start_aiosmtpd(rcpt_every="2:451 4.3.0 Try later")
        run = self.load("--target", server.target, "--connections", 2, "--messages", 100,
                        "--threads", 2, "-q")
        load = run.result["load"]
        self.assertEqual(load["settings"]["pipelining"], True)  # allowed, not offered
        deferred = server.stats()["rcpt_replies"]["451 4.3.0 Try later"]
        self.assertEqual(deferred, 50)
        self.assertEqual(reply_count(load, "rcpt", 451, "4.3.0"), deferred)
        # DATA only for the transactions with a recipient, and every one got 354.
        self.assertEqual(phase_total(load, "data"), 100 - deferred)
        self.assertEqual(reply_count(load, "data", 354), 100 - deferred)
        self.assertEqual(load["counters"]["delivered"], server.stats()["messages"])
        self.assertEqual(load["counters"]["delivered"], 100 - deferred)


if __name__ == "__main__":
    unittest.main()
