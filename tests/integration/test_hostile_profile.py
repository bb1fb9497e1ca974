"""scenarios/fake/hostile.lua: the client picks how the server breaks the
protocol by its EHLO name. Raw sockets check the exact bytes of every broken
reply (the harness's Smtp.reply() would refuse them), smtplib shows what a
real client makes of some; the API must report the rule that broke the reply
and the very bytes sent.

Every read is bounded in time and in octets: a broken server must not hang
the test either.
"""

import base64
import smtplib
import time
import unittest

from fakesmtpd import wait_until
from profiles import ProfileTestCase

FINAL_LINE = rb"(?:^|\n)\d{3} [^\n]*\n"  # a reply's last line ("ddd text")


class Hostile(ProfileTestCase):
    PROFILE = "hostile"

    def poison(self, server, name):
        """A raw client that has sent EHLO NAME; the reply is left unread."""
        c = self.client(server)
        c.send(f"EHLO {name}\r\n")
        return c

    def correct_ehlo(self, server, name):
        """The EHLO reply fake-smtpd gives a client that picked no poison,
        with `name` in place of that client's EHLO name."""
        c = self.client(server)
        reply = c.ehlo("clean.test")
        c.close()
        return reply.raw.replace(b"clean.test", name.encode())

    def sent_bytes(self, server, client):
        """Everything the session of `client` was sent, from its transcript."""
        session = server.session_of(client)
        return b"".join(base64.b64decode(e["base64"]) for e in session["transcript"]
                        if e["direction"] == "server")

    def after_greeting(self, server, client):
        sent = self.sent_bytes(server, client)
        self.assertTrue(sent.startswith(client.greeting.raw), sent[:100])
        return sent[len(client.greeting.raw):]

    def closing_mail(self, server, name):
        """EHLO NAME, then MAIL, whose answer is a close."""
        c = self.client(server)
        c.ehlo(name)
        c.send("MAIL FROM:<a@sender.test>\r\n")
        return c

    def mail_reply_line(self, server, name):
        """EHLO NAME (a correct reply), then MAIL: the raw reply line."""
        c = self.client(server)
        c.ehlo(name)
        c.send("MAIL FROM:<a@sender.test>\r\n")
        return c, c.read_until(rb"\n")

    # --- the EHLO reply is broken ---------------------------------------

    def test_blank_line(self):
        server = self.start_profile()
        correct = self.correct_ehlo(server, "blank-line.test")
        c = self.poison(server, "blank-line.test")
        data = c.read_until(FINAL_LINE)
        # The correct reply with one empty line inside it.
        self.assertEqual(data.count(b"\r\n\r\n"), 1, data)
        self.assertFalse(data.startswith(b"\r\n"))
        self.assertEqual(data.replace(b"\r\n\r\n", b"\r\n"), correct)
        self.assertTrue(c.nothing_within(0.2), c.buf)
        self.assertEqual(self.after_greeting(server, c), data)
        rule = self.assertRuleStatus(server, "blank-line", seen=1, fired=1, on=["EHLO"])
        self.assertIn("blank-line", rule["action"])
        self.assertRuleEvents(server, "blank-line", "EHLO", 1)

        # smtplib cannot parse an empty line: its reply code is -1.
        with smtplib.SMTP(server.host, server.smtp_port, timeout=10) as smtp:
            code, _ = smtp.ehlo("blank-line.test")
            self.assertEqual(code, -1)
            smtp.close()
        self.assertRuleStatus(server, "blank-line", seen=2, fired=2)

    def test_mixed_codes(self):
        server = self.start_profile()
        correct = self.correct_ehlo(server, "mixed-codes.test").split(b"\r\n")[:-1]
        c = self.poison(server, "mixed-codes.test")
        lines = c.read_until(FINAL_LINE).split(b"\r\n")[:-1]
        # The same lines and texts; only the codes differ (RFC 5321 §4.2.1
        # wants one code on every line of a reply).
        self.assertEqual(len(lines), len(correct), lines)
        self.assertEqual([l[3:] for l in lines], [l[3:] for l in correct])
        self.assertEqual(lines[0], correct[0])
        self.assertGreater(len({l[:3] for l in lines}), 1, lines)
        for line in lines:
            self.assertTrue(line[:3].isdigit(), line)
        self.assertRuleEvents(server, "mixed-codes", "EHLO", 1)

    def test_endless(self):
        server = self.start_profile()
        correct = self.correct_ehlo(server, "endless.test")
        c = self.poison(server, "endless.test")
        many = 100  # far more than any real EHLO reply
        lines = c.read_lines(many, timeout=30)
        self.assertEqual(lines[0], correct.split(b"\r\n")[0] + b"\r\n")
        for line in lines:
            self.assertTrue(line.startswith(b"250-") and line.endswith(b"\r\n"), line)
        c.close()
        # The server notices the client is gone and ends the session.
        wait_until(lambda: all(s["ended"] for s in server.sessions()["sessions"]), timeout=10,
                   what="the endless session to end after the client closed")
        rule = self.assertRuleStatus(server, "endless", seen=1, fired=1)
        self.assertIn("endless", rule["action"])
        self.assertRuleEvents(server, "endless", "EHLO", 1)

    def test_partial_then_silence(self):
        server = self.start_profile()
        correct = self.correct_ehlo(server, "partial.test")
        c = self.poison(server, "partial.test")
        self.assertEqual(c.read_exactly(5), correct[:5])
        self.assertEqual(correct[:5], b"250-f")
        self.assertTrue(c.nothing_within(0.5), c.buf)
        # The session stalls: input is read and discarded, never answered.
        c.send("NOOP\r\n")
        self.assertTrue(c.nothing_within(0.5), c.buf)
        self.assertEqual(self.after_greeting(server, c), b"250-f")
        self.assertIsNone(server.session_of(c)["ended"])
        self.assertIn("5", self.assertRuleStatus(server, "partial", seen=1, fired=1)["action"])
        self.assertRuleEvents(server, "partial", "EHLO", 1)

    def test_bare_lf(self):
        server = self.start_profile()
        correct = self.correct_ehlo(server, "bare-lf.test")
        c = self.poison(server, "bare-lf.test")
        data = c.read_until(FINAL_LINE)
        self.assertEqual(data, correct.replace(b"\r\n", b"\n"))
        self.assertRuleEvents(server, "bare-lf", "EHLO", 1)
        # smtplib splits lines on LF alone: it does not notice (RFC 5321
        # §2.3.8 forbids bare LF, but a liberal client survives it).
        with smtplib.SMTP(server.host, server.smtp_port, timeout=10) as smtp:
            code, _ = smtp.ehlo("bare-lf.test")
            self.assertEqual(code, 250)
            self.assertTrue(smtp.has_extn("pipelining"))
        self.assertRuleStatus(server, "bare-lf", seen=2, fired=2)

    def test_long_line(self):
        server = self.start_profile()
        c = self.poison(server, "long-line.test")
        data = c.read_until(FINAL_LINE, limit=1 << 16)
        lines = data.split(b"\r\n")[:-1]
        self.assertTrue(all(l.startswith(b"250") for l in lines), lines)
        self.assertGreaterEqual(max(len(l) for l in lines), 3998)  # 4000 octets with CRLF
        self.assertRuleEvents(server, "long-line", "EHLO", 1)

    # --- the session goes on, then breaks -------------------------------

    def test_drip(self):
        server = self.start_profile()
        c = self.client(server)
        c.ehlo("drip.test")  # not dripped: the EHLO reply is quick
        start = time.monotonic()
        r = c.cmd("NOOP")
        elapsed = time.monotonic() - start
        self.assertEqual(r.raw, b"250 2.0.0 Ok\r\n")
        # 14 octets at 20 a second: well over half a second, however the
        # first octets go out.
        self.assertGreaterEqual(elapsed, 0.5)
        self.assertRuleEvents(server, "drip", "NOOP", 1)

    def test_drip_smtplib_delivers_slowly(self):
        server = self.start_profile()
        start = time.monotonic()
        with smtplib.SMTP(server.host, server.smtp_port, local_hostname="drip.test",
                          timeout=30) as smtp:
            smtp.sendmail("a@sender.test", ["r@fake.test"], "Subject: drip\r\n\r\ndrip\r\n")
        elapsed = time.monotonic() - start
        (message,) = server.expect_messages(1)
        session = server.session(message["session_id"])
        sent = b"".join(base64.b64decode(e["base64"]) for e in session["transcript"]
                        if e["direction"] == "server")
        # Everything after the EHLO reply was dripped at 20 octets a second.
        dripped = sent.split(b"\r\n250 ", 1)[1].split(b"\r\n", 1)[1]
        self.assertGreater(len(dripped), 60)
        self.assertGreaterEqual(elapsed, len(dripped) / 20 / 2)
        rule = self.assertRuleStatus(server, "drip")
        self.assertIn("20", rule["action"])
        self.assertEqual(rule["fired"], rule["seen"])
        self.assertGreaterEqual(rule["fired"], 5)  # MAIL, RCPT, DATA, the dot, QUIT

    def test_no_space(self):
        server = self.start_profile()
        _, line = self.mail_reply_line(server, "no-space.test")
        self.assertEqual(line, b"2502.1.0 Sender ok\r\n")
        self.assertRuleEvents(server, "no-space", "MAIL", 1)

    def test_bad_code(self):
        server = self.start_profile()
        _, line = self.mail_reply_line(server, "bad-code.test")
        self.assertEqual(line, b"2x0 2.1.0 Sender ok\r\n")
        with smtplib.SMTP(server.host, server.smtp_port, local_hostname="bad-code.test",
                          timeout=10) as smtp:
            smtp.ehlo()
            self.assertEqual(smtp.mail("a@sender.test")[0], -1)
        self.assertRuleStatus(server, "bad-code", seen=2, fired=2)
        self.assertRuleEvents(server, "bad-code", "MAIL", 2)

    def test_code_600(self):
        server = self.start_profile()
        _, line = self.mail_reply_line(server, "code-600.test")
        # The correct reply with a code in the 6xx range, which RFC 5321
        # §4.2 does not have.
        self.assertRegex(line, rb"^6\d\d 2\.1\.0 Sender ok\r\n$")
        # smtplib takes any three digits: a sendmail fails on the 6xx.
        with smtplib.SMTP(server.host, server.smtp_port, local_hostname="code-600.test",
                          timeout=10) as smtp:
            with self.assertRaises(smtplib.SMTPSenderRefused) as caught:
                smtp.sendmail("a@sender.test", ["r@fake.test"], "Subject: x\r\n\r\nx\r\n")
            self.assertEqual(caught.exception.smtp_code, int(line[:3]))
        self.assertEqual(server.messages()["count"], 0)
        self.assertRuleEvents(server, "code-600", "MAIL", 2)

    def test_extra_reply_desynchronises_the_client(self):
        server = self.start_profile()
        c = self.client(server)
        c.ehlo("extra-reply.test")
        self.assertEqual(c.cmd("MAIL FROM:<a@sender.test>").raw, b"250 2.1.0 Ok\r\n")
        # The second copy is what a client takes for the answer to RCPT...
        self.assertEqual(c.cmd("RCPT TO:<r@fake.test>").raw, b"250 2.1.0 Ok\r\n")
        # ...while MAIL was never carried out (a rule's answer replaces the
        # command), so the real answer to RCPT is a refusal.
        self.assertEqual(c.reply().raw, b"503 5.5.1 Need MAIL command first\r\n")
        self.assertTrue(c.nothing_within(0.2))
        self.assertRuleStatus(server, "extra-reply", seen=1, fired=1)
        self.assertRuleEvents(server, "extra-reply", "MAIL", 1)

    def test_slam(self):
        server = self.start_profile()
        c = self.closing_mail(server, "slam.test")
        data, how = c.read_until_closed(timeout=10)
        self.assertEqual((data, how), (b"", "eof"))
        self.assertRuleEvents(server, "slam", "MAIL", 1)

    def test_reset(self):
        server = self.start_profile()
        c = self.closing_mail(server, "reset.test")
        data, how = c.read_until_closed(timeout=10)
        self.assertEqual((data, how), (b"", "reset"))
        self.assertRuleEvents(server, "reset", "MAIL", 1)

    def test_stall(self):
        server = self.start_profile()
        c = self.client(server)
        c.ehlo("stall.test")
        c.send("MAIL FROM:<a@sender.test>\r\n")
        self.assertTrue(c.nothing_within(1.0), c.buf)
        c.send("NOOP\r\nQUIT\r\n")
        self.assertTrue(c.nothing_within(0.5), c.buf)
        sid = server.session_of(c)["id"]
        self.assertIsNone(server.session(sid)["ended"])
        self.assertRuleEvents(server, "stall", "MAIL", 1)
        c.close()
        wait_until(lambda: server.session(sid)["ended"], timeout=10,
                   what="the stalled session to end after the client closed")

    # --- no poison, no harm ---------------------------------------------

    def test_a_client_without_poison_is_served_correctly(self):
        server = self.start_profile()
        with smtplib.SMTP(server.host, server.smtp_port, local_hostname="clean.test",
                          timeout=10) as smtp:
            self.assertEqual(smtp.sendmail("a@sender.test", ["r@fake.test"],
                                           "Subject: clean\r\n\r\nclean\r\n"), {})
        server.expect_messages(1)
        rules = server.rules()["rules"]
        self.assertEqual(len(rules), 14)
        self.assertEqual([r["fired"] for r in rules], [0] * 14)
        self.assertEqual(server.stats()["rules_fired"], 0)


if __name__ == "__main__":
    unittest.main()
