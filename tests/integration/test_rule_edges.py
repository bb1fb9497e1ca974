"""Edges of fault injection found in review: what rules must not do.

Each test starts fake-smtpd with a small profile and talks raw SMTP, so it
sees exact bytes. Every read has a deadline; every loop is bounded.
"""

import os
import shutil
import socket
import tempfile
import time
import unittest

from fakesmtpd import ServerTestCase


class RuleEdges(ServerTestCase):
    def start(self, profile, *args):
        return self.start_server(*args, profile=self.profile_file(profile))

    def test_a_dot_line_is_not_the_end_of_a_message(self):
        # "." names the end of a message in rules; a command line "." (a body
        # sent after a refused DATA) must not fire them.
        server = self.start('rule { on = ".", select = { first = 1 }, '
                            'reply = "250 2.0.0 Queued by rule" }')
        c = self.client(server)
        c.ehlo()
        self.assertReply(c.cmd("."), 500, "5.5.2")
        status = server.rule("rule 1")
        self.assertEqual((status["seen"], status["fired"]), (0, 0))
        # The rule is still there for a real message.
        self.assertEqual(c.send_message("a@example.org", ["b@example.net"], "Subject: x\r\n\r\nx")
                         .text, "2.0.0 Queued by rule")
        self.assertEqual(len(server.expect_messages(1)), 1)

    def test_a_rule_reply_to_bdat_comes_after_the_chunk(self):
        # RFC 3030 §2: the chunk's octets are data, read before the answer,
        # for a raw answer too; none of them is run as a command.
        server = self.start('rule { on = "BDAT", raw = "250 fine\\r\\n" }')
        c = self.client(server)
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<a@example.org>"), 250)
        self.assertReply(c.cmd("RCPT TO:<b@example.net>"), 250)
        chunk = b"RSET\r\nNOOP\r\nQUIT\r\n"
        c.send(b"BDAT %d LAST\r\n" % len(chunk) + chunk)
        self.assertEqual(c.reply().raw, b"250 fine\r\n")
        self.assertTrue(c.nothing_within(0.3), "a chunk octet was run as a command")
        self.assertReply(c.cmd("NOOP"), 250)
        self.assertEqual(server.messages()["count"], 0)

    def test_a_modifier_on_bdat_shapes_the_answer_after_the_chunk(self):
        server = self.start('rule { on = "BDAT", malformed = "bare-lf" }')
        c = self.client(server)
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<a@example.org>"), 250)
        self.assertReply(c.cmd("RCPT TO:<b@example.net>"), 250)
        c.send(b"BDAT 5\r\nhello")
        self.assertEqual(c.read_until(b"\n", timeout=5), b"250 2.0.0 5 octets received\n")

    def test_greylisting_leaves_refusals_to_the_dialogue(self):
        server = self.start('server { max_recipients = 1 }\ngreylist { delay = "0s" }')
        c = self.client(server)
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<a@example.org>"), 250)
        self.assertReply(c.cmd("RCPT TO:<b@example.net>"), 450, "4.7.1")
        self.assertReply(c.cmd("RCPT TO:<b@example.net>"), 250)  # delay 0: passes now
        self.assertReply(c.cmd("RCPT TO:<c@example.net>"), 452, "4.5.3")
        self.assertReply(c.cmd("RCPT TO:<d@example.net> BOGUS=1"), 555)
        self.assertEqual(server.rules()["greylist"]["entries"], 1)

    def test_an_endless_reply_keeps_its_bandwidth(self):
        server = self.start('rule { on = "NOOP", malformed = "endless", bandwidth = 1000 }')
        c = self.client(server)
        c.send(b"NOOP\r\n")
        received = c.buf
        c.sock.settimeout(0.2)
        deadline = time.monotonic() + 2.0
        for _ in range(10000):
            if time.monotonic() >= deadline or len(received) > 1 << 20:
                break
            try:
                data = c.sock.recv(65536)
            except socket.timeout:
                continue
            if not data:
                break
            received += data
        # 1000 octets a second for 2 s; far from the megabytes an unpaced
        # loop sends. (A bound on bytes, not on time.)
        self.assertGreater(len(received), 100)
        self.assertLess(len(received), 6000)

    def test_a_rule_2xx_on_the_end_of_data_never_hides_a_failed_store(self):
        # ARCHITECTURE.md §6: a 250 means the message is in the store. A
        # maildir whose new/ is a file cannot take it: the client must get the
        # 451.
        root = tempfile.mkdtemp(prefix="maildir-")
        self.addCleanup(shutil.rmtree, root, True)
        server = self.start('rule { on = ".", reply = "250 2.0.0 Accepted by rule" }',
                            "--store", f"maildir:{root}")
        new = os.path.join(root, "new")
        if os.path.isdir(new):
            os.rmdir(new)
        with open(new, "w", encoding="ascii") as f:
            f.write("not a directory\n")
        c = self.client(server)
        c.ehlo()
        reply = c.send_message("a@example.org", ["b@example.net"], "Subject: x\r\n\r\nx")
        self.assertReply(reply, 451, "4.3.0")
        self.assertEqual(server.messages()["count"], 0)


if __name__ == "__main__":
    unittest.main()
