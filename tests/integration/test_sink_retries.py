"""Postfix retrying what the next hop deferred: the private relay of
mta.start_postfix_relay (backoff 1 to 2 s) behind a next hop that defers
one RCPT in five (scenarios/fake/sink-defer-rcpt.lua):

- with fake-smtpd as the next hop, every recipient arrives within seconds,
  exactly once (the fixture's own proof);
- with the harness's sink as the next hop (`load --sink --sink-profile`),
  everything arrives within the drain and the result shows the retries:
  the retried share, the attempts, one retry delay per retry.

ctest runs these alone (RUN_SERIAL): beside other tests on a saturated
2-core CI machine, Postfix twice left a deferred message untried for a
whole minute, although its backoff is 2 s at most (postqueue -p showed it
deferred, its log showed no second attempt); a test of its retries would
then measure the machine.
"""

import time
import unittest

import mta
from fakesmtpd import wait_until
from loadharness import EXIT_OK, fake_scenario, load_scenario
from loadresult import delivery_summary
from sinkharness import SinkTestCase
from test_relays import WAIT, RelayCase, send, sender

# 10 s of load and up to 180 s of drain, with a busy machine's margin.
RUN_TIMEOUT = 300.0


def postfix(sink_port):
    return mta.start_postfix_relay(sink_port)


class PostfixRetries(RelayCase):
    def test_retries_deferred_recipients_within_seconds(self):
        sink = self.sink(profile=fake_scenario("sink-defer-rcpt"))
        with mta.start_postfix_relay(sink.smtp_port) as postfix:
            started = time.monotonic()
            send(postfix.port, range(1, 21), recipients=("a@example.test", "b@example.test"))
            expected = sorted((sender(n), r) for n in range(1, 21)
                              for r in ("a@example.test", "b@example.test"))

            def pairs():
                return sorted((m["from"], r) for m in sink.messages()["messages"]
                              for r in m["to"])
            try:
                wait_until(lambda: len(pairs()) >= len(expected), timeout=WAIT, interval=0.1,
                           what="every recipient delivered")
            except AssertionError as e:
                raise AssertionError(f"{e}\npostqueue -p:\n{mta.postfix_queue(postfix)}\n"
                                     f"{postfix.log_tail()}") from None
            seconds = time.monotonic() - started
            self.assertEqual(pairs(), expected, "each recipient exactly once")
            deferred = sink.rule("defer-rcpt")["fired"]
            self.assertGreater(deferred, 0, "the profile deferred no RCPT: nothing was retried")
            print(f"\npostfix relay: {deferred} RCPTs deferred, all 40 recipients delivered "
                  f"after {seconds:.1f}s")


class PostfixRetriesThroughTheSink(SinkTestCase):
    def test_deferred_recipients_are_retried_within_the_drain(self):
        # The drain ends when the last pair arrives; its bound is generous
        # because a CI machine running ASan tests beside it once left two
        # deferred messages in this Postfix's queue, untried, for a whole
        # 60 s drain (its backoff is 1-2 s): the sink counted them lost,
        # rightly, and postqueue -p showed them.
        done = self.through(postfix, load_scenario("relay"), "--rate", 50, "--duration", "10s",
                            "--drain", "180s", "--sink-profile", fake_scenario("sink-defer-rcpt"),
                            expect=EXIT_OK, timeout=RUN_TIMEOUT)
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


if __name__ == "__main__":
    unittest.main()
