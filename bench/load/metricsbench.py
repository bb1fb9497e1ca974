"""Helpers of bench/load-metrics.sh, the overhead of `smtp-harness load
--metrics` (README, "Prometheus metrics"), called from bash.

Standard library only; run with Debian's /usr/bin/python3. Every wait is
bounded: a benchmark that hangs is worse than one that fails. Result files
are read with bench/load/benchload.py's load_figures.

Subcommands:
  run FILE NAME ROUND SECS PORT RESULT -- CMD...
        run one smtp-harness load CMD; while it runs, GET
        http://127.0.0.1:PORT/metrics once a second, as Prometheus with
        scrape_interval 1s would ('-': no scraper); append one JSON line to
        FILE (not for round 0, the warm-up): the process's own CPU seconds
        (wait4's rusage of that one child), messages delivered, the scrapes
        answered. A non-zero exit, an error counted, or (with a port) no
        scrape answered stops the benchmark (exit 2).
  report FILE LIMIT
        per round: CPU microseconds per message with and without --metrics
        and their ratio; the medians; PASS when the median of the per-round
        ratios is at most LIMIT (1.02: 2 % more CPU per message); exit 1
        when it is not
"""

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ left in bench/
import benchload  # noqa: E402  (bench/load/benchload.py, next to this file)


def scrape(port):
    """One scrape; True when /metrics answered 200."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=1) as res:
            res.read()
            return res.status == 200
    except (urllib.error.URLError, OSError):
        return False  # not listening yet, or already gone


def run(out, name, rnd, seconds, port, result, cmd):
    if os.path.exists(result):
        os.unlink(result)
    start = time.monotonic()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = start + seconds
    next_scrape = start + 1.0
    scrapes = 0
    # wait4 on this one child: its own CPU time. Polled (WNOHANG) so that the
    # time limit holds and the scrapes keep their one-second beat.
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid == child.pid:
            break
        now = time.monotonic()
        if now > deadline:
            child.kill()
            os.wait4(child.pid, 0)
            sys.exit(f"{cmd[0]}: still running after {seconds} s")
        if port != "-" and now >= next_scrape:
            scrapes += scrape(port)
            next_scrape += 1.0
        time.sleep(0.01)
    child.returncode = os.waitstatus_to_exitcode(status)
    stderr = child.stderr.read()
    child.stderr.close()
    if child.returncode != 0 or not os.path.exists(result):
        sys.exit(f"{' '.join(cmd)}: exit status {child.returncode}\n{stderr}")
    f = benchload.load_figures(result)
    if f["errors"] or f["failed"] or f["refused"] or f["delivered"] == 0:
        sys.exit(f"{name}: {f['started']} started, {f['delivered']} delivered, {f['failed']}"
                 f" failed, {f['refused']} refused, {f['errors']} errors: {f['error_samples']}")
    if port != "-" and scrapes == 0:
        sys.exit(f"{name}: no scrape of 127.0.0.1:{port}/metrics answered")
    line = {"name": name, "round": rnd, "cpu": usage.ru_utime + usage.ru_stime,
            "messages": f["delivered"], "achieved": f["achieved"], "late": f["late"],
            "dropped": f["dropped"], "scrapes": scrapes}
    if rnd > 0:
        with open(out, "a", encoding="utf-8") as o:
            o.write(json.dumps(line) + "\n")


def report(path, limit):
    runs = {}
    with open(path, encoding="utf-8") as f:
        for text in f:
            r = json.loads(text)
            runs.setdefault(r["name"], {})[r["round"]] = r
    for name in ("plain", "metrics"):
        if name not in runs:
            sys.exit(f"{path}: no runs of '{name}'")
    rounds = sorted(set(runs["plain"]) & set(runs["metrics"]))

    def us(r):
        return r["cpu"] * 1e6 / r["messages"]

    print("per round: client CPU us per message (user + system, wait4) and achieved rate;"
          " scrapes answered; ratio metrics/plain")
    print(f"{'round':>5} {'plain us':>9} {'rate':>8}  {'metrics us':>10} {'rate':>8}"
          f" {'scrapes':>7}  {'ratio':>6}")
    ratios = []
    for rnd in rounds:
        p, m = runs["plain"][rnd], runs["metrics"][rnd]
        ratios.append(us(m) / us(p))
        print(f"{rnd:>5} {us(p):>9.2f} {p['achieved']:>8.0f}  {us(m):>10.2f} {m['achieved']:>8.0f}"
              f" {m['scrapes']:>7}  {ratios[-1]:>6.3f}")
    plain = statistics.median(us(runs["plain"][r]) for r in rounds)
    metrics = statistics.median(us(runs["metrics"][r]) for r in rounds)
    paired = statistics.median(ratios)
    print()
    print(f"median CPU per message: without --metrics {plain:.2f} us, with {metrics:.2f} us"
          f" ({metrics / plain:.3f}x of the medians)")
    return benchload.verdict(
        paired <= limit,
        f"--metrics scraped every second: median of per-round ratios {paired:.3f}x"
        f" (min {min(ratios):.3f}x, max {max(ratios):.3f}x, {len(ratios)} rounds);"
        f" target <= {limit:.2f}x")


def main(argv):
    if len(argv) >= 9 and argv[0] == "run" and argv[7] == "--":
        run(argv[1], argv[2], int(argv[3]), float(argv[4]), argv[5], argv[6], argv[8:])
    elif len(argv) == 3 and argv[0] == "report":
        sys.exit(0 if report(argv[1], float(argv[2])) else 1)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
