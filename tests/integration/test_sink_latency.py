"""smtp-harness load --sink measures a relay's delay to within 2 %: behind
relay.py's hold relay, which keeps every message a fixed 200 ms, the
delivery latency's p50 is 200 ms plus the loopback time, measured by the
same run through the same relay holding nothing. First, the hold relay is
shown to hold each message its 200 ms, measured at fake-smtpd.

Measurements to a few milliseconds: ctest runs them alone (RUN_SERIAL), as
on a busy machine they would measure the machine, not the relay or the
sink.
"""

import concurrent.futures
import unittest

from loadharness import EXIT_OK
from loadresult import delivery_summary
from sinkharness import SinkTestCase
from test_relays import PACE, WAIT, RelayCase, received_at, send

# The harness's timer resolution and the relay's: the contract's ±2 %.
HOLD_TOLERANCE = 0.02
RUN_TIMEOUT = 120.0
HOLD = 0.200
# A hold measured at fake-smtpd: its received_at has milliseconds (the
# lower margin: never early), and the delivery after the timer takes a few
# milliseconds on loopback (the median's margin), more for a few messages
# on a machine busy with other tests (the latest's). A relay that passed
# messages on in batches, or one after another, would be late by a batch's
# period or by the deliveries queued before each.
HOLD_EARLY = 0.001
HOLD_MEDIAN_LATE = 0.025
HOLD_LATE = 0.150


class HoldRelay(RelayCase):
    def test_hold_delivers_each_message_its_hold_after_its_250(self):
        sink = self.sink()
        relay = self.relay("hold", sink, "--hold", "200ms")
        # 4 connections of 10 messages each, 200 a second in all: 40 held
        # at once.
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            batches = [pool.submit(send, relay.port, range(k * 10, k * 10 + 10), pace=PACE)
                       for k in range(4)]
            accepted = {}
            for batch in batches:
                accepted.update(batch.result(timeout=WAIT))
        first = min(before for before, _ in accepted.values())
        last = max(after for _, after in accepted.values())
        arrived = {int(m["from"].split("+")[1].split("@")[0]): received_at(m)
                   for m in self.arrivals(sink, 40)}
        self.assertEqual(sorted(arrived), sorted(accepted))
        # At least (from before the MAIL, so never shorter than the hold)
        # and at most (from after the 250 was read) how long each was held.
        longer = sorted(arrived[n] - before for n, (before, _) in accepted.items())
        held = sorted(arrived[n] - after for n, (_, after) in accepted.items())
        self.assertGreaterEqual(longer[0], HOLD - HOLD_EARLY, longer)
        self.assertLessEqual(held[20], HOLD + HOLD_MEDIAN_LATE, held)
        self.assertLessEqual(held[-1], HOLD + HOLD_LATE, held)
        stats = self.settled(relay, 40)
        self.assertEqual(stats["forwarded"], 40, stats)
        print(f"\nhold 200ms: 40 messages accepted within {last - first:.3f}s; held "
              f"{held[0]:.4f}..{held[-1]:.4f}s (median {held[20]:.4f}s); latest timer "
              f"{stats['late_ms_max']} ms late")


class Latency(SinkTestCase):
    def test_the_delivery_latency_is_the_relays_hold(self):
        """The loopback time is measured, not assumed: the p50 of the same
        run through the same relay holding nothing. Through the relay
        holding 200 ms, the p50 must be 200 ms plus that, within 2 %. (The
        loopback time is a whole delivery, of which a held message has only
        the last round trip after its timer: the relay opens its transaction
        during the hold. The difference, about a millisecond, is well inside
        the 2 %.)"""
        load = ("--rate", 50, "--duration", "4s", "--drain", "10s")
        p50 = {}
        for hold in (0, HOLD):
            done = self.through(self.relay_py("hold", "--hold", f"{hold}s"), *load,
                                expect=EXIT_OK, timeout=RUN_TIMEOUT)
            self.report(f"hold {hold}s", done)
            counts = done.delivery["counts"]
            self.assertEqual(counts["delivered"], counts["accepted"])
            self.assertGreaterEqual(counts["accepted"], 190, "50 a second for 4 s")
            p50[hold] = delivery_summary(done.delivery, "latency")["p50_ns"] / 1e9
        expected = HOLD + p50[0]
        self.assertLess(p50[0], 0.1 * HOLD, "the loopback time is a small part of the hold")
        self.assertAlmostEqual(p50[HOLD], expected, delta=HOLD_TOLERANCE * expected,
                               msg=f"loopback p50 {p50[0] * 1000:.2f} ms")


if __name__ == "__main__":
    unittest.main()
