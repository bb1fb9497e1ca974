"""Helpers of bench/sink-throughput.sh, the delivery sink's benchmark
(`smtp-harness load --sink`), called from bash.

Standard library only; run with Debian's /usr/bin/python3. Every wait is
bounded: a benchmark that hangs is worse than one that fails. Result files
are read with bench/load/benchload.py's load_figures.

Subcommands:
  run FILE NAME ROUND SECS SERVER_PID RESULT -- CMD...
        run one smtp-harness load CMD and append one JSON line to FILE (not
        for round 0, the warm-up): wall time, the process's own CPU seconds
        and peak RSS (wait4's rusage of that one child), the CPU seconds
        SERVER_PID used meanwhile ('-' for none), the load's figures and,
        when RESULT has one, its delivery counts. Exit status 1 is accepted
        only with a delivery section (a delivery threshold missed: judged
        later); any other failure, an error counted or a transaction refused
        or failed stops the benchmark (exit 2).
  report FILE MIN_RATE
        the table: per round deliveries/s with the sink and messages/s
        without, their ratio, CPU per message, peak RSS; medians; the
        ledger's memory per outstanding message; PASS/FAIL per target; exit 1
        when a target is missed
"""

import json
import os
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ left in bench/
import benchload  # noqa: E402  (bench/load/benchload.py, next to this file)

benchlib = benchload.benchlib


def delivery_counts(path):
    with open(path, encoding="utf-8") as f:
        delivery = json.load(f)["load"].get("delivery")
    return None if delivery is None else delivery["counts"]


def run(out, name, rnd, seconds, server_pid, result, cmd):
    if os.path.exists(result):
        os.unlink(result)
    server_before = benchlib.cpu_seconds(server_pid) if server_pid != "-" else 0.0
    start = time.monotonic()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = start + seconds
    # wait4 on this one child: its own CPU time and peak RSS (ru_maxrss, KiB),
    # not the maximum over every child this process ran, as RUSAGE_CHILDREN
    # would give. Polled (WNOHANG) so that the time limit holds; stderr is
    # read afterwards (smtp-harness -q writes little there).
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid == child.pid:
            break
        if time.monotonic() > deadline:
            child.kill()
            os.wait4(child.pid, 0)
            sys.exit(f"{cmd[0]}: still running after {seconds} s")
        time.sleep(0.01)
    wall = time.monotonic() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    stderr = child.stderr.read()
    child.stderr.close()
    server_cpu = (benchlib.cpu_seconds(server_pid) - server_before) if server_pid != "-" else 0.0
    if not os.path.exists(result):
        sys.exit(f"{' '.join(cmd)}: exit status {child.returncode}, no result\n{stderr}")
    delivery = delivery_counts(result)
    if child.returncode != 0 and not (child.returncode == 1 and delivery is not None):
        sys.exit(f"{' '.join(cmd)}: exit status {child.returncode}\n{stderr}")
    f = benchload.load_figures(result)
    if f["errors"] or f["failed"] or f["refused"] or f["delivered"] == 0:
        sys.exit(f"{name}: {f['started']} started, {f['delivered']} delivered, {f['failed']}"
                 f" failed, {f['refused']} refused, {f['errors']} errors: {f['error_samples']}")
    line = {"name": name, "round": rnd, "wall": wall, "exit": child.returncode,
            "cpu": usage.ru_utime + usage.ru_stime, "rss_kib": usage.ru_maxrss,
            "server_cpu": server_cpu, "elapsed": f["elapsed"], "messages": f["delivered"],
            "started": f["started"], "delivery": delivery}
    if rnd > 0:
        with open(out, "a", encoding="utf-8") as o:
            o.write(json.dumps(line) + "\n")


def _runs(path):
    runs = {}
    with open(path, encoding="utf-8") as f:
        for text in f:
            run_ = json.loads(text)
            runs.setdefault(run_["name"], {})[run_["round"]] = run_
    return runs


def _lost_or_worse(counts):
    """What each round must show: every accepted pair delivered once, intact."""
    return {k: counts[k] for k in ("lost", "duplicated", "corrupted", "unexpected", "bounced")
            if counts[k]}


def report(path, min_rate):
    runs = _runs(path)
    for name in ("sink", "plain", "held-sink", "held-plain"):
        if name not in runs:
            sys.exit(f"{path}: no runs of '{name}'")
    rounds = sorted(runs["sink"])
    print("per round: 'sink' = deliveries/s (pairs delivered at the sink / the load's elapsed"
          " time), 'plain' = messages/s (250s at end of data / elapsed) against fake-smtpd;"
          " CPU us per message (smtp-harness, and fake-smtpd for plain); peak RSS MiB")
    print(f"{'round':>5} {'sink/s':>8} {'us':>6} {'MiB':>6}  {'accepted':>9} {'delivered':>9}"
          f" {'lost':>5}  {'plain/s':>8} {'us':>6} {'+srv':>6} {'MiB':>6}  {'ratio':>6}")
    ok = True
    rows = []
    for rnd in rounds:
        s, p = runs["sink"][rnd], runs["plain"][rnd]
        c = s["delivery"]
        if c is None:
            sys.exit(f"{path}: round {rnd}: the sink run has no delivery section"
                     " (a build whose JSON writer lacks load.delivery)")
        sink_rate = c["delivered"] / s["elapsed"]
        plain_rate = p["messages"] / p["elapsed"]
        row = {"sink": sink_rate, "plain": plain_rate, "ratio": sink_rate / plain_rate,
               "sink_us": s["cpu"] * 1e6 / max(c["delivered"], 1),
               "plain_us": p["cpu"] * 1e6 / p["messages"],
               "server_us": p["server_cpu"] * 1e6 / p["messages"],
               "sink_mib": s["rss_kib"] / 1024, "plain_mib": p["rss_kib"] / 1024,
               "client_rate": s["messages"] / s["elapsed"]}
        rows.append(row)
        print(f"{rnd:>5} {sink_rate:>8.0f} {row['sink_us']:>6.1f} {row['sink_mib']:>6.1f}"
              f"  {c['accepted']:>9} {c['delivered']:>9} {c['lost']:>5}"
              f"  {plain_rate:>8.0f} {row['plain_us']:>6.1f} {row['server_us']:>6.1f}"
              f" {row['plain_mib']:>6.1f}  {row['ratio']:>5.3f}x")
    print()

    def med(key):
        return statistics.median(r[key] for r in rows)

    sink_rates = [r["sink"] for r in rows]
    plain_rates = [r["plain"] for r in rows]
    print(f"with the sink:    median {med('sink'):>7.0f} deliveries/s (min {min(sink_rates):.0f},"
          f" max {max(sink_rates):.0f}, {len(rows)} runs); the client's own 250s"
          f" {med('client_rate'):.0f}/s; smtp-harness (client + sink + ledger)"
          f" {med('sink_us'):.1f} us CPU per delivery; peak RSS {med('sink_mib'):.1f} MiB")
    print(f"without (plain):  median {med('plain'):>7.0f} messages/s (min {min(plain_rates):.0f},"
          f" max {max(plain_rates):.0f}); smtp-harness {med('plain_us'):.1f} us + fake-smtpd"
          f" {med('server_us'):.1f} us = {med('plain_us') + med('server_us'):.1f} us CPU per"
          f" message; peak RSS {med('plain_mib'):.1f} MiB")
    print(f"CPU-bound:        {1e6 / med('sink_us'):.0f} deliveries per CPU-second of smtp-harness"
          f" with the sink, {1e6 / (med('plain_us') + med('server_us')):.0f} messages per CPU-second"
          f" of smtp-harness and fake-smtpd together without (other work on the machine shows"
          f" in the rates more than in these)")
    print(f"sink / plain:     median of per-round ratios {med('ratio'):.3f}x"
          f" (min {min(r['ratio'] for r in rows):.3f}x, max {max(r['ratio'] for r in rows):.3f}x)")

    held, held_plain = runs["held-sink"][1], runs["held-plain"][1]
    hc = held["delivery"]
    if hc is None or hc["delivered"] or hc["lost"] != hc["accepted"]:
        sys.exit(f"{path}: the held run should end with every accepted pair outstanding: {hc}")
    grown = (held["rss_kib"] - held_plain["rss_kib"]) * 1024
    print(f"ledger memory:    {hc['accepted_messages']} messages accepted and all still"
          f" outstanding at the end: peak RSS {held['rss_kib'] / 1024:.1f} MiB with --sink,"
          f" {held_plain['rss_kib'] / 1024:.1f} MiB without: {grown / hc['accepted_messages']:.0f}"
          f" octets per outstanding message (information)")
    print()
    ok &= benchload.verdict(med("sink") >= min_rate,
                            f"median {med('sink'):.0f} deliveries/s through the sink >= {min_rate:.0f}")
    bad = {rnd: _lost_or_worse(runs["sink"][rnd]["delivery"]) for rnd in rounds}
    bad = {rnd: b for rnd, b in bad.items() if b}
    mismatched = [rnd for rnd in rounds
                  if runs["sink"][rnd]["delivery"]["delivered"] != runs["sink"][rnd]["delivery"]["accepted"]
                  or runs["sink"][rnd]["delivery"]["accepted_messages"] != runs["sink"][rnd]["messages"]]
    ok &= benchload.verdict(
        not bad and not mismatched,
        "every round: each message the client saw accepted is in the ledger and delivered once,"
        " intact (accepted == delivered, lost, duplicated, corrupted, unexpected, bounced == 0)"
        + (f"; rounds {mismatched} mismatched" if mismatched else "")
        + (f"; {bad}" if bad else ""))
    return ok


def main(argv):
    if not argv:
        sys.exit(__doc__)
    cmd, args = argv[0], argv[1:]
    if cmd == "run":
        if len(args) < 8 or args[6] != "--":
            sys.exit("usage: run FILE NAME ROUND SECS SERVER_PID RESULT -- CMD...")
        run(args[0], args[1], int(args[2]), float(args[3]), args[4], args[5], args[7:])
    elif cmd == "report":
        sys.exit(0 if report(args[0], float(args[1])) else 1)
    else:
        sys.exit(f"unknown subcommand '{cmd}'\n{__doc__}")


if __name__ == "__main__":
    main(sys.argv[1:])
