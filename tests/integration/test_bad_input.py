"""Hostile and broken peers (ARCHITECTURE.md §6). Each case runs while a
second, healthy session is open; afterwards that session still answers NOOP
with 250 and can send a message, so one bad peer never hurts another."""

import random
import socket
import time
import unittest

from fakesmtpd import Closed, ServerTestCase, wait_until

OK = b"250 2.0.0 Ok\r\n"


class BadInputCase(ServerTestCase):

    def healthy(self, server):
        c = self.client(server)
        c.ehlo("healthy.test")
        self.assertEqual(c.cmd("NOOP").raw, OK)
        return c

    def assertStillHealthy(self, server, c, marker):
        self.assertEqual(c.cmd("NOOP").raw, OK)
        before = server.messages()["count"]
        r = c.send_message("ok@healthy.test", ["r@fake.test"], f"healthy {marker}".encode())
        self.assertEqual(r.code, 250, r.raw)
        messages = server.expect_messages(before + 1)
        self.assertIn(f"healthy {marker}".encode(), server.raw(messages[-1]["id"]))
        self.assertEqual(messages[-1]["from"], "ok@healthy.test")


class Garbage(BadInputCase):

    def test_random_binary_garbage(self):
        server = self.start_server()
        ok = self.healthy(server)
        bad = self.client(server)
        garbage = random.Random(20261121).randbytes(64 * 1024)
        try:
            bad.send(garbage)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may hang up before all of it is written
        # A peer that sends nothing but garbage is hung up on: 421 after
        # max_errors (20) refusals, or a plain close.
        try:
            data, how = bad.read_until_closed(timeout=5)
        except TimeoutError:
            self.fail(f"the garbage session is still open 5 s later; it got {bad.buf!r}")
        lines = [l for l in data.split(b"\r\n") if l]
        for line in lines:
            self.assertRegex(line, rb"^(50[0-4]|421)[ -]", data[:400])
        if lines and how == "eof":
            self.assertRegex(lines[-1], rb"^(421|50[0-4]) ")
        self.assertNotIn(b"250", data)
        record = server.session_of(bad)
        self.assertIsNotNone(record["ended"])
        self.assertStillHealthy(server, ok, "after garbage")
        self.assertEqual(server.stats()["active_sessions"], 1)

    def test_control_and_eight_bit_lines_are_answered_500(self):
        server = self.start_server()
        ok = self.healthy(server)
        bad = self.client(server)
        bad.ehlo()
        bad.send(b"NOOP\0\r\n\x80\xff\xfe\r\nNO\nOP\r\n\x1b[31mRSET\r\n")
        codes = [r.code for r in bad.replies(4)]
        self.assertEqual(codes[0], 500)
        self.assertEqual(codes[2], 500)  # a bare LF does not end a command line
        self.assertEqual(codes[3], 500)
        self.assertIn(codes[1], (500, 501))
        self.assertEqual(bad.cmd("NOOP").raw, OK)
        self.assertStillHealthy(server, ok, "after control octets")


class LongLine(BadInputCase):

    def test_one_mebibyte_line(self):
        server = self.start_server()
        ok = self.healthy(server)
        bad = self.client(server)
        bad.ehlo()
        bad.send(b"A" * (1 << 20))
        # Memory stays bounded while the line goes on; the server waits for its end.
        self.assertTrue(bad.nothing_within(0.2))
        self.assertEqual(ok.cmd("NOOP").raw, OK)
        bad.send(b"\r\nNOOP\r\n")
        self.assertEqual(bad.reply().raw, b"500 5.5.2 Line too long\r\n")
        self.assertEqual(bad.reply().raw, OK)
        event = [e["text"] for e in server.session_of(bad)["transcript"]
                 if e["direction"] == "event"]
        self.assertIn(f"line too long: {(1 << 20) + 2} octets discarded", event)
        self.assertStillHealthy(server, ok, "after a long line")
        # The long-line session goes on too.
        self.assertEqual(bad.send_message("a@b.test", ["c@d.test"], b"x").code, 250)

    def test_long_line_in_data_is_kept(self):
        # Inside DATA a line is not a command: RFC 5321 §4.5.3.1.6's 1000
        # octets is a SHOULD for senders; the server keeps what it gets.
        server = self.start_server()
        ok = self.healthy(server)
        bad = self.client(server)
        bad.ehlo()
        line = b"L" * 100000
        self.assertEqual(bad.send_message("a@b.test", ["c@d.test"], line).code, 250)
        messages = server.expect_messages(1)
        self.assertTrue(server.raw(messages[0]["id"]).endswith(line + b"\r\n"))
        self.assertStillHealthy(server, ok, "after a long data line")


class Vanish(BadInputCase):

    def test_client_vanishes_mid_data(self):
        server = self.start_server()
        ok = self.healthy(server)
        bad = self.client(server)
        bad.ehlo()
        self.assertEqual(bad.cmd("MAIL FROM:<a@b.test>").code, 250)
        self.assertEqual(bad.cmd("RCPT TO:<c@d.test>").code, 250)
        self.assertEqual(bad.cmd("DATA").code, 354)
        bad.send(b"Subject: half\r\n\r\nonly half of a message\r\n")
        record_id = server.session_of(bad)["id"]
        bad.close()
        record = wait_until(lambda: (r := server.session(record_id))["ended"] and r,
                            what="the vanished session to end")
        self.assertEqual(record["messages"], 0)
        events = [e["text"] for e in record["transcript"] if e["direction"] == "event"]
        self.assertTrue(any(t.startswith("client closed") for t in events), events)
        stats = server.stats()
        self.assertEqual(stats["active_sessions"], 1)
        self.assertEqual(stats["messages_accepted"], 0)
        self.assertEqual(server.messages()["count"], 0)
        self.assertStillHealthy(server, ok, "after a vanished client")

    def test_client_resets_mid_data(self):
        server = self.start_server()
        ok = self.healthy(server)
        bad = self.client(server)
        bad.ehlo()
        self.assertEqual(bad.cmd("MAIL FROM:<a@b.test>").code, 250)
        self.assertEqual(bad.cmd("RCPT TO:<c@d.test>").code, 250)
        self.assertEqual(bad.cmd("DATA").code, 354)
        bad.send(b"x" * 100000)
        record_id = server.session_of(bad)["id"]
        bad.reset()
        wait_until(lambda: server.session(record_id)["ended"], what="the reset session to end")
        self.assertEqual(server.messages()["count"], 0)
        self.assertStillHealthy(server, ok, "after a reset client")


class TlsGarbage(BadInputCase):

    def test_garbage_instead_of_a_tls_handshake(self):
        server = self.start_server()
        ok = self.healthy(server)
        bad = self.client(server)
        bad.ehlo()
        self.assertEqual(bad.cmd("STARTTLS").code, 220)
        bad.send(b"this is not a TLS ClientHello\r\n" * 64)
        data, _ = bad.read_until_closed(timeout=10)
        # At most a TLS alert record (content type 21), never an SMTP reply.
        self.assertTrue(data == b"" or data[:1] == b"\x15", data[:100])
        stats = server.stats()
        self.assertGreaterEqual(stats["tls_failures"], 1)
        self.assertEqual(stats["tls_handshakes"], 0)
        events = [e["text"] for e in server.session_of(bad)["transcript"]
                  if e["direction"] == "event"]
        self.assertTrue(any(t.startswith("TLS handshake failed") for t in events), events)
        self.assertStillHealthy(server, ok, "after TLS garbage")

    def test_garbage_on_the_implicit_tls_port(self):
        server = self.start_server()
        ok = self.healthy(server)
        raw = socket.create_connection((server.host, server.smtps_port), timeout=10)
        self.addCleanup(raw.close)
        raw.sendall(b"EHLO plaintext.test\r\n" * 16)
        raw.settimeout(10)
        received = b""
        for _ in range(100):
            try:
                chunk = raw.recv(4096)
            except ConnectionResetError:
                break
            if not chunk:
                break
            received += chunk
        self.assertNotIn(b"220", received)
        self.assertGreaterEqual(server.stats()["tls_failures"], 1)
        self.assertStillHealthy(server, ok, "after plaintext on the TLS port")


class Idle(BadInputCase):

    def test_idle_client_gets_421_then_close(self):
        server = self.start_server("--idle-timeout", "1s")
        ok = self.healthy(server)
        idle = self.client(server)
        started = time.monotonic()
        # Keep the healthy session busy (a NOOP every 0.3 s resets its idle
        # timer) while the idle one waits for its 421. Bounded: 20 rounds.
        reply = None
        for _ in range(20):
            if not idle.nothing_within(0.3):
                try:
                    reply = idle.reply(timeout=2)
                except Closed:
                    self.fail("idle session closed without the 421 4.4.2 reply "
                              "(RFC 5321 §4.5.3.2.7)")
                break
            self.assertEqual(ok.cmd("NOOP").raw, OK)
        self.assertIsNotNone(reply, "no idle timeout within 6 s")
        elapsed = time.monotonic() - started
        # No EHLO was sent, and the enhanced code comes all the same (RFC
        # 2034 §4: "regardless of whether or not EHLO is employed"); the domain
        # follows the code as RFC 5321 §4.2.2 writes 421 replies.
        self.assertEqual(reply.raw, b"421 4.4.2 fake-smtpd.test Idle timeout, closing\r\n")
        self.assertGreaterEqual(elapsed, 0.9)
        self.assertLess(elapsed, 4.0)
        data, _ = idle.read_until_closed(timeout=5)
        self.assertEqual(data, b"")
        stats = server.stats()
        self.assertEqual(stats["idle_timeouts"], 1)
        self.assertEqual(stats["active_sessions"], 1)
        self.assertStillHealthy(server, ok, "after an idle client")


if __name__ == "__main__":
    unittest.main()
