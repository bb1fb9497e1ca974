"""The fault-injection profiles of scenarios/fake/ against real
clients, Python's smtplib and swaks. Every test checks both sides: what the
client saw, and what fake-smtpd's HTTP API reports (stored messages, the
counters of GET /api/rules, the transcript events naming each rule).

The malformed replies of hostile.lua are in test_hostile_profile.py; rules
given at run time, `select`, bad profiles and hooks in test_rules_api.py.

Retrying clients back off in loops bounded in attempts and in time; no test
asserts an upper bound on time, only lower bounds where a delay is the point.
"""

import smtplib
import ssl
import time
import unittest

from fakesmtpd import unverified_tls
from profiles import ProfileTestCase

RETRY_DEADLINE = 10.0  # seconds a retrying client keeps trying
RETRY_BACKOFF = 0.2
MAX_ATTEMPTS = 100


def message_text(subject, body="fault profile body\r\n"):
    return f"Subject: {subject}\r\n\r\n{body}"


def smtp_client(server, helo="client.test"):
    return smtplib.SMTP(server.host, server.smtp_port, local_hostname=helo, timeout=10)


class Greylist(ProfileTestCase):
    PROFILE = "greylist"
    DELAY = 1.0  # greylist.lua's delay
    SENDER = "queue@sender.test"
    RCPT = "user@fake.test"
    DEFERRAL = (450, b"4.7.1 Greylisted, try again later")

    def attempt(self, server, rcpt=None):
        """One delivery attempt on a new connection, as an MTA's queue runner
        makes it: the RCPT's (code, text), or (250, b"") when delivered."""
        rcpt = rcpt or self.RCPT
        with smtp_client(server, helo="grey.test") as smtp:
            try:
                smtp.sendmail(self.SENDER, [rcpt], message_text("greylisted"))
            except smtplib.SMTPRecipientsRefused as e:
                return e.recipients[rcpt]
        return (250, b"")

    def retry_until_accepted(self, server, start):
        """Retries with a small backoff until delivered; returns the number
        of deferrals seen on the way."""
        deferred = 0
        deadline = start + RETRY_DEADLINE
        for _ in range(MAX_ATTEMPTS):
            if time.monotonic() > deadline:
                break
            time.sleep(RETRY_BACKOFF)
            result = self.attempt(server)
            if result[0] == 250:
                return deferred
            self.assertEqual(result, self.DEFERRAL)
            deferred += 1
        self.fail(f"still greylisted {RETRY_DEADLINE}s after the first attempt")

    def test_smtplib_is_deferred_then_accepted_after_the_delay(self):
        server = self.start_profile()
        start = time.monotonic()
        self.assertEqual(self.attempt(server), self.DEFERRAL)
        retry = self.attempt(server)
        # The server saw the first RCPT after `start`: a retry that ended
        # before start + delay was certainly too early to pass.
        if time.monotonic() - start < self.DELAY:
            self.assertEqual(retry, self.DEFERRAL, "a retry before the delay must be deferred")
        deferred = 1
        if retry == self.DEFERRAL:
            deferred += 1 + self.retry_until_accepted(server, start)
        else:
            self.assertEqual(retry, (250, b""))
        self.assertGreaterEqual(time.monotonic() - start, self.DELAY)
        (message,) = server.expect_messages(1)
        self.assertEqual((message["from"], message["to"]), (self.SENDER, [self.RCPT]))

        # A triplet that passed passes at once; a new recipient is a new triplet.
        self.assertEqual(self.attempt(server), (250, b""))
        self.assertEqual(self.attempt(server, rcpt="other@fake.test"), self.DEFERRAL)
        server.expect_messages(2)

        rules = server.rules()
        self.assertEqual(rules["rules"], [])
        # Like a rule's, the greylist's source is where greylist { } begins.
        with open(self.profile, encoding="utf-8") as f:
            line = f.read().splitlines().index("greylist {") + 1
        self.assertEqual(rules["greylist"], {
            "delay_ms": 1000, "expire_ms": 4 * 3600 * 1000, "entries": 2, "passed": 1,
            "deferred_total": deferred + 1, "passed_total": 2, "source": f"{self.profile}:{line}"})
        self.assertEqual(server.stats()["greylist_deferred"], deferred + 1)

        events = [t for texts in server.all_events().values() for t in texts
                  if t.startswith("greylist: ")]
        triplet = f"(127.0.0.1, {self.SENDER}, {self.RCPT})"
        deferrals = [t for t in events if t.startswith(f"greylist: deferred {triplet}, retry in ")]
        self.assertEqual(len(deferrals), deferred)
        # "retry in Ns", N in seconds with at most one decimal.
        for text in deferrals:
            self.assertRegex(text, r", retry in \d+(\.\d)?s$")
        self.assertEqual(events.count(f"greylist: passed {triplet}"), 2)
        # A new triplet waits the whole delay.
        (fresh,) = [t for t in events if "other@fake.test" in t]
        self.assertRegex(fresh, r"^greylist: deferred \(127\.0\.0\.1, queue@sender\.test, "
                                r"other@fake\.test\), retry in 1(\.0)?s$")

    def test_swaks_is_deferred_then_delivers(self):
        server = self.start_profile()
        start = time.monotonic()
        args = ("--from", self.SENDER, "--to", self.RCPT, "--body", "swaks greylisted")
        out = self.run_swaks(server, *args, expect_rc=24)  # 24: no RCPT accepted
        self.assertRegex(out, r"<\*\* +450 4\.7\.1 Greylisted, try again later")
        self.assertEqual(server.messages()["count"], 0)
        deferred = 1
        result = None
        for _ in range(MAX_ATTEMPTS):
            if time.monotonic() > start + RETRY_DEADLINE:
                break
            time.sleep(RETRY_BACKOFF)
            result = self.swaks_process(server, *args)
            if result.returncode == 0:
                break
            self.assertEqual(result.returncode, 24, result.stdout)
            deferred += 1
        self.assertEqual(result.returncode, 0, f"still greylisted:\n{result.stdout}")
        self.assertRegex(result.stdout, r"<- +250 2\.1\.5 ")
        (message,) = server.expect_messages(1)
        self.assertEqual(message["helo"], "swaks.test")
        greylist = server.rules()["greylist"]
        self.assertEqual((greylist["deferred_total"], greylist["passed_total"]), (deferred, 1))


class RateLimited(ProfileTestCase):
    PROFILE = "rate-limited"
    REFUSAL_TEXT = b"Too many messages, slow down"

    def send(self, smtp, i):
        smtp.sendmail("fast@sender.test", [f"r{i}@fake.test"], message_text(f"quick {i}"))

    def test_quick_messages_get_421_then_pass_after_the_refill(self):
        server = self.start_profile()
        accepted, refusals, mails = 0, 0, 0
        refused = None
        with smtp_client(server, helo="fast.test") as smtp:
            for i in range(50):
                mails += 1
                try:
                    self.send(smtp, i)
                except smtplib.SMTPSenderRefused as e:
                    refused = e
                    break
                accepted += 1
        self.assertIsNotNone(refused, "50 quick messages and no rate limit")
        refusals += 1
        self.assertEqual(refused.smtp_code, 421, refused)
        self.assertIn(b"4.7.0", refused.smtp_error)
        self.assertIn(self.REFUSAL_TEXT, refused.smtp_error)
        # 421 carries the server's name (RFC 5321 §4.2) and closes (§3.8).
        self.assertIn(b"fake-smtpd.test", refused.smtp_error)
        self.assertGreaterEqual(accepted, 3, "the bucket starts full: a burst of 3 passes")

        start = time.monotonic()
        delivered = False
        for i in range(MAX_ATTEMPTS):
            if time.monotonic() > start + RETRY_DEADLINE:
                break
            time.sleep(RETRY_BACKOFF)
            mails += 1
            try:
                with smtp_client(server, helo="fast.test") as smtp:
                    self.send(smtp, 100 + i)
            except smtplib.SMTPSenderRefused as e:
                self.assertEqual(e.smtp_code, 421, e)
                refusals += 1
                continue
            delivered = True
            break
        self.assertTrue(delivered, f"still rate limited {RETRY_DEADLINE}s later")

        self.assertEqual(server.messages()["count"], accepted + 1)
        self.assertRuleStatus(server, "rate-limit", seen=mails, fired=refusals, remaining=None,
                              keys=1, on=["MAIL"], index=1,
                              action="reply 421 4.7.0 Too many messages, slow down")
        self.assertRuleEvents(server, "rate-limit", "MAIL", refusals)
        stats = server.stats()
        self.assertEqual(stats["rules_fired"], refusals)
        self.assertEqual(stats["replies"].get("421"), refusals)
        self.assertEqual(stats["active_sessions"], 0)


class FlakyRelay(ProfileTestCase):
    PROFILE = "flaky-relay"
    MESSAGES = 30

    def run_client(self, seed):
        """The same client behaviour against a fresh server: MESSAGES
        messages of two recipients each, a new connection after every 421.
        Returns the (phase, code) of every reply, and the API's view."""
        server = self.start_profile("--seed", str(seed))
        outcomes = []
        smtp = None
        try:
            for i in range(self.MESSAGES):
                if smtp is None:
                    smtp = smtp_client(server, helo="flaky.test")
                    self.assertEqual(smtp.ehlo()[0], 250)
                code, _ = smtp.mail(f"s{i}@sender.test")
                outcomes.append(("MAIL", code))
                if code == 421:
                    smtp.close()
                    smtp = None
                    continue
                self.assertEqual(code, 250)
                accepted = 0
                for rcpt in (f"a{i}@fake.test", f"b{i}@fake.test"):
                    code, _ = smtp.rcpt(rcpt)
                    outcomes.append(("RCPT", code))
                    accepted += code == 250
                if accepted == 0:
                    self.assertEqual(smtp.rset()[0], 250)
                    continue
                code, _ = smtp.data(message_text(f"flaky {i}"))
                outcomes.append((".", code))
            if smtp is not None:
                smtp.quit()
        finally:
            if smtp is not None:
                smtp.close()

        self.assertLessEqual(set(outcomes), {("MAIL", 250), ("MAIL", 421), ("RCPT", 250),
                                             ("RCPT", 451), (".", 250)})
        self.assertEqual(server.ports["seed"], seed)
        rules = server.rules()
        self.assertEqual(rules["seed"], seed)
        self.assertEqual(server.stats()["seed"], seed)
        rcpt_rule = self.assertRuleStatus(server, "flaky-rcpt",
                                          seen=sum(p == "RCPT" for p, _ in outcomes),
                                          fired=outcomes.count(("RCPT", 451)))
        mail_rule = self.assertRuleStatus(server, "flaky-drop",
                                          seen=sum(p == "MAIL" for p, _ in outcomes),
                                          fired=outcomes.count(("MAIL", 421)))
        self.assertRuleEvents(server, "flaky-rcpt", "RCPT", rcpt_rule["fired"])
        self.assertRuleEvents(server, "flaky-drop", "MAIL", mail_rule["fired"])
        self.assertEqual(server.messages()["count"], outcomes.count((".", 250)))
        api_view = [(r["name"], r["seen"], r["fired"]) for r in rules["rules"]]
        return outcomes, api_view

    def test_same_seed_same_run_other_seed_other_run(self):
        first, first_api = self.run_client(42)
        again, again_api = self.run_client(42)
        self.assertEqual(first, again)
        self.assertEqual(first_api, again_api)
        # Seed 42 exercises both faults within 30 messages.
        self.assertIn(("RCPT", 451), first)
        self.assertIn(("MAIL", 421), first)
        other, _ = self.run_client(7)
        self.assertNotEqual(first, other)


class MailboxFull(ProfileTestCase):
    PROFILE = "mailbox-full"

    def test_swaks_full_mailbox_is_refused_at_rcpt(self):
        server = self.start_profile()
        out = self.run_swaks(server, "--from", "a@sender.test", "--to", "full1@fake.test",
                             expect_rc=24)
        self.assertRegex(out, r"<\*\* +452 4\.2\.2 Mailbox full, try again later")
        self.assertEqual(server.messages()["count"], 0)
        self.assertRuleStatus(server, "mailbox-full", seen=1, fired=1, on=["RCPT"])
        self.assertRuleStatus(server, "over-quota", seen=0, fired=0, on=["."])
        self.assertRuleEvents(server, "mailbox-full", "RCPT", 1)

    def test_swaks_over_quota_is_refused_after_the_dot(self):
        server = self.start_profile()
        out = self.run_swaks(server, "--from", "a@sender.test", "--to", "quota7@fake.test",
                             "--body", "over quota", expect_rc=26)  # 26: refused after data
        self.assertRegex(out, r"<\*\* +552 5\.2\.2 Mailbox over quota")
        self.assertEqual(server.messages()["count"], 0)
        self.assertEqual(server.stats()["messages_refused"], 1)
        self.assertRuleStatus(server, "over-quota", seen=1, fired=1)
        self.assertRuleEvents(server, "over-quota", ".", 1)

    def test_smtplib_delivers_to_the_others(self):
        server = self.start_profile()
        with smtp_client(server) as smtp:
            refused = smtp.sendmail("a@sender.test", ["full@fake.test", "ok@fake.test"],
                                    message_text("partly full"))
            self.assertEqual(refused, {"full@fake.test": (452, b"4.2.2 Mailbox full, try again "
                                                                b"later")})
            # One quota recipient refuses the whole message: one reply per message.
            with self.assertRaises(smtplib.SMTPDataError) as caught:
                smtp.sendmail("a@sender.test", ["ok@fake.test", "QUOTA@fake.test"],
                              message_text("over quota"))
            self.assertEqual(caught.exception.smtp_code, 552)
            self.assertEqual(caught.exception.smtp_error, b"5.2.2 Mailbox over quota")
            # The session goes on.
            self.assertEqual(smtp.noop()[0], 250)
        (message,) = server.expect_messages(1)
        self.assertEqual(message["to"], ["ok@fake.test"])
        self.assertRuleStatus(server, "mailbox-full", seen=1, fired=1)
        # The first message had no quota*@ recipient: `to` did not hold at
        # its dot, so the rule counted only the second.
        self.assertRuleStatus(server, "over-quota", seen=1, fired=1)
        self.assertEqual(server.stats()["rules_fired"], 2)


class TooManyRecipients(ProfileTestCase):
    PROFILE = "too-many-recipients"
    REFUSAL = (452, b"4.5.3 Too many recipients, send the rest in another transaction")

    def test_smtplib_sends_the_rest_in_a_second_transaction(self):
        server = self.start_profile()
        recipients = [f"r{i}@fake.test" for i in range(1, 6)]
        with smtp_client(server) as smtp:
            refused = smtp.sendmail("list@sender.test", recipients, message_text("five"))
            self.assertEqual(refused, {"r4@fake.test": self.REFUSAL,
                                       "r5@fake.test": self.REFUSAL})
            # RFC 5321 §4.5.3.1.10: the rest go in another transaction, and
            # the hook's count (session.to) starts again.
            self.assertEqual(smtp.sendmail("list@sender.test", sorted(refused),
                                           message_text("the rest")), {})
        first, second = server.expect_messages(2)
        self.assertEqual(first["to"], recipients[:3])
        self.assertEqual(second["to"], recipients[3:])

        rules = server.rules()
        self.assertEqual((rules["rules"], rules["greylist"]), ([], None))
        self.assertEqual(rules["hooks"], ["on_rcpt"])
        events = server.events(first["session_id"])
        hook_events = [t for t in events if t.startswith("hook on_rcpt")]
        self.assertEqual(len(hook_events), 2, events)
        for text in hook_events:
            self.assertTrue(text.startswith("hook on_rcpt: "), text)
            self.assertIn("452 4.5.3 Too many recipients", text)
        stats = server.stats()
        self.assertEqual(stats["hook_errors"], 0)
        self.assertEqual(stats["replies"].get("452"), 2)

    def test_swaks_with_four_recipients(self):
        server = self.start_profile()
        out = self.run_swaks(server, "--from", "list@sender.test", "--to",
                             "a@fake.test,b@fake.test,c@fake.test,d@fake.test")
        self.assertRegex(out, r"<\*\* +452 4\.5\.3 Too many recipients")
        (message,) = server.expect_messages(1)
        self.assertEqual(message["to"], ["a@fake.test", "b@fake.test", "c@fake.test"])


class Tarpit(ProfileTestCase):
    PROFILE = "tarpit"
    GREETING_DELAY = 1.0
    REPLY_DELAY = 0.3
    # Timers never fire early; the margin only absorbs clock rounding.
    MARGIN = 0.02

    def test_raw_greeting_waits(self):
        server = self.start_profile()
        start = time.monotonic()
        c = self.client(server)  # reads the greeting
        self.assertGreaterEqual(time.monotonic() - start, self.GREETING_DELAY - self.MARGIN)
        start = time.monotonic()
        self.assertReply(c.cmd("NOOP"), 250)
        self.assertGreaterEqual(time.monotonic() - start, self.REPLY_DELAY - self.MARGIN)
        self.assertRuleStatus(server, "slow-greeting", seen=1, fired=1, on=["connect"])
        self.assertRuleStatus(server, "slow-replies", seen=1, fired=1, on=["*", "."])
        self.assertEqual(len(self.rule_events(server, "slow-greeting")), 1)
        self.assertEqual(len(self.rule_events(server, "slow-replies")), 1)

    def test_smtplib_message_is_slow_but_delivered(self):
        server = self.start_profile()
        start = time.monotonic()
        with smtp_client(server, helo="patient.test") as smtp:
            smtp.sendmail("slow@sender.test", ["r@fake.test"], message_text("tarpit"))
        elapsed = time.monotonic() - start
        (message,) = server.expect_messages(1)
        self.assertEqual(message["helo"], "patient.test")
        # EHLO, MAIL, RCPT, DATA, the dot and QUIT: each waited for its delay,
        # one after the other (smtplib does not pipeline).
        replies = self.assertRuleStatus(server, "slow-replies")
        self.assertEqual(replies["fired"], replies["seen"])
        self.assertGreaterEqual(replies["fired"], 6)
        self.assertGreaterEqual(elapsed, self.GREETING_DELAY + replies["fired"] * self.REPLY_DELAY
                                - self.MARGIN)
        self.assertRuleEvents(server, "slow-greeting", "connect", 1)
        on = sorted(text.split(" fired on ")[1].split(":")[0]
                    for _, text in self.rule_events(server, "slow-replies"))
        self.assertEqual(len(on), replies["fired"])
        for verb in ("EHLO", "MAIL", "RCPT", "DATA", ".", "QUIT"):
            self.assertIn(verb, on)


class DyingServer(ProfileTestCase):
    PROFILE = "dying-server"

    def test_third_message_kills_the_server(self):
        server = self.start_profile()
        bystander = self.client(server)  # a session open before the death
        bystander.ehlo("bystander.test")
        with smtp_client(server, helo="victim.test") as smtp:
            for i in range(2):
                self.assertEqual(smtp.sendmail("a@sender.test", ["r@fake.test"],
                                               message_text(f"before death {i}")), {})
            with self.assertRaises(smtplib.SMTPDataError) as caught:
                smtp.sendmail("a@sender.test", ["r@fake.test"], message_text("the last"))
        self.assertEqual(caught.exception.smtp_code, 421)
        self.assertIn(b"4.3.2 ", caught.exception.smtp_error)
        self.assertIn(b"Shutting down, closing connection", caught.exception.smtp_error)

        # Dead: new connections get a 421 greeting, open sessions a 421 reply.
        with self.assertRaises(smtplib.SMTPConnectError) as caught:
            smtp_client(server)
        self.assertEqual(caught.exception.smtp_code, 421)
        self.assertIn(b"Service not available", caught.exception.smtp_error)
        self.run_swaks(server, "--to", "r@fake.test", expect_rc=21)  # 21: bad banner
        r = bystander.cmd("NOOP")
        self.assertReply(r, 421)
        self.assertEqual(bystander.read_until_closed()[1], "eof")

        self.assertEqual(server.messages()["count"], 2)
        self.assertRuleStatus(server, "die", seen=3, fired=1, remaining=None, on=["."])
        self.assertRuleStatus(server, "dead", fired=2, on=["connect"])
        self.assertRuleStatus(server, "dead-sessions", fired=1)
        (die_event,) = self.assertRuleEvents(server, "die", ".", 1)
        self.assertEqual(server.session(die_event[0])["helo"], "victim.test")
        self.assertRuleEvents(server, "dead", "connect", 2)
        self.assertRuleEvents(server, "dead-sessions", "NOOP", 1)
        stats = server.stats()
        self.assertEqual(stats["messages_accepted"], 2)
        self.assertEqual(stats["replies"].get("421"), 4)

        # DELETE /api/rules brings it back to life.
        server.delete_rules()
        with smtp_client(server) as smtp:
            self.assertEqual(smtp.sendmail("a@sender.test", ["r@fake.test"],
                                           message_text("resurrected")), {})
        server.expect_messages(3)


class TlsBroken(ProfileTestCase):
    PROFILE = "tls-broken"

    def assertHandshakeFailure(self, error):
        self.assertIsInstance(error, ssl.SSLError)
        self.assertIn("HANDSHAKE_FAILURE", error.reason or "", error)

    def test_smtplib_starttls_gets_a_handshake_failure(self):
        server = self.start_profile()
        with smtp_client(server, helo="tls.test") as smtp:
            self.assertEqual(smtp.ehlo()[0], 250)
            self.assertTrue(smtp.has_extn("starttls"))
            with self.assertRaises(ssl.SSLError) as caught:
                smtp.starttls(context=unverified_tls())
            self.assertHandshakeFailure(caught.exception)
            smtp.close()
        self.assertEqual(server.messages()["count"], 0)
        rule = self.assertRuleStatus(server, "broken-tls", seen=1, fired=1, on=["tls"])
        self.assertIn("alert", rule["action"])
        self.assertRuleEvents(server, "broken-tls", "tls", 1)
        stats = server.stats()
        self.assertEqual(stats["tls_failures"], 1)
        self.assertEqual(stats["tls_handshakes"], 0)

    def test_implicit_tls_port_fails_too(self):
        server = self.start_profile()
        with self.assertRaises(ssl.SSLError) as caught:
            smtplib.SMTP_SSL(server.host, server.smtps_port, timeout=10,
                             context=unverified_tls())
        self.assertHandshakeFailure(caught.exception)
        self.assertRuleEvents(server, "broken-tls", "tls", 1)
        (session,) = server.sessions()["sessions"]
        self.assertTrue(session["implicit_tls"])

    def test_swaks_tls_fails(self):
        server = self.start_profile()
        self.run_swaks(server, "--tls", "--to", "r@fake.test", expect_rc=29)  # 29: TLS error
        self.assertEqual(server.messages()["count"], 0)
        self.assertRuleStatus(server, "broken-tls", fired=1)
        (event,) = self.assertRuleEvents(server, "broken-tls", "tls", 1)
        self.assertEqual(server.session(event[0])["helo"], "swaks.test")
        # Without TLS the same server delivers: only the handshake is broken.
        self.run_swaks(server, "--to", "r@fake.test")
        server.expect_messages(1)


if __name__ == "__main__":
    unittest.main()
