"""What the server soak (soak.py) watches from outside fake-smtpd: its RSS
and open sockets over time (/proc), and the idle sessions it must hold. The
/proc readers and the idle client are the idle-session benchmark's
(bench/fake-smtpd/idle_sessions.py), imported from there.

Standard library only; every loop is bounded in count and time.
"""

import os
import selectors
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench",
                                "fake-smtpd"))
import idle_sessions  # noqa: E402  (the benchmark's client and /proc readers)

raise_fd_limit = idle_sessions.raise_fd_limit


class RssSampler(threading.Thread):
    """VmRSS (KiB) and the number of open sockets of `pid`, every `every`
    seconds from `started` until `stop` is set."""

    def __init__(self, pid, every, started, stop):
        super().__init__(name="rss", daemon=True)
        self.pid = pid
        self.every = every
        self.started = started
        self.stop = stop
        self.samples = []  # (seconds since the start, VmRSS KiB, sockets)

    def sample(self):
        try:
            rss = idle_sessions.status_kb(self.pid, "VmRSS")
            sockets = idle_sessions.socket_count(self.pid)
        except (OSError, KeyError):
            return  # the process is gone: the soak reports that itself
        self.samples.append((time.monotonic() - self.started, rss, sockets))

    def run(self):
        for _ in range(10000000):
            self.sample()
            if self.stop.wait(self.every):
                return


def rss_summary(samples, seconds, warmup, growth_allowed, slack_kb, judged):
    """The RSS of the first minute (the warm-up, see soak_plan.py), of the
    minute after it (the baseline) and of the last minute, as medians of
    the samples in each, and whether the RSS plateaued: the last minute's
    median at most `growth_allowed` (a share) plus `slack_kb` above the
    baseline's."""
    if not samples:
        return {"judged": judged, "plateau": False, "why": "no sample"}

    def window(start, end):
        kb = [rss for t, rss, _ in samples if start <= t <= end]
        return {"from_s": start, "to_s": end, "samples": len(kb),
                "median_kb": statistics.median(kb) if kb else None,
                "max_kb": max(kb) if kb else None}

    first = window(0, 60)
    baseline = window(warmup, warmup + 60)
    last = window(max(0, seconds - 60), seconds)
    summary = {"judged": judged, "first_minute": first, "baseline_minute": baseline,
               "last_minute": last, "peak_kb": max(rss for _, rss, _ in samples),
               "growth_allowed": growth_allowed, "slack_kb": slack_kb}
    if baseline["median_kb"] is None or last["median_kb"] is None:
        summary.update(plateau=False, why="too short for a baseline and a last minute")
        return summary
    limit = baseline["median_kb"] * (1 + growth_allowed) + slack_kb
    summary.update(limit_kb=round(limit),
                   growth=round(last["median_kb"] / baseline["median_kb"] - 1, 4),
                   plateau=last["median_kb"] <= limit)
    return summary


class IdleHolder(threading.Thread):
    """Opens `count` idle sessions (the benchmark's client: each reads its
    220 and then says nothing) and holds them until told to close them."""

    def __init__(self, port, count, timeout):
        super().__init__(name="idle", daemon=True)
        self.client = idle_sessions.Client(port, count, timeout)
        self.count = count
        self.ramp_seconds = None
        self.closed = None  # how many were held when close() closed them
        self.done = threading.Event()

    def run(self):
        began = time.monotonic()
        try:
            self.client.run()
        finally:
            self.ramp_seconds = round(time.monotonic() - began, 1)
            self.done.set()

    @property
    def greeted(self):
        return self.closed if self.closed is not None else len(self.client.held)

    def dropped(self):
        """How many held sessions the server has since written to or closed
        (a 421, an EOF): an idle client must not be cut off while the idle
        timeout has not passed."""
        selector = selectors.DefaultSelector()
        try:
            for sock in self.client.held:
                selector.register(sock, selectors.EVENT_READ)
            return len(selector.select(timeout=0))
        finally:
            selector.close()

    def close(self):
        self.closed = len(self.client.held)
        self.client.close()
