"""smtp-harness load --sink behind relay.py's store-and-forward relays
(test_relays proves each on its own; test_sink_latency the latency): each
broken relay shows as its exact count
(lost, duplicated, corrupted, bounced); a relay whose next hop is not the
sink makes the run fail after the drain with the hint of where to look;
SIGINT during the drain ends it and judges what arrived.
"""

import os
import time
import unittest

import mta
from loadharness import EXIT_FAILED, EXIT_OK
from loadresult import delivery as delivery_section
from relay import Relay
from sinkharness import UNROUTED_LOAD, SinkTestCase

RUN_TIMEOUT = 120.0

# Every tenth message (by ctx.seq) has a body that the broken relays
# corrupt: a line that starts with a dot (the unstuffed relay passes it on
# unstuffed, RFC 5321 §4.5.2, and the sink removes the dot) and a line of
# 995 octets (the folding relay splits lines over 990; §4.5.3.1.6 allows
# 998). The reply hook counts those the relay accepted: the exact number of
# corrupted pairs to expect, one recipient each.
CORRUPTIBLE = """
local LONG = string.rep("x", 995)
return {
  message = function(ctx)
    if ctx.seq % 10 == 0 then
      return { body = "Special " .. ctx.seq .. "\\n.a line that starts with a dot\\n"
                      .. LONG .. "\\nend\\n" }
    end
    return { body = "Plain " .. ctx.seq .. "\\nend\\n" }
  end,
  reply = function(ctx, phase, reply)
    if phase == "end_of_data" and reply.code == 250 and ctx.seq % 10 == 0 then
      ctx:count("corruptible_accepted")
    end
  end,
}
"""


class BrokenRelays(SinkTestCase):
    """Each relay breaks every N-th message it accepted; how many that
    were, it says itself (relay.py's counts, whose arithmetic test_relays
    proves): the sink must count exactly those, per recipient."""

    def broken(self, mode, *args, expect, options=()):
        done = self.through(self.relay_py(mode, *options), *args, expect=expect,
                            timeout=RUN_TIMEOUT)
        self.report(mode, done)
        counts = done.delivery["counts"]
        self.assertEqual(done.relay.get("received"), counts["accepted_messages"],
                         f"the relay took what the load saw accepted\n{done.story}")
        self.assertEqual(done.relay.get("failed", 0), 0, done.story)
        return done, counts

    def test_drop_loses_one_message_in_a_hundred(self):
        done, counts = self.broken("drop", "--rate", 200, "--messages", 500, "--recipients", 2,
                                   "--drain", "3s", expect=EXIT_FAILED)
        dropped = done.relay.get("dropped", 0)
        self.assertEqual(dropped, counts["accepted_messages"] // 100)
        self.assertGreater(dropped, 0, done.story)
        self.assertEqual((counts["lost"], counts["delivered"]),
                         (2 * dropped, counts["accepted"] - 2 * dropped))
        self.assertEqual((counts["duplicated"], counts["corrupted"], counts["bounced"],
                          counts["unexpected"]), (0, 0, 0, 0))
        self.assertFalse(self.threshold(done.run, "lost<=0")["passed"])
        self.assertTrue(any(s.startswith("lost: ") for s in done.delivery["samples"]),
                        done.delivery["samples"])

    def test_twice_duplicates_one_message_in_ten(self):
        # 209 messages: the 200th, the last the relay doubles, is followed
        # by 9 more (90 ms at 100 a second), so that its second copy arrives
        # before the last pair does and the drain ends.
        done, counts = self.broken("twice", "--rate", 100, "--messages", 209, "--recipients", 2,
                                   "--drain", "10s", expect=EXIT_FAILED)
        doubled = done.relay.get("duplicated", 0)
        self.assertEqual(doubled, counts["accepted_messages"] // 10)
        self.assertGreater(doubled, 0, done.story)
        self.assertEqual((counts["duplicated"], counts["delivered"], counts["lost"]),
                         (2 * doubled, counts["accepted"], 0))
        self.assertFalse(self.threshold(done.run, "duplicated<=0")["passed"])

    def test_unstuffed_and_folding_corrupt_exactly_the_bodies_they_break(self):
        scenario = self.temp_file(CORRUPTIBLE)
        for mode in ("unstuffed", "folding"):
            with self.subTest(relay=mode):
                done, counts = self.broken(mode, scenario, "--rate", 200, "--messages", 300,
                                           "--drain", "10s", expect=EXIT_FAILED,
                                           options=("--queue",))
                corruptible = done.run.result["load"]["custom"].get("corruptible_accepted", 0)
                self.assertGreater(corruptible, 0, "every tenth message")
                self.assertEqual((counts["corrupted"], counts["lost"], counts["duplicated"]),
                                 (corruptible, 0, 0))
                self.assertFalse(self.threshold(done.run, "corrupted<=0")["passed"])

    def test_bounce_counts_the_notified_recipients_and_loses_nothing(self):
        done, counts = self.broken("bounce", "--rate", 200, "--messages", 500, "--recipients", 2,
                                   "--drain", "10s", expect=EXIT_OK)
        bounced = done.relay.get("bounced", 0)
        self.assertEqual(bounced, counts["accepted_messages"] // 50)
        self.assertGreater(bounced, 0, done.story)
        self.assertEqual((counts["bounced"], counts["delivered"], counts["lost"],
                          counts["unexpected"]),
                         (2 * bounced, counts["accepted"] - 2 * bounced, 0, 0))


class BeforeThe250(SinkTestCase):
    """A relay may pass a message on, or bounce it, before the client has
    read its 250 (here: before it even answers, --no-queue; in a load run, a
    fast relay and a busy generator): what arrives that early still
    counts, once the 250 is read."""

    def test_arrivals_and_duplicates(self):
        done = self.through(self.relay_py("twice", "--no-queue"), "--rate", 50, "--messages", 40,
                            "--recipients", 2, "--drain", "3s", expect=EXIT_FAILED,
                            timeout=RUN_TIMEOUT)
        self.report("twice, before the 250", done)
        counts = done.delivery["counts"]
        self.assertEqual(done.relay.get("duplicated"), 4, done.story)
        self.assertEqual((counts["delivered"], counts["duplicated"], counts["lost"],
                          counts["unexpected"]), (80, 8, 0, 0))
        # The second copy's RCPT is a duplicate's, not a retry: no pair
        # needed more than one.
        self.assertEqual((counts["retried"], done.delivery["attempts"]), (0, {"1": 80}))

    def test_notifications(self):
        done = self.through(self.relay_py("bounce", "--no-queue", "--every", 1), "--rate", 50,
                            "--messages", 20, "--recipients", 2, "--drain", "3s",
                            expect=EXIT_OK, timeout=RUN_TIMEOUT)
        self.report("bounce every message, before the 250", done)
        counts = done.delivery["counts"]
        self.assertEqual(done.relay.get("bounced"), 20, done.story)
        self.assertEqual((counts["bounced"], counts["delivered"], counts["lost"],
                          counts["unexpected"]), (40, 0, 0, 0))


class NotRouted(SinkTestCase):
    def test_a_relay_that_delivers_elsewhere_fails_the_run_with_a_hint(self):
        # It passes everything on to a port where nothing listens.
        elsewhere = f"127.0.0.1:{mta.free_port()}"
        done = self.through(lambda sink_port: Relay("hold", elsewhere), *UNROUTED_LOAD,
                            expect=EXIT_FAILED, timeout=RUN_TIMEOUT)
        self.assertNothingArrived(done.run, done.delivery, done.sink_port)


class InterruptedDrain(SinkTestCase):
    def test_sigint_during_the_drain_judges_what_arrived(self):
        # The relay holds every message a minute: the load is over long
        # before anything arrives, and the drain would wait 60 s.
        sink_port = mta.free_port()
        with Relay("hold", f"127.0.0.1:{sink_port}", "--hold", "60s") as relay:
            process = self.start_load("--target", relay.address, "--sink",
                                      f"127.0.0.1:{sink_port}", "--rate", 10, "--messages", 5,
                                      "--drain", "60s")
            stderr = os.path.join(process.tmp, "stderr")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and process.running():
                with open(stderr, "rb") as f:
                    if b"drain: waiting up to 60s for 5 of 5 accepted pairs" in f.read():
                        break
                time.sleep(0.05)  # polling a file for a line: bounded by the deadline
            sent = time.monotonic()
            process.interrupt()
            run = process.finish(timeout=15)
        self.assertNoSanitizerReport(run)
        self.assertLess(time.monotonic() - sent, 5, "SIGINT ends the drain at once")
        # Judged: everything is lost, so the implied lost<=0 fails the run.
        self.assertEqual(run.code, EXIT_FAILED, self.describe(run))
        section = delivery_section(run.result)
        self.assertIs(section["drain"]["interrupted"], True)
        self.assertLess(section["drain"]["seconds"], 30)
        self.assertEqual(section["counts"]["accepted"], 5)
        self.assertEqual(section["counts"]["lost"], 5)
        self.assertFalse(self.threshold(run, "lost<=0")["passed"])
        # Cut short, the drain says nothing about the relay's routing.
        self.assertNotIn("check that the relay routes", run.stderr)
        self.assertValid(run.result)


if __name__ == "__main__":
    unittest.main()
