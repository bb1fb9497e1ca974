"""Real SMTP clients against fake-smtpd: swaks, Python's smtplib and
Postfix's smtp-source. Each test checks what arrived through the HTTP API:
envelope, size, TLS, AUTH user, and the raw message, which must begin with
the server's Received: line (RFC 5321 §4.4) and hold the client's body."""

import email.message
import os
import re
import shutil
import smtplib
import subprocess
import tempfile
import unittest

from fakesmtpd import ServerTestCase, require_tool, unverified_tls

SMTP_SOURCE = "/usr/sbin/smtp-source"
RECEIVED_RE = re.compile(
    rb"^Received: from (\S+) \(\[127\.0\.0\.1\]\)\r\n"
    rb"\tby (\S+) \(fake-smtpd\) with (E?SMTPS?A?) id (\d+\.\d+)"
    rb"(?:\r\n\tfor (<[^>]*>))?; [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d \+0000\r\n")


class RealClientCase(ServerTestCase):

    def check_received(self, raw, protocol, helo=None, rcpt=None):
        """The first line is our trace header (RFC 5321 §4.4) and names the
        protocol as RFC 3848 says: ESMTP, +S with TLS, +A with AUTH."""
        m = RECEIVED_RE.match(raw)
        self.assertIsNotNone(m, f"raw does not start with a Received: line: {raw[:300]!r}")
        if helo is not None:
            self.assertEqual(m.group(1).decode(), helo)
        self.assertEqual(m.group(2), b"fake-smtpd.test")
        self.assertEqual(m.group(3).decode(), protocol)
        if rcpt is not None:
            self.assertEqual(m.group(5).decode(), f"<{rcpt}>")
        return m

    def check_stored(self, server, message, sender, recipients, tls, auth_user="", body=None):
        self.assertEqual(message["from"], sender)
        self.assertEqual(message["to"], recipients)
        self.assertEqual([r["address"] for r in message["recipients"]], recipients)
        self.assertEqual(message["tls"], tls)
        self.assertEqual(message["auth_user"], auth_user)
        raw = server.raw(message["id"])
        self.assertEqual(message["size"], len(raw))
        if body is not None:
            self.assertIn(body.encode(), raw)
        # The API's single-message view agrees with the list.
        self.assertEqual(server.message(message["id"]), message)
        return raw

    def swaks(self, server, *args, expect_rc=0):
        swaks = require_tool(self, "swaks", "swaks")
        cmd = [swaks, "--server", f"{server.host}:{server.smtp_port}", "--helo", "swaks.test",
               "--timeout", "10", *args]
        result = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                timeout=60)
        self.assertEqual(result.returncode, expect_rc,
                         f"swaks exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result.stdout + result.stderr


class Swaks(RealClientCase):

    def test_plain(self):
        server = self.start_server()
        out = self.swaks(server, "--from", "sender@swaks.test", "--to", "rcpt@fake.test",
                         "--header", "Subject: plain swaks", "--body", "plain body marker 7f3a")
        self.assertRegex(out, r"<-  250 2\.0\.0 Ok: queued as 1\.1")
        (message,) = server.expect_messages(1)
        raw = self.check_stored(server, message, "sender@swaks.test", ["rcpt@fake.test"],
                                tls=False, body="plain body marker 7f3a")
        self.check_received(raw, "ESMTP", helo="swaks.test", rcpt="rcpt@fake.test")
        self.assertIn(b"\r\nSubject: plain swaks\r\n", raw)
        self.assertEqual(message["helo"], "swaks.test")
        self.assertFalse(message["chunking"])

    def test_starttls(self):
        server = self.start_server()
        out = self.swaks(server, "--tls", "--from", "sender@swaks.test", "--to", "rcpt@fake.test",
                         "--body", "starttls body marker 19c2")
        self.assertIn("TLS started", out)
        (message,) = server.expect_messages(1)
        raw = self.check_stored(server, message, "sender@swaks.test", ["rcpt@fake.test"],
                                tls=True, body="starttls body marker 19c2")
        self.check_received(raw, "ESMTPS", helo="swaks.test")
        self.assertEqual(server.stats()["tls_handshakes"], 1)

    def test_starttls_auth_plain_good_and_bad(self):
        server = self.start_server("--user", "alice:wonder land", "--user", "bob:builder")
        out = self.swaks(server, "--tls", "--auth", "PLAIN", "--auth-user", "alice",
                         "--auth-password", "wonder land", "--from", "alice@swaks.test", "--to",
                         "rcpt@fake.test", "--body", "authenticated body marker 5e11")
        self.assertRegex(out, r"<~  235 2\.7\.0 ")
        (message,) = server.expect_messages(1)
        raw = self.check_stored(server, message, "alice@swaks.test", ["rcpt@fake.test"],
                                tls=True, auth_user="alice", body="authenticated body marker 5e11")
        self.check_received(raw, "ESMTPSA")

        server.delete_messages()
        # swaks exits 28 when authentication fails; it never sends MAIL then.
        out = self.swaks(server, "--tls", "--auth", "PLAIN", "--auth-user", "bob",
                         "--auth-password", "wrong", "--from", "bob@swaks.test", "--to",
                         "rcpt@fake.test", expect_rc=28)
        self.assertRegex(out, r"<~\*\s+535 5\.7\.8 ")
        self.assertEqual(server.messages()["count"], 0)
        stats = server.stats()
        self.assertEqual(stats["messages_accepted"], 1)
        self.assertEqual(stats["replies"].get("535"), 1)
        self.assertEqual(stats["replies"].get("235"), 1)


def _message(subject, body, sender="py@smtplib.test", to="rcpt@fake.test"):
    msg = email.message.EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    return msg


class Smtplib(RealClientCase):

    def test_starttls_login_send_message(self):
        server = self.start_server("--user", "carol:s3cret")
        with smtplib.SMTP(server.host, server.smtp_port, local_hostname="py.test",
                          timeout=10) as smtp:
            smtp.starttls(context=unverified_tls())
            code, _ = smtp.login("carol", "s3cret")
            self.assertEqual(code, 235)
            refused = smtp.send_message(_message("smtplib over STARTTLS", "smtplib body 2b8d\n"))
            self.assertEqual(refused, {})
        (message,) = server.expect_messages(1)
        raw = self.check_stored(server, message, "py@smtplib.test", ["rcpt@fake.test"], tls=True,
                                auth_user="carol", body="smtplib body 2b8d")
        self.check_received(raw, "ESMTPSA", helo="py.test")
        self.assertIn(b"Subject: smtplib over STARTTLS\r\n", raw)
        session = server.session(message["session_id"])
        self.assertEqual(session["auth_user"], "carol")
        self.assertTrue(session["tls_version"].startswith("TLSv1."), session["tls_version"])

    def test_fifty_messages_on_one_connection(self):
        server = self.start_server()
        with smtplib.SMTP(server.host, server.smtp_port, timeout=10) as smtp:
            smtp.ehlo("many.test")
            for i in range(50):
                smtp.send_message(_message(f"message {i:02d}", f"body of message {i:02d}\n",
                                           to=f"r{i}@fake.test"))
        messages = server.expect_messages(50)
        self.assertEqual(len({m["session_id"] for m in messages}), 1)
        for i, m in enumerate(messages):
            self.assertEqual(m["to"], [f"r{i}@fake.test"])
            raw = server.raw(m["id"])
            self.assertEqual(m["size"], len(raw))
            m_rcv = self.check_received(raw, "ESMTP", helo="many.test")
            # Queue ids are <session>.<message number in the session>.
            self.assertEqual(m_rcv.group(4).decode(), f"{m['session_id']}.{i + 1}")
            self.assertIn(f"Subject: message {i:02d}\r\n".encode(), raw)
            self.assertIn(f"body of message {i:02d}".encode(), raw)
        session = server.session(messages[0]["session_id"])
        self.assertEqual(session["messages"], 50)
        self.assertIsNotNone(session["ended"])
        self.assertEqual(server.stats()["connections"], 1)

    def test_smtp_ssl_implicit_tls(self):
        server = self.start_server()
        with smtplib.SMTP_SSL(server.host, server.smtps_port, local_hostname="ssl.test",
                              timeout=10, context=unverified_tls()) as smtp:
            code, text = smtp.ehlo()
            self.assertEqual(code, 250)
            # No STARTTLS inside TLS (RFC 3207 §4.2); AUTH is offered.
            self.assertNotIn(b"STARTTLS", text)
            self.assertIn(b"AUTH PLAIN LOGIN", text)
            smtp.sendmail("ssl@smtplib.test", ["rcpt1@fake.test", "rcpt2@fake.test"],
                          b"Subject: implicit\r\n\r\nimplicit tls body 44aa\r\n")
        (message,) = server.expect_messages(1)
        raw = self.check_stored(server, message, "ssl@smtplib.test",
                                ["rcpt1@fake.test", "rcpt2@fake.test"], tls=True,
                                body="implicit tls body 44aa")
        # Two recipients: no "for" clause.
        m = self.check_received(raw, "ESMTPS", helo="ssl.test")
        self.assertIsNone(m.group(5))
        self.assertTrue(raw.endswith(b"\r\nimplicit tls body 44aa\r\n"), raw[-60:])
        session = server.session(message["session_id"])
        self.assertTrue(session["implicit_tls"])


class SmtpSource(RealClientCase):

    def test_smtp_source_200_messages_5_sessions(self):
        tool = require_tool(self, SMTP_SOURCE, "postfix")
        server = self.start_server()
        result = subprocess.run([tool, "-s", "5", "-m", "200", "-l", "1000",
                                 f"127.0.0.1:{server.smtp_port}"], stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        status, body = server.wait_messages(200)
        self.assertEqual(status, 200)
        self.assertEqual(body["count"], 200)
        messages = body["messages"]
        first = server.raw(messages[0]["id"])
        # smtp-source's content is its own headers, a blank line, then
        # -l 1000 octets of numbered 'X' lines: the same for every message.
        content = first.split(b"\r\n\r\n", 1)[1]
        self.assertTrue(content.startswith(b"1XXXXXXXX"), content[:40])
        self.assertGreaterEqual(len(content), 1000)
        for m in messages:
            raw = server.raw(m["id"])
            self.assertEqual(m["size"], len(raw))
            self.check_received(raw, "SMTP")  # smtp-source says HELO
            self.assertEqual(raw.split(b"\r\n\r\n", 1)[1], content)
            self.assertEqual(len(m["to"]), 1)
            self.assertFalse(m["tls"])
        stats = server.stats()
        self.assertEqual(stats["messages_accepted"], 200)
        self.assertEqual(stats["connections"], 200)  # one message per connection
        self.assertLessEqual(stats["peak_sessions"], 5)
        self.assertEqual(stats["active_sessions"], 0)
        self.assertEqual(stats["replies"].get("221"), 200)
        # Long poll beyond what arrived: 408, with the messages so far.
        status, body = server.wait_messages(201, timeout="200ms")
        self.assertEqual(status, 408)
        self.assertTrue(body["timed_out"])
        self.assertEqual(body["count"], 200)


class Maildir(RealClientCase):

    def test_maildir_file_exists_when_250_arrives(self):
        directory = tempfile.mkdtemp(prefix="fake-smtpd-maildir-")
        self.addCleanup(shutil.rmtree, directory, ignore_errors=True)
        server = self.start_server("--store", f"maildir:{directory}")
        self.assertEqual(server.ports["store"], f"maildir:{directory}")
        new = os.path.join(directory, "new")
        with smtplib.SMTP(server.host, server.smtp_port, timeout=10) as smtp:
            smtp.ehlo("maildir.test")
            self.assertEqual(os.listdir(new), [])
            for i in range(3):
                smtp.sendmail("m@maildir.test", [f"r{i}@fake.test"],
                              f"Subject: maildir {i}\r\n\r\nmaildir body {i} c0de\r\n")
                # sendmail returned after the 250: the file is already in new/.
                self.assertEqual(len(os.listdir(new)), i + 1)
        self.assertEqual(os.listdir(os.path.join(directory, "tmp")), [])
        body = server.messages()
        self.assertEqual(body["store"], "maildir")
        self.assertEqual(body["count"], 3)
        on_disk = {}
        for name in os.listdir(new):
            with open(os.path.join(new, name), "rb") as f:
                on_disk[name] = f.read()
        for i, m in enumerate(body["messages"]):
            raw = server.raw(m["id"])
            self.assertEqual(m["size"], len(raw))
            self.assertIn(f"maildir body {i} c0de".encode(), raw)
            self.check_received(raw, "ESMTP", helo="maildir.test", rcpt=f"r{i}@fake.test")
            matching = [n for n, data in on_disk.items() if data == raw]
            self.assertEqual(len(matching), 1, f"message {m['id']} is not a file in new/")
        # DELETE forgets the index; the files stay for the operator.
        self.assertEqual(server.delete_messages(), 3)
        self.assertEqual(len(os.listdir(new)), 3)


if __name__ == "__main__":
    unittest.main()
