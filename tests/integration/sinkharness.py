"""Helpers for the tests of `smtp-harness load --sink` (README, "Load-testing
a relay"): the load goes to a relay, the relay passes it on to the harness's
own sink, and the result's delivery section (loadresult.delivery) accounts
for every (message, recipient) pair the relay accepted.

The relay needs the sink's address before it starts (relay.py's --to,
Postfix's relayhost), so the sink gets a port picked free first; a run whose
sink could not bind it (taken in between) is tried again with a fresh port
and a fresh relay. Standard library only; every wait is bounded.
"""

import collections

import mta
from loadharness import EXIT_USAGE, LoadTestCase
from loadresult import delivery, delivery_summary
from relay import Relay

BIND_ATTEMPTS = 3

SinkRun = collections.namedtuple("SinkRun", "run delivery sink_port relay story")
SinkRun.__doc__ = """A load run through a relay: the LoadRun, its delivery section, the
sink's port, relay.py's counts after the run (None for Postfix), and the
relay's side of the story as text (for failure messages)."""
# The thresholds a run with --sink applies unless the user gave one on the metric.
IMPLIED = ("lost<=0", "duplicated<=0", "corrupted<=0")
# What a run of 20 messages sends to a relay that does not route to the sink.
UNROUTED_LOAD = ("--rate", 20, "--messages", 20, "--drain", "3s")


class SinkTestCase(LoadTestCase):
    def relay_py(self, mode, *options):
        """A maker for through(): relay.py in `mode` with `options`, passing
        everything on to the sink's port."""
        return lambda sink_port: Relay(mode, f"127.0.0.1:{sink_port}", *options)

    def through(self, make_relay, *args, expect, timeout):
        """Runs `smtp-harness load --target RELAY --sink 127.0.0.1:PORT ARGS
        --json FILE`; make_relay(PORT) is a context manager yielding the
        relay (with .address), running for the whole load run. Checks the
        exit code (with the relay's side of the story when it is wrong) and
        what every run with a sink must account for. Returns a SinkRun; its
        relay holds relay.py's counts (Relay.stats) after the run, what the
        exact expectations of a broken relay are computed from, or None for
        Postfix."""
        for attempt in range(BIND_ATTEMPTS):
            sink_port = mta.free_port()
            with make_relay(sink_port) as relay:
                run = self.load("--target", relay.address, "--sink", f"127.0.0.1:{sink_port}",
                                *args, expect=None, timeout=timeout)
                counts = relay.stats() if isinstance(relay, Relay) else None
                story = self.relay_story(relay, counts)
            if run.code == EXIT_USAGE and "in use" in run.stderr and attempt < BIND_ATTEMPTS - 1:
                continue
            if run.code != expect:
                self.fail(f"exit {run.code}, expected {expect}\n{self.describe(run)}\n{story}")
            break
        section = delivery(run.result)
        self.assertAccountedFor(run, section, sink_port)
        return SinkRun(run, section, sink_port, counts, story)

    @staticmethod
    def relay_story(relay, counts):
        """What the relay says about its side (for a failure message)."""
        if isinstance(relay, Relay):
            return f"relay.py {relay.mode}: {counts}"
        return f"postqueue -p:\n{mta.postfix_queue(relay)}\n{relay.log_tail()}"

    def assertAccountedFor(self, run, section, sink_port):
        """What holds for every run with a sink, whatever the relay did: the
        sink listened where it was told and said so; every accepted pair is
        delivered, bounced or lost; the counts agree with the load's own
        counters, the attempts, the latency histogram and the series; the
        implied thresholds are listed; the document matches the schema."""
        counts = section["counts"]
        self.assertEqual(section["sink"], f"127.0.0.1:{sink_port}")
        self.assertIn(f"sink: listening on 127.0.0.1:{sink_port}", run.stderr)
        self.assertEqual(counts["delivered"] + counts["bounced"] + counts["lost"],
                         counts["accepted"], counts)
        load = run.result["load"]
        c = load["counters"]
        self.assertEqual(counts["accepted_messages"], c["delivered"], "250s at the end of data")
        if c["refused_4xx"] == c["refused_5xx"] == c["failed"] == 0:
            self.assertEqual(counts["accepted"], c["recipients_accepted"], "accepted recipients")
        attempts = {int(k): v for k, v in section["attempts"].items()}
        self.assertEqual(sum(attempts.values()), counts["delivered"], f"attempts {attempts}")
        self.assertEqual(sum(v for k, v in attempts.items() if k > 1), counts["retried"],
                         f"attempts {attempts}")
        self.assertEqual(delivery_summary(section, "latency")["count"], counts["delivered"])
        delivery_summary(section, "latency_from_start")
        self.assertEqual(delivery_summary(section, "retry_delay")["count"] > 0,
                         counts["retried"] > 0, "retry delays exactly when there were retries")
        series = section["series"]
        self.assertEqual([s["second"] for s in series], list(range(len(series))))
        self.assertEqual(sum(s["accepted"] for s in series), counts["accepted"], "series")
        self.assertEqual(sum(s["delivered"] for s in series), counts["delivered"], "series")
        if series:
            self.assertEqual(series[-1]["backlog"], counts["lost"], "the backlog left at the end")
        texts = [t["text"] for t in load["thresholds"]]
        for implied in IMPLIED:
            self.assertIn(implied, texts, "a run with --sink applies it unless told otherwise")
        self.assertValid(run.result)

    def assertNothingArrived(self, run, section, sink_port):
        """A run of UNROUTED_LOAD that the relay took but never passed on to
        the sink: after the whole drain, every pair is lost, and stderr says
        where to look."""
        counts = section["counts"]
        self.assertEqual(counts["accepted_messages"], 20)
        self.assertEqual((counts["delivered"], counts["lost"]), (0, counts["accepted"]))
        self.assertIn(f"sink 127.0.0.1:{sink_port}: none of the 20 accepted messages arrived "
                      f"within the drain", run.stderr)
        self.assertIn("check that the relay routes", run.stderr)
        self.assertGreaterEqual(section["drain"]["seconds"], 3.0)
        self.assertFalse(section["drain"]["interrupted"])

    def threshold(self, run, text):
        found = [t for t in run.result["load"]["thresholds"] if t["text"] == text]
        self.assertEqual(len(found), 1, f"thresholds named {text!r}: {found}")
        return found[0]

    def report(self, what, done):
        """The numbers of a SinkRun for the log of the test run."""
        section = done.delivery
        counts = {k: v for k, v in section["counts"].items() if v}
        latency = delivery_summary(section, "latency")
        c = done.run.result["load"]["counters"]
        delays = delivery_summary(section, "retry_delay")
        retries = (f"; retry delays p50 {delays['p50_ns'] / 1e6:.1f} ms, p99 "
                   f"{delays['p99_ns'] / 1e6:.1f} ms, max {delays['max_ns'] / 1e6:.1f} ms"
                   if delays["count"] else "")
        print(f"\n{what}: {counts}; latency p50 {latency['p50_ns'] / 1e6:.2f} ms, p99 "
              f"{latency['p99_ns'] / 1e6:.2f} ms{retries}; drain {section['drain']}; "
              f"header changes "
              f"{section['header_changes']}; attempts {section['attempts']}; load: "
              f"{c['transactions_started']} started, {c['delivered']} accepted, "
              f"{c['failed']} failed, {c['dropped_starts']} starts dropped; relay.py: "
              f"{done.relay}",
              flush=True)
