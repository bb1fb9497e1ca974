"""smtp-harness load --sink with a real relay: Debian's Postfix, a private
instance (mta.start_postfix_relay) whose relayhost is the harness's sink.

- 60 s at 200 messages a second, one to three recipients each
  (scenarios/load/relay.lua): every pair arrives, none twice, none changed;
- the sink defers one RCPT in five (scenarios/fake/sink-defer-rcpt.lua):
  Postfix retries, everything arrives within the drain, and the result
  shows the retries;
- Postfix's relayhost is not the sink: the run fails after the drain with
  the hint to look at the relay's routing.
Needs root, like test_check_mta (Postfix starts as root and drops to its
users).
"""

import unittest

import mta
from loadharness import EXIT_FAILED, EXIT_OK, fake_scenario, load_scenario
from loadresult import delivery_summary
from sinkharness import UNROUTED_LOAD, SinkTestCase

# 60 s of load and up to 60 s of drain (or 10 s and up to 180 s), with the
# margin a busy machine needs.
LONG_RUN_TIMEOUT = 300.0
RUN_TIMEOUT = 120.0


def postfix(sink_port):
    return mta.start_postfix_relay(sink_port)


class PostfixRelay(SinkTestCase):
    def test_a_minute_at_200_messages_a_second(self):
        done = self.through(postfix, load_scenario("relay"), "--rate", 200, "--duration", "60s",
                            "--drain", "60s", expect=EXIT_OK, timeout=LONG_RUN_TIMEOUT)
        self.report("postfix, 60 s at 200/s", done)
        section = done.delivery
        counts = section["counts"]
        load = done.run.result["load"]
        self.assertEqual(load["counters"]["transactions_started"], counts["accepted_messages"],
                         "Postfix accepts every message it is given")
        self.assertGreaterEqual(counts["accepted_messages"], 0.95 * 60 * 200)
        self.assertEqual(counts["delivered"], counts["accepted"])
        self.assertEqual((counts["lost"], counts["duplicated"], counts["corrupted"],
                          counts["unexpected"], counts["bounced"]), (0, 0, 0, 0, 0))
        latency = delivery_summary(section, "latency")
        self.assertGreater(latency["p50_ns"], 0)
        self.assertGreaterEqual(latency["p99_ns"], latency["p50_ns"])
        # Postfix adds its Received: line to each message (RFC 5321 §4.4).
        self.assertGreater(section["header_changes"].get("added Received", 0), 0,
                           section["header_changes"])
        relay = section["relay"]
        self.assertEqual(relay["hello_names"].get(mta.RELAY_HOSTNAME), relay["connections"],
                         relay)
        self.assertEqual(sum(int(k) * v for k, v in relay["recipients_per_transaction"].items()),
                         counts["delivered"], "every recipient once, in some transaction")

    def test_deferred_recipients_are_retried_within_the_drain(self):
        # The drain ends when the last pair arrives; its bound is generous
        # because a CI machine running ASan tests beside it once left two
        # deferred messages in this Postfix's queue, untried, for a whole
        # 60 s drain (its backoff is 1-2 s): the sink counted them lost,
        # rightly, and postqueue -p showed them.
        done = self.through(postfix, load_scenario("relay"), "--rate", 50, "--duration", "10s",
                            "--drain", "180s", "--sink-profile", fake_scenario("sink-defer-rcpt"),
                            expect=EXIT_OK, timeout=LONG_RUN_TIMEOUT)
        self.report("postfix, the sink deferring 1 RCPT in 5", done)
        section = done.delivery
        counts = section["counts"]
        self.assertEqual(section["profile"], fake_scenario("sink-defer-rcpt"))
        self.assertEqual(counts["delivered"], counts["accepted"])
        self.assertEqual((counts["lost"], counts["duplicated"], counts["corrupted"]), (0, 0, 0))
        self.assertGreater(counts["retried"], 0)
        self.assertTrue(any(int(k) > 1 for k in section["attempts"]), section["attempts"])
        # One delay between each two consecutive RCPTs of a pair: the sink
        # defers nothing but RCPTs, so every pair delivered after k attempts
        # has k - 1 of them.
        delays = delivery_summary(section, "retry_delay")
        self.assertEqual(delays["count"],
                         sum((int(k) - 1) * n for k, n in section["attempts"].items()))
        # Postfix takes a deferred message up again when its queue file's
        # time, set to the deferral plus minimal_backoff_time (1 s) in whole
        # seconds, has passed, at its next scan (queue_run_delay, 1 s): from
        # a few milliseconds to about 2 s later; 10 s would be another clock.
        self.assertLess(delays["max_ns"], 10e9, delays)

    def test_a_relayhost_elsewhere_fails_the_run_with_a_hint(self):
        elsewhere = mta.free_port()
        done = self.through(lambda sink_port: mta.start_postfix_relay(elsewhere), *UNROUTED_LOAD,
                            expect=EXIT_FAILED, timeout=RUN_TIMEOUT)
        self.assertNothingArrived(done.run, done.delivery, done.sink_port)
        self.assertIn("postqueue -p", done.run.stderr)


if __name__ == "__main__":
    unittest.main()
