"""The relays of the load tests of `smtp-harness load --sink`, proven on
their own against fake-smtpd as the next hop, so that a failed sink test
points at the harness, not at its relay: relay.py's store-and-forward modes
(drop, twice, bounce, and unstuffed and folding with --queue) deliver
exactly what they are documented to (the hold's timing is measured alone,
in test_sink_latency), and the private Postfix of mta.py
(start_postfix_relay) relays to its relayhost (its retries: test_sink_retries).

The client is Python's smtplib; what arrived is read from fake-smtpd's
HTTP API (GET /api/messages, .../raw). Every wait is bounded.
"""

import datetime
import email
import email.policy
import smtplib
import time
import unittest

import mta
from fakesmtpd import FakeSmtpd, wait_until
from relay import Relay

# The load tests' rate: 4 connections, a message every 20 ms on each.
PACE = 0.020
WAIT = 30.0


def sender(n):
    """The envelope sender of test message n: each message is told apart by it."""
    return f"load+{n}@harness.test"


def message(n, body="A line.\r\n"):
    return (f"From: <{sender(n)}>\r\nTo: <rcpt@example.test>\r\nSubject: message {n}\r\n"
            f"Message-ID: <{n}@harness.test>\r\n\r\n{body}").encode()


def send(port, numbers, recipients=("rcpt@example.test",), body="A line.\r\n", null=(),
         pace=0.0):
    """Sends messages `numbers` over one connection, one every `pace`
    seconds at most; returns {n: (wall-clock time before its MAIL, and
    after its 250)}: the relay's 250 was written between the two. Numbers
    in `null` go from the null reverse-path."""
    accepted = {}
    with smtplib.SMTP("127.0.0.1", port, timeout=WAIT) as client:
        start = time.monotonic()
        for i, n in enumerate(numbers):
            time.sleep(max(0.0, start + i * pace - time.monotonic()))  # the schedule, not a wait
            before = time.time()
            client.sendmail("" if n in null else sender(n), list(recipients), message(n, body))
            accepted[n] = (before, time.time())
    return accepted


def received_at(entry):
    """fake-smtpd's received_at (RFC 3339, milliseconds) in epoch seconds."""
    return datetime.datetime.fromisoformat(entry["received_at"].replace("Z", "+00:00")).timestamp()


class RelayCase(unittest.TestCase):
    def sink(self, profile=None):
        server = FakeSmtpd(profile=profile)
        server.start()
        self.addCleanup(server.stop)
        return server

    def relay(self, mode, sink, *options):
        relay = Relay(mode, f"127.0.0.1:{sink.smtp_port}", *options).start()
        self.addCleanup(relay.stop)
        return relay

    def settled(self, relay, received):
        """The relay's counts once it took `received` messages and has none
        left to deliver (bounded)."""
        return wait_until(lambda: (lambda s: s if s.get("received") == received
                                   and s["in_flight"] == 0 else None)(relay.stats()),
                          timeout=WAIT, interval=0.05,
                          what=f"the relay to take {received} messages and deliver them")

    def arrivals(self, sink, n):
        """The n messages fake-smtpd holds, and that it holds no more."""
        status, body = sink.wait_messages(n, "20s")
        self.assertEqual(status, 200, f"{body.get('count')} messages arrived, not {n}")
        self.assertEqual(body["count"], n)
        return body["messages"]


class StoreAndForward(RelayCase):
    def test_drop_loses_exactly_every_hundredth_message(self):
        sink = self.sink()
        relay = self.relay("drop", sink)
        send(relay.port, range(1, 301), recipients=("a@example.test", "b@example.test"))
        stats = self.settled(relay, 300)
        self.assertEqual((stats["forwarded"], stats.get("dropped")), (297, 3), stats)
        arrived = {m["from"] for m in self.arrivals(sink, 297)}
        self.assertEqual({sender(n) for n in range(1, 301)} - arrived,
                         {sender(100), sender(200), sender(300)})

    def test_twice_delivers_every_tenth_message_twice(self):
        sink = self.sink()
        relay = self.relay("twice", sink)
        send(relay.port, range(1, 31))
        stats = self.settled(relay, 30)
        self.assertEqual((stats["forwarded"], stats.get("duplicated")), (33, 3), stats)
        arrived = [m["from"] for m in self.arrivals(sink, 33)]
        self.assertEqual({s for s in arrived if arrived.count(s) == 2},
                         {sender(10), sender(20), sender(30)})
        self.assertEqual(set(arrived), {sender(n) for n in range(1, 31)})

    def test_bounce_sends_a_delivery_status_notification_instead(self):
        sink = self.sink()
        relay = self.relay("bounce", sink)
        recipients = ("a@example.test", "B@Example.Test")
        # The 150th comes from the null reverse-path: picked, but nobody to
        # notify (RFC 5321 §4.5.5).
        send(relay.port, range(1, 151), recipients=recipients, null={150})
        stats = self.settled(relay, 150)
        self.assertEqual((stats["forwarded"], stats.get("bounced")), (147 + 2, 3), stats)
        messages = self.arrivals(sink, 149)
        notices = [m for m in messages if m["from"] == ""]
        self.assertEqual(sorted(m["to"][0] for m in notices), [sender(100), sender(50)])
        self.assertEqual({m["from"] for m in messages if m["from"]},
                         {sender(n) for n in range(1, 150)} - {sender(50), sender(100)})
        for notice in notices:
            self.assertEqual(notice["to"], [notice["to"][0]])
            n = int(notice["to"][0].split("+")[1].split("@")[0])
            self.assertNotification(sink.raw(notice["id"]), n, recipients)

    def assertNotification(self, raw, n, recipients):
        """RFC 3464 and RFC 6522: a multipart/report of report-type
        delivery-status whose message/delivery-status part has the
        per-message fields, then one group per recipient."""
        report = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(report.get_content_type(), "multipart/report")
        self.assertEqual(report.get_param("report-type"), "delivery-status")
        self.assertEqual([a.addr_spec for a in report["To"].addresses], [sender(n)])
        parts = report.get_payload()
        self.assertEqual([p.get_content_type() for p in parts],
                         ["text/plain", "message/delivery-status", "text/rfc822-headers"])
        groups = parts[1].get_payload()
        self.assertIn("dns; relay.test", groups[0]["Reporting-MTA"])
        self.assertEqual([(g["Final-Recipient"], g["Action"], g["Status"]) for g in groups[1:]],
                         [(f"rfc822; {r}", "failed", "5.0.0") for r in recipients])
        self.assertIn(f"Subject: message {n}", parts[2].get_payload())

    def test_unstuffed_queued_breaks_only_lines_that_start_with_a_dot(self):
        sink = self.sink()
        relay = self.relay("unstuffed", sink, "--queue")
        send(relay.port, [1], body="plain\r\n")
        send(relay.port, [2], body=".leading dot\r\n..two dots\r\n")
        self.settled(relay, 2)
        bodies = {m["from"]: sink.raw(m["id"]).split(b"\r\n\r\n", 1)[1]
                  for m in self.arrivals(sink, 2)}
        self.assertEqual(bodies[sender(1)], b"plain\r\n")
        self.assertEqual(bodies[sender(2)], b"leading dot\r\n.two dots\r\n")

    def test_folding_queued_folds_lines_over_990_octets(self):
        sink = self.sink()
        relay = self.relay("folding", sink, "--queue")
        send(relay.port, [1], body="x" * 1200 + "\r\n")
        self.settled(relay, 1)
        body = sink.raw(self.arrivals(sink, 1)[0]["id"]).split(b"\r\n\r\n", 1)[1]
        self.assertEqual(body, b"x" * 990 + b"\r\n " + b"x" * 210 + b"\r\n")

    def test_a_next_hop_that_is_down_gets_nothing_and_the_client_its_250(self):
        relay = Relay("hold", f"127.0.0.1:{mta.free_port()}").start()
        try:
            send(relay.port, range(1, 21))
            stats = self.settled(relay, 20)
        finally:
            errors = relay.stop()
        self.assertEqual((stats.get("forwarded", 0), stats["failed"]), (0, 20), stats)
        self.assertIn("relay: delivery failed: ConnectionRefusedError", errors)
        self.assertEqual(errors.count("delivery failed"), 10, "only the first ten are shown")


class PostfixRelay(RelayCase):
    """mta.start_postfix_relay: Postfix as the relay of the sink tests."""

    def test_relays_to_its_relayhost_with_the_envelope_it_was_given(self):
        sink = self.sink()
        with mta.start_postfix_relay(sink.smtp_port) as postfix:
            send(postfix.port, [1], recipients=("a@example.test", "B@Example.Test"),
                 body=".leading dot\r\nend\r\n")
            arrived = self.arrivals(sink, 1)[0]
            self.assertEqual(arrived["from"], sender(1))
            self.assertEqual(sorted(arrived["to"]), ["B@Example.Test", "a@example.test"])
            self.assertEqual(arrived["helo"], mta.RELAY_HOSTNAME)
            raw = sink.raw(arrived["id"])
            header, body = raw.split(b"\r\n\r\n", 1)
            self.assertEqual(body, b".leading dot\r\nend\r\n")
            self.assertIn(f"by {mta.RELAY_HOSTNAME} (Postfix)".encode(), header)
            self.assertIn(b"Message-ID: <1@harness.test>", header)


if __name__ == "__main__":
    unittest.main()
