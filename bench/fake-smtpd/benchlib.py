"""Small helpers the fake-smtpd benchmark scripts call from bash.

Standard library only; run with Debian's /usr/bin/python3. Every wait here is
bounded: a benchmark that hangs is worse than one that fails.

Subcommands:
  free-port                      print a free loopback TCP port
  wait-ports-file FILE KEY SECS  wait for fake-smtpd's ports file, print KEY
  wait-banner HOST PORT SECS     connect until a 220 greeting arrives, then QUIT
  timed SECS -- CMD...           run CMD (stdout to stderr), print wall seconds
  cpu PID                        print the process's user+system CPU seconds
  summarize FILE TARGET          print the throughput table, medians, ratio
  summarize-versus FILE BASELINE NAME=TARGET...
                                 the same for N configurations, each compared
                                 with BASELINE (throughput ratio >= TARGET)
"""

import json
import os
import socket
import statistics
import subprocess
import sys
import time


def free_port():
    # The kernel picks an unused port; the caller binds it right after. A race
    # with another process is possible but the caller checks readiness anyway.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ports_file(path, key, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        # fake-smtpd writes the file atomically (rename), so a file that
        # exists is complete.
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                value = json.load(f).get(key)
            if value is None:
                sys.exit(f"{path}: no '{key}' entry")
            return value
        time.sleep(0.02)
    sys.exit(f"{path}: not written within {seconds} s")


def read_reply(sock, deadline):
    """Reads one complete SMTP reply (last line 'ddd ' or 'ddd')."""
    data = b""
    while True:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed before a full reply")
        data += chunk
        lines = data.split(b"\r\n")
        for line in lines[:-1]:
            if len(line) == 3 or line[3:4] == b" ":
                return data


def wait_banner(host, port, seconds):
    deadline = time.monotonic() + seconds
    last = "no attempt"
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1) as s:
                reply = read_reply(s, deadline)
                if not reply.startswith(b"220"):
                    sys.exit(f"{host}:{port}: unexpected greeting {reply!r}")
                s.sendall(b"QUIT\r\n")
                read_reply(s, deadline)
                return
        except (OSError, ConnectionError) as e:
            last = str(e)
            time.sleep(0.02)
    sys.exit(f"{host}:{port}: no 220 greeting within {seconds} s ({last})")


def timed(seconds, cmd):
    start = time.monotonic()
    try:
        done = subprocess.run(cmd, stdout=sys.stderr, timeout=seconds)
    except subprocess.TimeoutExpired:
        sys.exit(f"{cmd[0]}: still running after {seconds} s")
    elapsed = time.monotonic() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)}: exit status {done.returncode}")
    print(f"{elapsed:.6f}")


def cpu_seconds(pid):
    # Fields 14 and 15 of /proc/PID/stat (utime, stime), in clock ticks. The
    # command name (field 2) may hold spaces, so split after its ')'.
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def read_runs(path):
    """FILE holds one line per timed run: 'name round messages seconds cpu',
    cpu being the server's CPU seconds during the run (clock-tick resolution,
    so per-message CPU is approximate). Returns {name: {round: run}}."""
    runs = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            name, rnd, messages, seconds, cpu = line.split()
            seconds, cpu = float(seconds), float(cpu)
            runs.setdefault(name, {})[int(rnd)] = {
                "rate": int(messages) / seconds,
                "cpu_us": cpu * 1e6 / int(messages),
                "busy": cpu / seconds,
            }
    return runs


def summarize(path, target):
    """FILE as read_runs() reads it, with runs of fake-smtpd and smtp-sink."""
    fake, sink = "fake-smtpd", "smtp-sink"
    runs = read_runs(path)
    for server in (fake, sink):
        if server not in runs:
            sys.exit(f"{path}: no runs of '{server}'")
    print(f"{'round':>5}  {'fake-smtpd msgs/s':>17} {'(CPU us/msg, busy)':>18}"
          f"  {'smtp-sink msgs/s':>16} {'(CPU us/msg, busy)':>18}  {'fake/sink':>9}")
    for rnd in sorted(runs[fake]):
        f, k = runs[fake][rnd], runs[sink][rnd]
        print(f"{rnd:>5}  {f['rate']:>17.0f} {f['cpu_us']:>11.1f} {f['busy']:>5.0%}"
              f"  {k['rate']:>16.0f} {k['cpu_us']:>11.1f} {k['busy']:>5.0%}"
              f"  {f['rate'] / k['rate']:>8.2f}x")
    medians = {}
    print()
    for server in (fake, sink):
        rates = [r["rate"] for r in runs[server].values()]
        medians[server] = statistics.median(rates)
        cpu_us = statistics.median(r["cpu_us"] for r in runs[server].values())
        print(f"{server:<11} median {medians[server]:>7.0f} msgs/s"
              f"  (min {min(rates):.0f}, max {max(rates):.0f}, {len(rates)} runs);"
              f" server CPU {cpu_us:.1f} us/msg")
    # Paired view: each round ran both servers back to back, so the median of
    # the per-round ratios is less sensitive to load that changes between rounds.
    paired = statistics.median(runs[fake][r]["rate"] / runs[sink][r]["rate"] for r in runs[fake])
    print(f"median of per-round ratios: {paired:.2f}x")
    ratio = medians[fake] / medians[sink]
    verdict = "ok" if ratio >= target else "BELOW TARGET"
    print(f"throughput ratio fake-smtpd / smtp-sink (medians): {ratio:.2f}x"
          f"  (target >= {target:.1f}x: {verdict})")


def summarize_versus(path, baseline, targets):
    """Compares each configuration in TARGETS ({name: minimum throughput
    ratio}) with BASELINE, run by run and over the medians."""
    runs = read_runs(path)
    names = [baseline] + list(targets)
    for name in names:
        if name not in runs:
            sys.exit(f"{path}: no runs of '{name}'")
    rounds = sorted(runs[baseline])
    width = max(len(n) for n in names)
    print(f"per round: msgs/s, server CPU us/msg, server busy; throughput ratio to {baseline}")
    print(f"{'round':>5}" + "".join(f"  {n:>21}" for n in names)
          + "".join(f"  {n + '/' + baseline:>{width * 2 + 1}}" for n in targets))
    for rnd in rounds:
        line = f"{rnd:>5}"
        for name in names:
            r = runs[name][rnd]
            line += f"  {r['rate']:>8.0f} {r['cpu_us']:>6.1f} {r['busy']:>5.0%}"
        for name in targets:
            line += f"  {runs[name][rnd]['rate'] / runs[baseline][rnd]['rate']:>{width * 2}.3f}x"
        print(line)
    print()
    medians, cpu_medians = {}, {}
    for name in names:
        rates = [runs[name][r]["rate"] for r in rounds]
        medians[name] = statistics.median(rates)
        cpu_medians[name] = statistics.median(runs[name][r]["cpu_us"] for r in rounds)
        print(f"{name:<{width}}  median {medians[name]:>7.0f} msgs/s"
              f"  (min {min(rates):.0f}, max {max(rates):.0f}, {len(rates)} runs);"
              f" server CPU {cpu_medians[name]:.1f} us/msg")
    print()
    for name, target in targets.items():
        # Paired view: each round ran every configuration back to back, so
        # the median of the per-round ratios is the least sensitive to load
        # that changes between rounds. The verdict is taken on it.
        paired = statistics.median(runs[name][r]["rate"] / runs[baseline][r]["rate"]
                                   for r in rounds)
        of_medians = medians[name] / medians[baseline]
        verdict = "ok" if paired >= target else "BELOW TARGET"
        print(f"{name} / {baseline} throughput: median of per-round ratios {paired:.3f}x,"
              f" ratio of medians {of_medians:.3f}x  (target >= {target:.2f}x: {verdict})")
        # When the rate is round-trip bound the server idles between
        # commands, and its CPU per message shows the cost of the rules far
        # more steadily. A server busy all the time would lose throughput in
        # proportion, so 1/target is the CPU ratio that would still meet the
        # throughput target.
        cpu_ratios = [runs[name][r]["cpu_us"] / runs[baseline][r]["cpu_us"]
                      for r in rounds if runs[baseline][r]["cpu_us"] > 0]
        if not cpu_ratios:
            print(f"{'':>{len(name) + len(baseline) + 3}} CPU per message: no baseline CPU"
                  " measured (runs too short for the clock tick)")
            continue
        cpu_paired = statistics.median(cpu_ratios)
        cpu_of_medians = (cpu_medians[name] / cpu_medians[baseline]
                          if cpu_medians[baseline] > 0 else float("nan"))
        cpu_verdict = "ok" if cpu_paired <= 1 / target else "above"
        print(f"{'':>{len(name) + len(baseline) + 3}} CPU per message:"
              f" median of per-round ratios {cpu_paired:.3f}x, ratio of medians"
              f" {cpu_of_medians:.3f}x  (CPU-bound equivalent <= {1 / target:.2f}x:"
              f" {cpu_verdict})")


def main(argv):
    if not argv:
        sys.exit(__doc__)
    cmd, args = argv[0], argv[1:]
    if cmd == "free-port":
        print(free_port())
    elif cmd == "wait-ports-file":
        print(wait_ports_file(args[0], args[1], float(args[2])))
    elif cmd == "wait-banner":
        wait_banner(args[0], int(args[1]), float(args[2]))
    elif cmd == "timed":
        if len(args) < 3 or args[1] != "--":
            sys.exit("usage: timed SECS -- CMD...")
        timed(float(args[0]), args[2:])
    elif cmd == "cpu":
        print(f"{cpu_seconds(int(args[0])):.2f}")
    elif cmd == "summarize":
        summarize(args[0], float(args[1]))
    elif cmd == "summarize-versus":
        if len(args) < 3 or any("=" not in a for a in args[2:]):
            sys.exit("usage: summarize-versus FILE BASELINE NAME=TARGET...")
        targets = {}
        for a in args[2:]:
            name, target = a.rsplit("=", 1)
            targets[name] = float(target)
        summarize_versus(args[0], args[1], targets)
    else:
        sys.exit(f"unknown subcommand '{cmd}'\n{__doc__}")


if __name__ == "__main__":
    main(sys.argv[1:])
