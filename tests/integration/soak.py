"""The server soak: fake-smtpd under everything at once for a set time.

  hostile clients   soak_hostile.py: garbage, 1 MiB lines, slowloris, TLS
                    garbage, clients vanishing mid-DATA and mid-BDAT, BDAT
                    999999999999
  idle sessions     thousands, opened at the start and held to the end
  the API           soak_rules.py: rules replaced with valid and invalid
                    bodies, the other endpoints read
  well-behaved      soak_senders.py: smtplib clients whose every message is
                    found in the store and compared byte for byte

and measures what must hold (the pass marks are soak_plan.py's): no
sanitizer report line in fake-smtpd's stderr and a clean exit on SIGTERM,
a 100 % success rate for the well-behaved clients, every idle session
still held, every API request answered as expected, and, on a run of three
minutes or more, an RSS (VmRSS, sampled from /proc) that plateaus: the
last minute's median against the median of the minute after the first.

  FAKE_SMTPD=build/release/fake-server/fake-smtpd \\
      /usr/bin/python3 tests/integration/soak.py --plan long --seconds 600

Exit status 0 when every mark is met, 1 when one is not, 2 on a usage error.
scripts/soak.sh builds and runs it; test_soak_server.py is the CI form.
Standard library only; every loop is bounded in count and time.
"""

import argparse
import json
import random
import sys
import threading
import time

import fakesmtpd
import soak_plan
from fakesmtpd import FakeSmtpd, sanitizer_report_lines
from soak_hostile import Blobs, Context, HostileWorker
from soak_rules import ApiChurn
from soak_senders import Ledger, Sender, Verifier
from soak_watch import IdleHolder, RssSampler, raise_fd_limit, rss_summary

# Beyond the idle sessions: the soak's other clients, the API's requests.
SPARE_DESCRIPTORS = 2000
# How long the idle sessions may take to be opened (and greeted).
IDLE_RAMP_SECONDS = 300.0
PROGRESS_EVERY = 60.0


class ServerSoak:
    def __init__(self, plan, log=print):
        self.plan = plan
        self.log = log
        self.stop = threading.Event()
        self.api_failures = []
        self.ledger = Ledger()

    def start_server(self):
        # To the hard limit; fake-smtpd inherits it: it holds the idle
        # sessions too.
        raise_fd_limit(self.plan.idle_sessions + SPARE_DESCRIPTORS)
        # The idle timeout outlasts the run: the idle sessions must all be
        # held at the end (and a slowloris is no idle client).
        idle_timeout = int(self.plan.seconds + IDLE_RAMP_SECONDS + 300)
        return FakeSmtpd("--idle-timeout", f"{idle_timeout}s",
                         "--store-limit", self.plan.store_limit,
                         "--sessions-kept", self.plan.sessions_kept,
                         "--seed", self.plan.seed).start()

    def run(self):
        plan = self.plan
        server = self.start_server()
        self.log(f"soak ({plan.name}): {server.banner}")
        started = time.monotonic()
        deadline = started + plan.seconds
        blobs = Blobs(plan.seed)
        rss = RssSampler(server.proc.pid, plan.rss_every, started, self.stop)
        idle = IdleHolder(server.smtp_port, plan.idle_sessions, IDLE_RAMP_SECONDS)
        hostile = []
        for kind, workers in plan.hostile.items():
            for n in range(workers.count):
                rng = random.Random(f"{plan.seed}-{kind}-{n}")
                ctx = Context(server, plan, blobs, rng, self.stop)
                hostile.append(HostileWorker(kind, ctx, workers.pause, deadline))
        senders = [Sender(n, server, plan, self.ledger, self.stop, deadline)
                   for n in range(plan.senders.count)]
        verifier = Verifier(server, plan, self.ledger, self.stop, self.api_failures)
        churn = ApiChurn(server, plan, self.stop, deadline, self.api_failures)
        threads = [rss, idle, *hostile, *senders, verifier, churn]
        for thread in threads:
            thread.start()
        alive = self.wait_for_the_end(server, deadline, idle, hostile)
        self.stop.set()
        # A sender finishes its message, a hostile client gives up within
        # hostile_timeout; plan.timeout bounds a reply that never comes.
        join_by = time.monotonic() + plan.timeout + 5
        for thread in threads:
            thread.join(max(0.1, join_by - time.monotonic()))
        hung = [t.name for t in threads if t.is_alive()]
        rss.sample()  # the last one, with the idle sessions still held
        elapsed = time.monotonic() - started
        verifier.verify_pass()  # the last messages, sent after its last pass
        for token in list(self.ledger.pending):
            self.ledger.lost(token, "still pending after the last pass")
        stats = self.read_stats(server) if alive else None
        idle.done.wait(1)
        dropped = idle.dropped() if idle.done.is_set() else None
        idle.close()
        stop_error = None
        try:
            server.stop()
        except AssertionError as e:
            stop_error = str(e)[:2000]
        return self.report(server, elapsed, alive, hung, stats, idle, dropped, hostile, churn,
                           rss, stop_error)

    def wait_for_the_end(self, server, deadline, idle, hostile):
        """Until the deadline, a progress line every PROGRESS_EVERY seconds;
        False when fake-smtpd died before it."""
        for _ in range(100000):
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            if server.proc.poll() is not None:
                self.log(f"fake-smtpd exited with {server.proc.returncode} during the soak")
                return False
            if self.stop.wait(min(left, PROGRESS_EVERY)):
                return True
            self.log(f"  {time.monotonic() - (deadline - self.plan.seconds):5.0f} s: "
                     f"{self.ledger.verified} messages verified, {self.ledger.failed} failed, "
                     f"{idle.greeted} idle held, "
                     f"{sum(w.sessions for w in hostile)} hostile sessions, "
                     f"{len(self.api_failures)} API failures")
        return True

    def read_stats(self, server):
        try:
            return server.stats()
        except Exception as e:
            self.api_failures.append(f"GET /api/stats at the end: {e}"[:300])
            return None

    def report(self, server, elapsed, alive, hung, stats, idle, dropped, hostile, churn, rss,
               stop_error):
        plan = self.plan
        kinds = {}
        for worker in hostile:
            entry = kinds.setdefault(worker.kind, {"workers": 0, "sessions": 0, "outcomes": {},
                                                   "test_errors": []})
            entry["workers"] += 1
            entry["sessions"] += worker.sessions
            entry["test_errors"] += worker.test_errors
            for outcome, n in worker.outcomes.items():
                entry["outcomes"][outcome] = entry["outcomes"].get(outcome, 0) + n
        ledger = self.ledger
        judged = plan.seconds >= soak_plan.RSS_JUDGED_FROM_SECONDS
        rss_figures = rss_summary(rss.samples, elapsed, soak_plan.RSS_WARMUP_SECONDS,
                                  soak_plan.RSS_GROWTH_ALLOWED, soak_plan.RSS_SLACK_KB, judged)
        stderr = server.stderr_text
        report_lines = sanitizer_report_lines(stderr)
        report = {
            "plan": plan.name,
            "planned_seconds": plan.seconds,
            "elapsed_seconds": round(elapsed, 1),
            "binary": server.command()[0],
            "server": {
                "alive_at_the_end": alive,
                "exit_code": server.exit_code,
                "stop_error": stop_error,
                "sanitizer_report_lines": len(report_lines),
                "sanitizer_report_head": report_lines[:10],
                "stderr_lines": len(stderr.splitlines()),
                "stderr_head": stderr[:2000],
                "stats": stats,
            },
            "well_behaved": {
                "senders": plan.senders.count,
                "sessions": ledger.sessions,
                "tls_sessions": ledger.tls_sessions,
                "messages_attempted": ledger.attempted,
                "messages_verified": ledger.verified,
                "megabytes_verified": round(ledger.bytes_verified / 1e6, 1),
                "failures": dict(ledger.failures),
                "failure_samples": ledger.samples,
                "success_rate": ledger.success_rate(),
                "messages_per_second": round(ledger.verified / elapsed, 1) if elapsed else 0,
            },
            "idle": {
                "wanted": plan.idle_sessions,
                "greeted": idle.greeted,
                "ramp_seconds": idle.ramp_seconds,
                "failures": dict(idle.client.failures),
                "dropped_by_the_server": dropped,
            },
            "hostile": kinds,
            "api": {"requests": dict(churn.requests), "failures": self.api_failures[:50],
                    "failure_count": len(self.api_failures)},
            "rss": rss_figures,
            "rss_series": rss.samples,
            "hung_threads": hung,
        }
        report["failed"] = self.judge(report)
        return report

    def judge(self, r):
        """The pass marks that were missed, each in a sentence."""
        failed = []
        server, good, idle = r["server"], r["well_behaved"], r["idle"]
        if not server["alive_at_the_end"]:
            failed.append("fake-smtpd died during the soak")
        if server["stop_error"]:
            failed.append(f"fake-smtpd's stop: {server['stop_error'][:300]}")
        if server["sanitizer_report_lines"] > soak_plan.SANITIZER_REPORTS_ALLOWED:
            failed.append(f"{server['sanitizer_report_lines']} sanitizer report lines in "
                          f"fake-smtpd's stderr: {server['sanitizer_report_head'][:3]}")
        if good["messages_verified"] == 0:
            failed.append("no well-behaved message was verified")
        if good["success_rate"] < soak_plan.REQUIRED_SUCCESS_RATE:
            failed.append(f"well-behaved success rate {good['success_rate']:.4%}: "
                          f"{good['failures']}")
        if r["api"]["failure_count"] > soak_plan.API_FAILURES_ALLOWED:
            failed.append(f"{r['api']['failure_count']} API requests failed")
        if idle["greeted"] != idle["wanted"]:
            failed.append(f"{idle['greeted']} of {idle['wanted']} idle sessions greeted: "
                          f"{idle['failures']}")
        if idle["dropped_by_the_server"]:
            failed.append(f"{idle['dropped_by_the_server']} idle sessions cut off by the server")
        broken = {k: e["test_errors"][0] for k, e in r["hostile"].items() if e["test_errors"]}
        if broken:
            failed.append(f"hostile clients that failed on the test's side: {broken}")
        idle_kinds = [k for k, e in r["hostile"].items() if e["sessions"] == 0]
        if idle_kinds:
            failed.append(f"hostile kinds that never ran a session: {idle_kinds}")
        rss = r["rss"]
        if rss["judged"] and not rss["plateau"]:
            why = rss.get("why") or (f"the last minute's median is {rss['growth']:+.1%} from "
                                     f"the baseline's, above the limit")
            failed.append(f"no RSS plateau: {why}")
        if r["hung_threads"]:
            failed.append(f"soak threads still running after the stop: {r['hung_threads']}")
        return failed


def render_rss(rss):
    """The RSS line: the three minutes' medians and the verdict."""

    def minute(name, w):
        if not w["samples"]:
            return f"{name} ({w['from_s']:.0f}-{w['to_s']:.0f} s) -"
        return (f"{name} ({w['from_s']:.0f}-{w['to_s']:.0f} s) median "
                f"{w['median_kb'] / 1024:.1f} MiB (max {w['max_kb'] / 1024:.1f})")

    if "first_minute" not in rss:
        return f"RSS: {rss['why']}"
    text = (f"RSS: {minute('first minute', rss['first_minute'])}, "
            f"{minute('baseline', rss['baseline_minute'])}, "
            f"{minute('last minute', rss['last_minute'])}, peak {rss['peak_kb'] / 1024:.1f} MiB")
    tolerance = (f"tolerance {rss['growth_allowed']:.0%} + {rss['slack_kb'] / 1024:.0f} MiB "
                 "over the baseline")
    if "growth" in rss:
        verdict = (f"last minute {rss['growth']:+.1%} from the baseline, {tolerance}: "
                   + ("plateau" if rss["plateau"] else "NO plateau"))
    else:
        verdict = rss["why"]
    return f"{text}; {verdict}" + ("" if rss["judged"] else " (reported, not judged)")


def render(r):
    """The report as text, for a terminal and for notes."""
    good, idle, server = r["well_behaved"], r["idle"], r["server"]
    lines = [
        f"server soak '{r['plan']}': {r['elapsed_seconds']} s of {r['planned_seconds']} s, "
        f"{r['binary']}",
        f"  well-behaved: {good['messages_verified']} of {good['messages_attempted']} messages "
        f"verified ({good['megabytes_verified']} MB, {good['messages_per_second']}/s) in "
        f"{good['sessions']} sessions ({good['tls_sessions']} with STARTTLS), success rate "
        f"{good['success_rate']:.4%}, failures {good['failures'] or 'none'}",
        f"  idle: {idle['greeted']} of {idle['wanted']} greeted in {idle['ramp_seconds']} s, "
        f"{idle['dropped_by_the_server']} cut off by the server",
    ]
    for kind, e in r["hostile"].items():
        outcomes = ", ".join(f"{n} {o}" for o, n in sorted(e["outcomes"].items(),
                                                           key=lambda x: -x[1]))
        lines.append(f"  hostile {kind} ({e['workers']} at once): {e['sessions']} sessions: "
                     f"{outcomes}")
    requests = ", ".join(f"{n} {what}" for what, n in sorted(r["api"]["requests"].items()))
    lines.append(f"  API: {requests}; {r['api']['failure_count']} failed")
    for failure in r["api"]["failures"][:5]:
        lines.append(f"    {failure}")
    lines.append("  " + render_rss(r["rss"]))
    series = r["rss_series"]
    step = max(1, len(series) // 12)
    lines.append("  RSS series (s: MiB, sockets): " + ", ".join(
        f"{t:.0f}: {kb / 1024:.0f}, {socks}" for t, kb, socks in series[::step]))
    stats = server["stats"] or {}
    lines.append(f"  fake-smtpd: {server['sanitizer_report_lines']} sanitizer report lines, exit "
                 f"{server['exit_code']}, {server['stderr_lines']} stderr lines; stats "
                 + ", ".join(f"{k} {v}" for k, v in stats.items() if isinstance(v, int)))
    lines.append("  verdict: " + ("PASS" if not r["failed"] else "FAIL: " + "; ".join(r["failed"])))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", choices=sorted(soak_plan.PLANS), default="long")
    parser.add_argument("--seconds", type=float, help="how long (default: the plan's)")
    parser.add_argument("--idle-sessions", type=int, help="idle sessions (default: the plan's)")
    parser.add_argument("--report", help="write the report as JSON to this file")
    args = parser.parse_args(argv)
    try:
        fakesmtpd.binary()
    except AssertionError as e:
        print(f"soak.py: {e}", file=sys.stderr)
        return 2
    plan = soak_plan.PLANS[args.plan]
    if args.seconds is not None:
        if args.seconds <= 0:
            parser.error("--seconds must be positive")
        plan = plan.with_seconds(args.seconds)
    if args.idle_sessions is not None:
        if args.idle_sessions < 0:
            parser.error("--idle-sessions must not be negative")
        plan = plan.with_idle_sessions(args.idle_sessions)
    report = ServerSoak(plan, log=lambda line: print(line, flush=True)).run()
    print(render(report), flush=True)
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1)
    return 0 if not report["failed"] else 1


if __name__ == "__main__":
    sys.exit(main())
