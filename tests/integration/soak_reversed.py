"""The reversed soak: smtp-harness load and check, side by side, against
hostile servers (rawserver.py): a greeting dripped an octet at a time, an
EHLO reply and a greeting that never end, a 10 MiB greeting, and resets in
the middle of the greeting and of a reply.

What must hold for every run (the numbers are soak_plan.py's):
  - it ends by itself within its bound (its own timeouts end it): no hang;
  - it is not killed by a signal, and its stderr has no sanitizer report;
  - its peak RSS (wait4's ru_maxrss, which on Linux also counts the test
    process's RSS at the fork: an upper bound) stays under
    loadharness.RSS_LIMIT_KB: the reply parser's limits bound what a
    session buffers;
  - load exits 1 (its --threshold 'delivered>=1' is missed) with the
    server's kind of error counted (timeout, protocol, closed), no other
    kind but timeouts, and nothing delivered, or, when the connection made
    before the run fails, with that one error and no result;
  - check exits 1, with either the one error of an unreachable target (one
    stderr line naming it, no result file) or most checks ERROR, every
    ERROR's reason naming what the server did (a timeout, too many reply
    lines, a line too long, a closed connection), and every verdict but
    PASS and SKIP with a reason (the few that judge what did work, a good
    greeting say, may give other verdicts).

  SMTP_HARNESS=build/release/harness/app/smtp-harness \\
      /usr/bin/python3 tests/integration/soak_reversed.py --seconds 600

runs rounds of all of them until the time is up (each round runs the
servers one after another, load and check at once against each); exit
status 0 when every run kept to the rules, 1 otherwise, 2 on a usage error.
test_soak_reversed.py is the CI form: one round. Standard library only.
"""

import argparse
import collections
import re
import sys
import threading
import time

import soak_plan
from checkharness import run_check
from fakesmtpd import sanitizer_report_lines
from loadharness import EXIT_FAILED, RSS_LIMIT_KB, SMALL_QUARANTINE, LoadProcess, binary
from rawserver import (RawServer, dripping, endless_banner, endless_reply, huge_banner,
                       reset_mid_greeting, reset_mid_reply)

# A hostile server, the timeout load and check are given against it, the
# kinds of error load may count (at least one of them must be counted) and
# the words one of which every ERROR of check must give as its reason (at
# least one ERROR must name them). Besides those, a timeout is a clear
# error anywhere: on a loaded machine the test's own server threads can be
# late with what they send.
Hostile = collections.namedtuple("Hostile", "name behaviour timeout load_errors check_words")

HOSTILE = (
    Hostile("drip", dripping(b"220 drip.test ESMTP one octet every 300 ms\r\n", 0.3),
            soak_plan.REVERSED_SHORT_TIMEOUT, ("timeout",), ("timeout",)),
    Hostile("endless EHLO reply", endless_reply, soak_plan.REVERSED_TIMEOUT, ("protocol",),
            ("too_many_lines",)),
    Hostile("endless greeting", endless_banner, soak_plan.REVERSED_TIMEOUT, ("protocol",),
            ("too_many_lines",)),
    Hostile("10 MiB greeting", huge_banner, soak_plan.REVERSED_TIMEOUT, ("protocol",),
            ("line_too_long",)),
    # A reset can come before the connect is seen done: a connect error.
    Hostile("reset mid-greeting", reset_mid_greeting, soak_plan.REVERSED_TIMEOUT,
            ("closed", "connect"), ("closed", "reset")),
    Hostile("reset mid-reply", reset_mid_reply, soak_plan.REVERSED_TIMEOUT,
            ("closed", "connect"), ("closed", "reset")),
)
TIMEOUT_WORDS = ("timeout",)

MAX_ROUNDS = 10000


def judge_finished(run):
    """What every finished run must show, whichever the tool; (figures,
    problems)."""
    report_lines = sanitizer_report_lines(run.stderr)
    figures = {"exit": run.code, "seconds": round(run.seconds, 1),
               "max_rss_mb": round(run.max_rss_kb / 1024, 1),
               "sanitizer_report_lines": len(report_lines)}
    problems = []
    if run.code < 0:
        problems.append(f"killed by signal {-run.code}")
    elif run.code != EXIT_FAILED:
        problems.append(f"exit {run.code}, expected {EXIT_FAILED}")
    if report_lines:
        problems.append(f"sanitizer report lines in stderr: {report_lines[:3]}")
    if run.max_rss_kb >= RSS_LIMIT_KB:
        problems.append(f"peak RSS {run.max_rss_kb} KiB, limit {RSS_LIMIT_KB}")
    return figures, problems


def run_load(hostile, target):
    """One bounded `smtp-harness load` run; (figures, problems)."""
    process = LoadProcess(["--target", target, "--connections", 4,
                           "--duration", f"{soak_plan.REVERSED_LOAD_SECONDS}s",
                           "--timeout", hostile.timeout, "--threads", 2, "-q",
                           "--threshold", "delivered>=1"], env=SMALL_QUARANTINE)
    try:
        run = process.start().finish(soak_plan.REVERSED_LOAD_HANG_SECONDS)
    except AssertionError as e:  # a hang
        return {}, [str(e)[:1000]]
    finally:
        process.cleanup()
    figures, problems = judge_finished(run)
    if run.result is None:
        # The connection before the run failed (a reset can come before
        # the connect is seen done): "a target that is down fails at once
        # with its host:port", and writes no result.
        lines = run.stderr.splitlines()
        figures["unreachable"] = lines[-1] if lines else ""
        if f"{target}: connect: " not in run.stderr:
            problems.append(f"no --json result, and no connect error: {run.stderr[-500:]!r}")
        return figures, problems
    load = run.result["load"]
    errors = {kind: n for kind, n in load["errors"].items() if n}
    figures["errors"] = errors
    unexpected = set(errors) - set(hostile.load_errors) - {"timeout"}
    if unexpected or not any(errors.get(kind) for kind in hostile.load_errors):
        problems.append(f"errors counted {errors}, expected {hostile.load_errors} "
                        "(and perhaps timeouts)")
    if load["counters"]["delivered"]:
        problems.append(f"{load['counters']['delivered']} delivered to a hostile server")
    return figures, problems


def run_whole_check(hostile, target):
    """One bounded `smtp-harness check` run of the whole suite; (figures,
    problems)."""
    try:
        run = run_check(target, "--timeout", hostile.timeout,
                        "--connect-timeout", hostile.timeout,
                        timeout=soak_plan.REVERSED_CHECK_HANG_SECONDS, env=SMALL_QUARANTINE)
    except AssertionError as e:  # a hang
        return {}, [str(e)[:1000]]
    figures, problems = judge_finished(run)
    if run.result is None:
        # Unreachable: the probe's one error, "smtp-harness check: TARGET: why".
        lines = run.stderr.splitlines()
        figures["unreachable"] = lines[0] if lines else ""
        if len(lines) != 1 or not re.match(r"smtp-harness check: " + re.escape(target) + ": .",
                                           lines[0]):
            problems.append(f"no result and not the one error line: {run.stderr[-500:]!r}")
        return figures, problems
    counts = run.check["counts"]
    figures["verdicts"] = {v: n for v, n in counts.items() if n}
    # The few checks that judge what did work (a good greeting before the
    # reply that never ends) give verdicts; the rest cannot judge.
    judged = sum(n for v, n in counts.items() if v != "SKIP")
    if counts["ERROR"] * 2 < judged:
        problems.append(f"most checks judged a server that never completes a dialogue: {counts}")
    unexplained = [i for i, r in run.results.items()
                   if r["verdict"] not in ("PASS", "SKIP") and not r["reason"].strip()]
    if unexplained:
        problems.append(f"verdicts without a reason: {unexplained[:10]}")
    words = hostile.check_words + TIMEOUT_WORDS
    errors = [r["reason"] for r in run.results.values() if r["verdict"] == "ERROR"]
    unclear = {i: r["reason"][:200] for i, r in run.results.items() if r["verdict"] == "ERROR"
               and not any(word in r["reason"] for word in words)}
    if unclear:
        problems.append(f"ERRORs whose reason names none of {words}: "
                        f"{dict(list(unclear.items())[:5])}")
    elif not any(word in reason for reason in errors for word in hostile.check_words):
        problems.append(f"no ERROR names {hostile.check_words}: {errors[:3]}")
    return figures, problems


def against(hostile):
    """load and check at once against one hostile server; {tool: (figures,
    problems)}."""
    outcome = {}
    with RawServer(hostile.behaviour, blocking=False) as server:
        jobs = {"load": lambda: run_load(hostile, server.target),
                "check": lambda: run_whole_check(hostile, server.target)}
        threads = [threading.Thread(target=lambda t=tool, j=job: outcome.__setitem__(t, j()),
                                    daemon=True) for tool, job in jobs.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            # Each job bounds its own run; this only guards against a bug here.
            thread.join(soak_plan.REVERSED_CHECK_HANG_SECONDS + 60)
    for tool in jobs:
        outcome.setdefault(tool, ({}, ["the run did not return"]))
    return outcome


def run_round(log=print):
    """Every hostile server once; [(server, tool, figures, problems)]."""
    rows = []
    for hostile in HOSTILE:
        for tool, (figures, problems) in against(hostile).items():
            rows.append((hostile.name, tool, figures, problems))
            log(f"  {hostile.name:<20} {tool:<5} {figures}"
                + (f"  PROBLEMS: {problems}" if problems else ""))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0,
                        help="rounds until this much time has passed (default: one round)")
    args = parser.parse_args(argv)
    if args.seconds < 0:
        parser.error("--seconds must not be negative")
    try:
        binary()
    except AssertionError as e:
        print(f"soak_reversed.py: {e}", file=sys.stderr)
        return 2
    started = time.monotonic()
    rows = []
    for n in range(MAX_ROUNDS):
        print(f"reversed soak, round {n + 1}:", flush=True)
        rows += run_round(log=lambda line: print(line, flush=True))
        if time.monotonic() - started >= args.seconds:
            break
    failed = [(server, tool, problems) for server, tool, _, problems in rows if problems]
    print(summary(rows, time.monotonic() - started), flush=True)
    for server, tool, problems in failed[:20]:
        print(f"  {server} / {tool}: {problems}", flush=True)
    return 0 if not failed else 1


def summary(rows, seconds):
    """One line: how many runs, their longest, the largest peak RSS, the verdict."""
    longest = max((f.get("seconds", 0) for _, _, f, _ in rows), default=0)
    peak = max((f.get("max_rss_mb", 0) for _, _, f, _ in rows), default=0)
    failed = sum(1 for *_, problems in rows if problems)
    return (f"reversed soak: {len(rows)} runs in {seconds:.0f} s, the longest {longest} s, "
            f"peak RSS at most {peak} MiB (limit {RSS_LIMIT_KB // 1024}), sanitizer report "
            f"{sum(f.get('sanitizer_report_lines', 0) for _, _, f, _ in rows)} lines: "
            + ("PASS" if not failed else f"FAIL ({failed} runs broke a rule)"))


if __name__ == "__main__":
    sys.exit(main())
