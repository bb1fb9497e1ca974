"""Protocol edges over a raw socket: pipelining, BDAT, SIZE, SMTP smuggling
look-alikes, limits, AUTH errors, the STARTTLS injection (CVE-2011-0411),
--disable and the transcript API. Every reply is checked by code, enhanced
code and order; "nothing else was answered" is proved by a NOOP whose 250 Ok
must be the very next reply."""

import base64
import json
import re
import socket
import time
import unittest

from fakesmtpd import ServerTestCase, plain_b64, unverified_tls

RECEIVED_BLOCK = re.compile(rb"^Received: [^\r\n]*\r\n(?:\t[^\r\n]*\r\n)*")
OK = b"250 2.0.0 Ok\r\n"


class EdgeCase(ServerTestCase):

    def open_transaction(self, c, sender="sender@a.test", rcpts=("rcpt@b.test",)):
        self.assertReply(c.cmd(f"MAIL FROM:<{sender}>"), 250, "2.1.0")
        for r in rcpts:
            self.assertReply(c.cmd(f"RCPT TO:<{r}>"), 250, "2.1.5")

    def assertNextIsNoop(self, c):
        """The next reply is the one to this NOOP: nothing else was pending."""
        r = c.cmd("NOOP")
        self.assertEqual(r.raw, OK)

    def content_of(self, server, mid):
        raw = server.raw(mid)
        m = RECEIVED_BLOCK.match(raw)
        self.assertIsNotNone(m, raw[:200])
        return raw[m.end():]


class Pipelining(EdgeCase):

    def test_four_replies_in_order(self):
        server = self.start_server()
        c = self.client(server)
        self.assertIn("PIPELINING", c.keywords(c.ehlo()))
        c.send(b"MAIL FROM:<a@b.test>\r\nRCPT TO:<good@c.test>\r\n"
               b"RCPT TO:<u@exa_mple.com>\r\nDATA\r\n")
        replies = c.replies(4)
        self.assertEqual([r.code for r in replies], [250, 250, 501, 354])
        self.assertEqual(replies[2].raw, b"501 5.1.3 Bad recipient address syntax\r\n")
        self.assertTrue(c.nothing_within(0.1))
        c.send(b"Subject: p\r\n\r\npipelined\r\n.\r\n")
        self.assertReply(c.reply(), 250, "2.0.0")
        (m,) = server.expect_messages(1)
        self.assertEqual(m["to"], ["good@c.test"])
        self.assertEqual(self.content_of(server, m["id"]), b"Subject: p\r\n\r\npipelined\r\n")

    def test_whole_transaction_in_one_write(self):
        server = self.start_server()
        c = self.client(server)
        c.send(b"EHLO one.test\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<x@c.test>\r\n"
               b"RCPT TO:<y@c.test>\r\nDATA\r\n")
        codes = [r.code for r in c.replies(5)]
        self.assertEqual(codes, [250, 250, 250, 250, 354])
        c.send(b"one write\r\n..dot stuffed\r\n.\r\nNOOP\r\nQUIT\r\n")
        self.assertReply(c.reply(), 250, "2.0.0")
        self.assertEqual(c.reply().raw, OK)
        self.assertEqual(c.reply().raw, b"221 2.0.0 Bye\r\n")
        data, _ = c.read_until_closed(timeout=5)
        self.assertEqual(data, b"")
        (m,) = server.expect_messages(1)
        self.assertEqual(m["to"], ["x@c.test", "y@c.test"])
        self.assertEqual(self.content_of(server, m["id"]), b"one write\r\n.dot stuffed\r\n")


class Utf8(EdgeCase):

    def test_smtputf8_addresses(self):
        # RFC 6531: UTF-8 addresses need the SMTPUTF8 parameter on MAIL.
        server = self.start_server()
        c = self.client(server)
        self.assertIn("SMTPUTF8", c.keywords(c.ehlo()))
        self.assertReply(c.cmd("MAIL FROM:<jürgen@bücher.test>".encode()), 553, "5.6.7")
        self.assertReply(c.cmd("MAIL FROM:<jürgen@bücher.test> SMTPUTF8".encode()), 250)
        self.assertReply(c.cmd("RCPT TO:<δοκιμή@παράδειγμα.test>".encode()), 250)
        self.assertReply(c.cmd("DATA"), 354)
        c.send("Subject: ünïcödé\r\n\r\nkörper\r\n.\r\n".encode())
        self.assertReply(c.reply(), 250)
        (m,) = server.expect_messages(1)
        self.assertEqual(m["from"], "jürgen@bücher.test")
        self.assertEqual(m["to"], ["δοκιμή@παράδειγμα.test"])
        self.assertTrue(m["smtputf8"])
        self.assertEqual(m["mail_params"], {"SMTPUTF8": True})
        self.assertEqual(self.content_of(server, m["id"]),
                         "Subject: ünïcödé\r\n\r\nkörper\r\n".encode())


class Chunking(EdgeCase):

    def test_bdat_payload_is_never_read_as_commands(self):
        server = self.start_server()
        c = self.client(server)
        self.assertIn("CHUNKING", c.keywords(c.ehlo()))
        self.open_transaction(c)
        p1 = b"Subject: bdat\r\n\r\nchunk one\r\n.\r\nMAIL FROM:<x@y>\r\n"
        p2 = b"chunk two: bare \n and \r and NUL \0 and\r\n.\r\nRCPT TO:<z@w>\r\nQUIT\r\n"
        c.send(b"BDAT %d\r\n%sBDAT %d\r\n%sBDAT 0 LAST\r\n" % (len(p1), p1, len(p2), p2))
        replies = c.replies(3)
        self.assertEqual(replies[0].raw, b"250 2.0.0 %d octets received\r\n" % len(p1))
        self.assertEqual(replies[1].raw, b"250 2.0.0 %d octets received\r\n" % len(p2))
        self.assertReply(replies[2], 250, "2.0.0")
        self.assertIn("queued as", replies[2].text)
        self.assertNextIsNoop(c)
        (m,) = server.expect_messages(1)
        self.assertTrue(m["chunking"])
        self.assertEqual(m["from"], "sender@a.test")
        self.assertEqual(m["to"], ["rcpt@b.test"])
        self.assertEqual(self.content_of(server, m["id"]), p1 + p2)
        self.assertEqual(m["size"], len(server.raw(m["id"])))

    def test_data_after_bdat_is_refused_and_bdat_still_completes(self):
        server = self.start_server()
        c = self.client(server)
        c.ehlo()
        self.open_transaction(c)
        c.send(b"BDAT 5\r\nhello")
        self.assertReply(c.reply(), 250, "2.0.0")
        # RFC 3030 §2: DATA may not follow BDAT in a transaction.
        self.assertReply(c.cmd("DATA"), 503, "5.5.1")
        c.send(b"BDAT 7 LAST\r\n world\n")
        self.assertIn("queued as", c.reply().text)
        (m,) = server.expect_messages(1)
        self.assertEqual(self.content_of(server, m["id"]), b"hello world\n")

    def test_bdat_without_rcpt_consumes_payload(self):
        server = self.start_server()
        c = self.client(server)
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<a@b.test>"), 250)
        # If the 12 octets were read as commands they would give 250 + 221
        # and close the session.
        c.send(b"BDAT 12\r\nRSET\r\nQUIT\r\n")
        self.assertEqual(c.reply().raw, b"554 5.5.1 No valid recipients\r\n")
        self.assertNextIsNoop(c)
        # Without MAIL: 503, payload still consumed.
        self.assertReply(c.cmd("RSET"), 250)
        c.send(b"BDAT 6 LAST\r\nQUIT\r\n")
        self.assertReply(c.reply(), 503, "5.5.1")
        self.assertNextIsNoop(c)
        self.assertEqual(server.messages()["count"], 0)


class Size(EdgeCase):

    def test_declared_and_actual_size(self):
        server = self.start_server("--max-size", "2000")
        c = self.client(server)
        ehlo = c.ehlo()
        self.assertIn("SIZE 2000", ehlo.lines)
        self.assertEqual(c.cmd("MAIL FROM:<a@b.test> SIZE=2001").raw,
                         b"552 5.3.4 Declared message size exceeds fixed maximum message size\r\n")
        self.assertReply(c.cmd("MAIL FROM:<a@b.test> SIZE=abc"), 501, "5.5.4")
        self.assertReply(c.cmd("MAIL FROM:<a@b.test> SIZE=2000"), 250, "2.1.0")
        self.assertReply(c.cmd("RCPT TO:<r@c.test>"), 250)
        self.assertReply(c.cmd("DATA"), 354)
        body = (b"x" * 98 + b"\r\n") * 50  # 5000 octets
        c.send(body)
        # The error is latched and answered only after the terminator.
        self.assertTrue(c.nothing_within(0.2), "answered before the end of data")
        c.send(b".\r\n")
        self.assertEqual(c.reply().raw,
                         b"552 5.3.4 Message size exceeds fixed maximum message size\r\n")
        self.assertNextIsNoop(c)
        # The session goes on: a small message is accepted.
        self.assertReply(c.send_message("a@b.test", ["r@c.test"], b"small"), 250, "2.0.0")
        (m,) = server.expect_messages(1)
        self.assertEqual(self.content_of(server, m["id"]), b"small\r\n")
        self.assertGreaterEqual(server.stats()["messages_refused"], 1)

    def test_size_limit_boundary(self):
        # RFC 1870: the size counts CRLFs, not the terminating dot nor any
        # dot-stuffing. 2000 octets pass, 2001 do not.
        server = self.start_server("--max-size", "2000")
        c = self.client(server)
        c.ehlo()
        exact = (b"." + b"y" * 97 + b"\r\n") * 20  # 2000 octets once unstuffed
        stuffed = exact.replace(b"\r\n.", b"\r\n..")
        self.open_transaction(c)
        self.assertReply(c.cmd("DATA"), 354)
        c.send(b"." + stuffed + b".\r\n")
        self.assertReply(c.reply(), 250, "2.0.0")
        self.open_transaction(c)
        self.assertReply(c.cmd("DATA"), 354)
        c.send(b"z" + stuffed + b".\r\n")  # "z.yyy": 2001 octets
        self.assertReply(c.reply(), 552, "5.3.4")
        (m,) = server.expect_messages(1)
        self.assertEqual(self.content_of(server, m["id"]), exact)

    def test_bdat_too_big_is_read_to_its_end(self):
        server = self.start_server("--max-size", "2000")
        c = self.client(server)
        c.ehlo()
        self.open_transaction(c)
        payload = (b"NOOP\r\n" * 500)[:2500]
        c.send(b"BDAT 2500 LAST\r\n" + payload)
        self.assertReply(c.reply(), 552, "5.3.4")
        self.assertNextIsNoop(c)
        self.assertEqual(server.messages()["count"], 0)


SMUGGLING = [b"\n.\n", b"\n.\r\n", b"\r\n.\n", b"\r.\r", b"\r.\r\n", b"\r\n.\r", b"\n.\r",
             b"\r.\n", b"\r\n\0.\r\n"]
SMUGGLED = b"MAIL FROM:<evil@x.test>\r\nRCPT TO:<victim@y.test>\r\nDATA\r\nsmuggled text"


class Smuggling(EdgeCase):

    def smuggle(self, server, c, lookalike):
        c.ehlo()
        self.open_transaction(c)
        self.assertReply(c.cmd("DATA"), 354)
        c.send(b"Subject: s\r\n\r\nbefore" + lookalike + SMUGGLED + b"\r\n.\r\n")
        return c.reply()

    def test_lookalikes_are_refused(self):
        server = self.start_server()
        for lookalike in SMUGGLING:
            with self.subTest(lookalike=lookalike):
                c = self.client(server)
                self.assertEqual(
                    self.smuggle(server, c, lookalike).raw,
                    b"550 5.6.0 Message contains a bare CR or LF or a look-alike end of data "
                    b"(RFC 5321 section 2.3.8)\r\n")
                # Exactly one reply after the data: the NOOP's is next.
                self.assertNextIsNoop(c)
                self.assertEqual(server.messages()["count"], 0)
                c.close()

    def test_lookalikes_kept_as_data(self):
        server = self.start_server("--keep-bare-line-endings")
        for lookalike in SMUGGLING:
            with self.subTest(lookalike=lookalike):
                server.delete_messages()
                c = self.client(server)
                r = self.smuggle(server, c, lookalike)
                self.assertReply(r, 250, "2.0.0")
                self.assertNextIsNoop(c)
                body = server.messages()
                self.assertEqual(body["count"], 1)
                (m,) = body["messages"]
                self.assertEqual(m["from"], "sender@a.test")
                self.assertEqual(m["to"], ["rcpt@b.test"])
                content = self.content_of(server, m["id"])
                self.assertIn(b"MAIL FROM:<evil@x.test>\r\nRCPT TO:<victim@y.test>", content)
                self.assertTrue(content.endswith(b"smuggled text\r\n"), content[-40:])
                c.close()


class Limits(EdgeCase):

    def test_hundred_recipients_then_452(self):
        server = self.start_server()
        c = self.client(server)
        c.ehlo()
        rcpts = [f"r{i:03d}@many.test" for i in range(101)]
        c.send(b"MAIL FROM:<a@b.test>\r\n" +
               b"".join(f"RCPT TO:<{r}>\r\n".encode() for r in rcpts))
        replies = c.replies(102)
        self.assertReply(replies[0], 250, "2.1.0")
        for r in replies[1:101]:
            self.assertReply(r, 250, "2.1.5")
        self.assertEqual(replies[101].raw, b"452 4.5.3 Too many recipients\r\n")
        self.assertReply(c.cmd("DATA"), 354)
        c.send(b"to a hundred\r\n.\r\n")
        self.assertReply(c.reply(), 250, "2.0.0")
        (m,) = server.expect_messages(1)
        self.assertEqual(m["to"], rcpts[:100])

    def test_max_recipients_flag(self):
        server = self.start_server("--max-recipients", "5")
        c = self.client(server)
        c.ehlo()
        self.open_transaction(c, rcpts=[f"r{i}@five.test" for i in range(5)])
        self.assertReply(c.cmd("RCPT TO:<r5@five.test>"), 452, "4.5.3")
        self.assertReply(c.cmd("DATA"), 354)
        c.send(b"five\r\n.\r\n")
        self.assertReply(c.reply(), 250)
        (m,) = server.expect_messages(1)
        self.assertEqual(m["to"], [f"r{i}@five.test" for i in range(5)])

    def test_512_octet_command_line_is_accepted(self):
        server = self.start_server()
        c = self.client(server)
        c.ehlo()
        noop = b"NOOP " + b"x" * 505 + b"\r\n"
        self.assertEqual(len(noop), 512)
        c.send(noop)
        self.assertEqual(c.reply().raw, OK)
        # A real transaction command of 512 octets: RCPT with a long ORCPT.
        head = b"RCPT TO:<r@c.test> ORCPT=rfc822;"
        rcpt = head + b"o" * (510 - len(head)) + b"\r\n"
        self.assertEqual(len(rcpt), 512)
        self.assertReply(c.cmd("MAIL FROM:<a@b.test>"), 250)
        c.send(rcpt)
        self.assertReply(c.reply(), 250, "2.1.5")
        # RFC 5321 §4.5.3.1.4 allows refusing one octet more.
        c.send(b"NOOP " + b"x" * 506 + b"\r\n")
        self.assertEqual(c.reply().raw, b"500 5.5.2 Line too long\r\n")
        self.assertNextIsNoop(c)

    def test_max_errors_then_421_and_close(self):
        server = self.start_server("--max-errors", "3")
        c = self.client(server)
        c.ehlo()
        c.send(b"XYZZY\r\nXYZZY\r\nRCPT TO:<a@b.test>\r\nXYZZY\r\nNOOP\r\n")
        replies = c.replies(4)
        self.assertEqual([r.code for r in replies], [500, 500, 503, 421])
        self.assertEqual(replies[3].raw, b"421 4.7.0 fake-smtpd.test Too many errors, closing\r\n")
        data, _ = c.read_until_closed(timeout=5)
        self.assertEqual(data, b"", "a reply after the 421 (RFC 5321 §3.8)")

    def test_max_errors_zero_never_closes(self):
        server = self.start_server("--max-errors", "0")
        c = self.client(server)
        c.ehlo()
        c.send(b"XYZZY\r\n" * 50)
        self.assertEqual({r.code for r in c.replies(50)}, {500})
        self.assertNextIsNoop(c)


class Auth(EdgeCase):

    def test_auth_errors(self):
        server = self.start_server("--user", "alice:secret")
        c = self.client(server)
        ehlo = c.ehlo()
        self.assertNotIn("AUTH", c.keywords(ehlo))
        self.assertEqual(c.cmd("AUTH PLAIN " + plain_b64("alice", "secret")).raw,
                         b"538 5.7.11 Encryption required for requested authentication "
                         b"mechanism\r\n")
        c.starttls()
        ehlo = c.ehlo()
        self.assertIn("AUTH PLAIN LOGIN", ehlo.lines)
        self.assertReply(c.cmd("AUTH NOPE"), 504, "5.5.4")
        self.assertEqual(c.cmd("AUTH PLAIN").raw, b"334 \r\n")
        self.assertReply(c.cmd("*"), 501, "5.0.0")
        self.assertReply(c.cmd("AUTH PLAIN !!!notbase64!!!"), 501, "5.5.2")
        self.assertEqual(c.cmd("AUTH PLAIN").raw, b"334 \r\n")
        self.assertReply(c.cmd("%%%%"), 501, "5.5.2")
        self.assertReply(c.cmd("AUTH PLAIN " + plain_b64("alice", "wrong")), 535, "5.7.8")
        self.assertReply(c.cmd("AUTH PLAIN " + plain_b64("mallory", "secret")), 535, "5.7.8")
        self.assertEqual(c.cmd("AUTH LOGIN").raw, b"334 VXNlcm5hbWU6\r\n")
        self.assertEqual(c.cmd(base64.b64encode(b"alice").decode()).raw, b"334 UGFzc3dvcmQ6\r\n")
        self.assertReply(c.cmd(base64.b64encode(b"wrong").decode()), 535, "5.7.8")
        self.assertReply(c.cmd("AUTH PLAIN " + plain_b64("alice", "secret")), 235, "2.7.0")
        self.assertReply(c.cmd("AUTH PLAIN " + plain_b64("alice", "secret")), 503, "5.5.1")
        self.assertReply(c.send_message("alice@a.test", ["r@b.test"], b"authed"), 250)
        (m,) = server.expect_messages(1)
        self.assertEqual(m["auth_user"], "alice")

    def test_auth_login_and_cleartext_flag(self):
        server = self.start_server("--auth-cleartext", "--user", "bob:pw")
        c = self.client(server)
        self.assertIn("AUTH PLAIN LOGIN", c.ehlo().lines)
        self.assertEqual(c.cmd("AUTH LOGIN " + base64.b64encode(b"bob").decode()).raw,
                         b"334 UGFzc3dvcmQ6\r\n")
        self.assertReply(c.cmd(base64.b64encode(b"pw").decode()), 235, "2.7.0")
        self.assertReply(c.send_message("bob@a.test", ["r@b.test"], b"login"), 250)
        (m,) = server.expect_messages(1)
        self.assertEqual(m["auth_user"], "bob")
        self.assertFalse(m["tls"])

    def test_require_auth(self):
        server = self.start_server("--require-auth", "--auth-cleartext")
        c = self.client(server)
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<a@b.test>"), 530, "5.7.0")
        # No --user: any credentials are accepted.
        self.assertReply(c.cmd("AUTH PLAIN " + plain_b64("anyone", "anything")), 235)
        self.assertReply(c.cmd("MAIL FROM:<a@b.test>"), 250)


class StartTls(EdgeCase):

    def test_pipelined_command_after_starttls_is_discarded(self):
        # CVE-2011-0411: "STARTTLS\r\nNOOP\r\n" in one write. The NOOP must
        # not be answered in plaintext nor executed inside TLS.
        server = self.start_server()
        c = self.client(server)
        c.ehlo()
        c.send(b"STARTTLS\r\nNOOP\r\n")
        self.assertEqual(c.reply().raw, b"220 2.0.0 Ready to start TLS\r\n")
        self.assertEqual(c.buf, b"", "plaintext reply after the 220")
        self.assertTrue(c.nothing_within(0.2), "plaintext after the 220 to STARTTLS")
        c.sock = unverified_tls().wrap_socket(c.sock)
        # The first reply inside TLS answers our EHLO, not the NOOP.
        ehlo = c.cmd("EHLO inside.test")
        self.assertEqual(ehlo.code, 250)
        self.assertEqual(ehlo.lines[0], "fake-smtpd.test Hello inside.test")
        self.assertNotIn("STARTTLS", c.keywords(ehlo))
        self.assertEqual(c.cmd("STARTTLS").raw, b"503 5.5.1 TLS already active\r\n")
        self.assertNextIsNoop(c)
        events = [e["text"] for e in server.session_of(c)["transcript"]
                  if e["direction"] == "event"]
        self.assertIn("discarded 6 plaintext octets sent after STARTTLS", events)

    def test_starttls_forgets_the_ehlo(self):
        # RFC 3207 §4.2: after TLS the client must say EHLO again.
        server = self.start_server()
        c = self.client(server)
        c.ehlo()
        c.starttls()
        # The enhanced code comes whether or not EHLO was said (RFC 2034 §4).
        self.assertEqual(c.cmd("MAIL FROM:<a@b.test>").raw,
                         b"503 5.5.1 Send EHLO or HELO first\r\n")


class Disable(EdgeCase):

    def test_disabled_keywords_leave_ehlo_and_stop_working(self):
        server = self.start_server("--disable", "CHUNKING", "--disable", "vrfy", "--disable",
                                   "DSN", "--disable", "STARTTLS", "--disable", "8BITMIME")
        c = self.client(server)
        keywords = c.keywords(c.ehlo())
        for gone in ("CHUNKING", "VRFY", "DSN", "STARTTLS", "8BITMIME", "SMTPUTF8"):
            self.assertNotIn(gone, keywords)
        for kept in ("PIPELINING", "SIZE", "ENHANCEDSTATUSCODES", "HELP"):
            self.assertIn(kept, keywords)
        self.assertReply(c.cmd("VRFY postmaster"), 502, "5.5.1")
        self.assertReply(c.cmd("STARTTLS"), 502, "5.5.1")
        self.assertReply(c.cmd("BDAT 4 LAST"), 500, "5.5.2")
        self.assertReply(c.cmd("MAIL FROM:<a@b.test> RET=FULL"), 555, "5.5.4")
        self.assertReply(c.cmd("MAIL FROM:<a@b.test> BODY=8BITMIME"), 555, "5.5.4")
        self.assertReply(c.cmd("MAIL FROM:<a@b.test>"), 250)

    def test_default_keywords(self):
        server = self.start_server()
        c = self.client(server)
        self.assertEqual(c.keywords(c.ehlo()), [
            "PIPELINING", "SIZE", "8BITMIME", "SMTPUTF8", "DSN", "ENHANCEDSTATUSCODES",
            "CHUNKING", "VRFY", "HELP", "STARTTLS"])


class Transcript(EdgeCase):

    def test_both_directions_tls_event_and_redacted_secrets(self):
        password = "Tr4nscr1pt-secret"
        server = self.start_server("--user", f"alice:{password}")
        c = self.client(server)
        c.ehlo("transcript.test")
        c.starttls()
        c.ehlo("transcript.test")
        credential = plain_b64("alice", password)
        self.assertReply(c.cmd("AUTH PLAIN " + credential), 235)
        self.assertReply(c.send_message("alice@a.test", ["r@b.test"], b"transcribed body"), 250)
        # A second session: LOGIN's SASL responses are whole lines of secret.
        c2 = self.client(server)
        c2.ehlo()
        c2.starttls()
        c2.ehlo()
        user_b64 = base64.b64encode(b"alice").decode()
        pass_b64 = base64.b64encode(password.encode()).decode()
        self.assertEqual(c2.cmd("AUTH LOGIN").code, 334)
        self.assertEqual(c2.cmd(user_b64).code, 334)
        self.assertReply(c2.cmd(pass_b64), 235)
        self.assertEqual(c2.cmd("QUIT").code, 221)
        self.assertEqual(c2.read_until_closed(timeout=5)[0], b"")

        record = server.session_of(c)
        entries = record["transcript"]
        directions = {e["direction"] for e in entries}
        self.assertEqual(directions, {"client", "server", "event"})
        events = [e for e in entries if e["direction"] == "event"]
        self.assertTrue(any(e["text"].startswith("TLS established: TLSv1.") for e in events),
                        events)
        client_text = "".join(e["text"] for e in entries if e["direction"] == "client")
        server_text = "".join(e["text"] for e in entries if e["direction"] == "server")
        self.assertIn("EHLO transcript.test", client_text)
        self.assertIn("AUTH PLAIN <redacted>", client_text)
        self.assertIn("transcribed body", client_text)
        self.assertIn("220 fake-smtpd.test ESMTP", server_text)
        self.assertIn("235 2.7.0", server_text)
        # Before the TLS event nothing is marked TLS; after it everything is.
        tls_at = next(i for i, e in enumerate(entries) if e["text"].startswith("TLS established"))
        self.assertFalse(any(e["tls"] for e in entries[:tls_at] if e["direction"] != "event"))
        self.assertTrue(all(e["tls"] for e in entries[tls_at + 1:]))
        # The base64 field carries the exact bytes.
        client_bytes = b"".join(base64.b64decode(e["base64"]) for e in entries
                                if e["direction"] == "client")
        self.assertIn(b"EHLO transcript.test\r\nSTARTTLS\r\n", client_bytes)
        self.assertIn(b"\r\ntranscribed body\r\n.\r\n", client_bytes)

        record2 = server.session_of(c2)
        self.assertEqual(record2["auth_user"], "alice")
        for rec in (record, record2):
            text = json.dumps(rec)
            for secret in (credential, pass_b64, password):
                self.assertNotIn(secret, text)
            for e in rec["transcript"]:
                decoded = base64.b64decode(e["base64"])
                self.assertNotIn(password.encode(), decoded)
                self.assertNotIn(credential.encode(), decoded)
                self.assertNotIn(pass_b64.encode(), decoded)
        # The whole sessions API never shows them either.
        everything = server.api("/api/sessions").body + server.api("/api/messages").body
        for secret in (credential, pass_b64, password):
            self.assertNotIn(secret.encode(), everything)

    def test_live_session_shows_helo_and_auth_user(self):
        # /api/sessions/{id} describes a session while it runs, not only
        # after it ended.
        server = self.start_server("--auth-cleartext")
        c = self.client(server)
        c.ehlo("live.test")
        self.assertReply(c.cmd("AUTH PLAIN " + plain_b64("dave", "x")), 235)
        record = server.session_of(c)
        self.assertIsNone(record["ended"])
        self.assertEqual(record["helo"], "live.test")
        self.assertEqual(record["auth_user"], "dave")
        summary = [s for s in server.sessions()["sessions"] if s["id"] == record["id"]]
        self.assertEqual(summary[0]["helo"], "live.test")
        self.assertEqual(summary[0]["auth_user"], "dave")


class Api(EdgeCase):

    def test_long_poll_wakes_when_a_message_arrives(self):
        server = self.start_server()
        # The poll goes out first, on its own connection; the SMTP round
        # trips below give the single-threaded server ample turns to park it.
        poll = socket.create_connection((server.host, server.api_port), timeout=10)
        self.addCleanup(poll.close)
        started = time.monotonic()
        poll.sendall(b"GET /api/messages?wait=1&timeout=20s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Connection: close\r\n\r\n")
        c = self.client(server)
        c.ehlo()
        self.assertReply(c.send_message("a@b.test", ["c@d.test"], b"wake up"), 250)
        response = b""
        for _ in range(1000):
            chunk = poll.recv(65536)
            if not chunk:
                break
            response += chunk
        elapsed = time.monotonic() - started
        head, _, body = response.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 200 "), head)
        parsed = json.loads(body)
        self.assertFalse(parsed["timed_out"])
        self.assertEqual(parsed["count"], 1)
        self.assertLess(elapsed, 10.0, "woken by its timeout, not by the message")

    def test_errors_ids_and_delete(self):
        server = self.start_server()
        self.assertEqual(server.api("/api/nope").status, 404)
        self.assertEqual(server.api("/api/messages/1").status, 404)
        self.assertEqual(server.api("/api/messages/1/raw").status, 404)
        self.assertEqual(server.api("/api/messages/x").status, 404)
        self.assertEqual(server.api("/api/sessions/999").status, 404)
        self.assertEqual(server.api("/api/messages?wait=many").status, 400)
        self.assertEqual(server.api("/api/messages?wait=1&timeout=soon").status, 400)
        self.assertEqual(server.api("/api/stats", method="POST").status, 405)
        status, body = server.wait_messages(1, timeout="100ms")
        self.assertEqual((status, body["timed_out"], body["count"]), (408, True, 0))
        c = self.client(server)
        c.ehlo()
        for i in range(2):
            self.assertReply(c.send_message("a@b.test", ["c@d.test"], b"m%d" % i), 250)
        self.assertEqual([m["id"] for m in server.expect_messages(2)], [1, 2])
        raw = server.api("/api/messages/2/raw")
        self.assertEqual(raw.content_type, "message/rfc822")
        self.assertTrue(raw.body.endswith(b"\r\nm1\r\n"))
        self.assertEqual(server.delete_messages(), 2)
        self.assertEqual(server.api("/api/messages/1").status, 404)
        self.assertReply(c.send_message("a@b.test", ["c@d.test"], b"m2"), 250)
        # Ids keep growing after DELETE: an old id never names a new message.
        self.assertEqual([m["id"] for m in server.expect_messages(1)], [3])

    def test_store_limit_drops_the_oldest(self):
        server = self.start_server("--store-limit", "2")
        c = self.client(server)
        c.ehlo()
        for i in range(3):
            self.assertReply(c.send_message("a@b.test", ["c@d.test"], b"m%d" % i), 250)
        self.assertEqual([m["id"] for m in server.expect_messages(2)], [2, 3])
        self.assertEqual(server.api("/api/messages/1").status, 404)
        self.assertEqual(server.stats()["messages_accepted"], 3)

    def test_store_none_counts_but_keeps_nothing(self):
        server = self.start_server("--store", "none")
        c = self.client(server)
        c.ehlo()
        self.assertIn("queued as",
                      c.send_message("a@b.test", ["c@d.test"], b"gone").text)
        body = server.messages()
        self.assertEqual((body["store"], body["count"]), ("none", 0))
        stats = server.stats()
        self.assertEqual(stats["messages_accepted"], 1)
        self.assertEqual(stats["messages_held"], 0)


if __name__ == "__main__":
    unittest.main()
