"""Helpers the smtp-harness load benchmark scripts (bench/load-*.sh) call
from bash.

Standard library only; run with Debian's /usr/bin/python3. Every wait and
every loop here is bounded: a benchmark that hangs is worse than one that
fails. The generic pieces (free-port, wait-ports-file, wait-banner, timed,
cpu) are bench/fake-smtpd/benchlib.py's, re-exported.

Subcommands:
  free-port | wait-ports-file | wait-banner | timed | cpu
                                 as in bench/fake-smtpd/benchlib.py
  message-size SECS -- CMD...    serve one SMTP client on a free loopback
                                 port ("{port}" in CMD is replaced by it) and
                                 print the octets of each message it sends
                                 (the content between DATA's 354 and the
                                 final dot, dot-unstuffing undone, CRLFs
                                 counted)
  run-client FILE NAME ROUND MESSAGES SECS SERVER_PID RESULT -- CMD...
                                 run one benchmark client CMD, time it, and
                                 append 'name round messages wall client_cpu
                                 server_cpu' to FILE (not for round 0, the
                                 warm-up); RESULT is the --json file CMD
                                 writes (smtp-harness: checked, its elapsed
                                 time appended) or '-' (smtp-source)
  peak-rss SECS OUT -- CMD...    run CMD, write its peak RSS (KiB, from
                                 wait4's rusage) to OUT; CMD's exit status is
                                 passed on
  vmhwm PID                      print a running process's peak RSS (KiB)
  load-summary JSON              print the figures of one load result
  throughput FILE BASELINE NAME=TARGET...
                                 the throughput table: per-round rates, the
                                 median of the per-round ratios to BASELINE
                                 (the verdict), PASS/FAIL per target; exits 1
                                 when a target is missed
  check-concurrency JSON RSS_KIB SERVER_KIB SESSIONS LIMIT_MIB
                                 the concurrency verdict
  check-rate FILE TARGET_RATE TOLERANCE
                                 the rate-accuracy verdict over several runs
  check-accuracy FILE LOW_MS HIGH_MS
                                 the measurement-accuracy verdict
"""

import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ left in bench/fake-smtpd/
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fake-smtpd"))
import benchlib  # noqa: E402  (bench/fake-smtpd/benchlib.py)


# --- message-size -----------------------------------------------------------

class _Lines:
    """CRLF-terminated lines from a socket, with a deadline."""

    def __init__(self, sock, deadline):
        self.sock, self.deadline, self.buf = sock, deadline, b""

    def line(self):
        while b"\r\n" not in self.buf:
            self.sock.settimeout(max(0.01, self.deadline - time.monotonic()))
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("client closed mid-line")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line


def _serve_one(conn, deadline, sizes):
    """A minimal RFC 5321 server for one session: no PIPELINING advertised,
    every command accepted. Records each message's size in octets as it
    would be delivered (RFC 5321 §4.5.2: a leading '.' that the client added
    is removed), CRLF line ends included, the final '.' line excluded."""
    lines = _Lines(conn, deadline)
    conn.sendall(b"220 size.probe ESMTP\r\n")
    while True:
        verb = lines.line().split(b" ", 1)[0].upper()
        if verb == b"EHLO":
            conn.sendall(b"250-size.probe\r\n250 8BITMIME\r\n")
        elif verb == b"DATA":
            conn.sendall(b"354 go ahead\r\n")
            size = 0
            for _ in range(10_000_000):  # bounded; a message ends with "."
                line = lines.line()
                if line == b".":
                    break
                if line.startswith(b"."):
                    line = line[1:]
                size += len(line) + 2
            sizes.append(size)
            conn.sendall(b"250 ok\r\n")
        elif verb == b"QUIT":
            conn.sendall(b"221 bye\r\n")
            return
        else:
            conn.sendall(b"250 ok\r\n")


def message_size(seconds, cmd):
    deadline = time.monotonic() + seconds
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        port = listener.getsockname()[1]
        cmd = [part.replace("{port}", str(port)) for part in cmd]
        client = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        sizes = []
        try:
            listener.settimeout(0.05)
            # Sessions one after another until the client exits (bounded by
            # the deadline). smtp-harness first probes the target with a
            # connection it closes without a word: that one sends nothing.
            while client.poll() is None:
                if time.monotonic() > deadline:
                    sys.exit(f"{cmd[0]}: still running after {seconds} s")
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    continue
                with conn:
                    try:
                        _serve_one(conn, deadline, sizes)
                    except ConnectionError:
                        pass  # the probe, or a client that gave up: judged below
            if client.returncode != 0:
                sys.exit(f"{cmd[0]} exited ({client.returncode}):"
                         f" {client.stderr.read().decode(errors='replace').strip()}")
        finally:
            if client.poll() is None:
                client.kill()
                client.wait()
    if not sizes:
        sys.exit(f"{cmd[0]}: sent no message")
    print(" ".join(str(s) for s in sizes))


# --- running smtp-harness load and reading its result -----------------------

def load_figures(path):
    """The figures the benchmarks read from one result file (reports/schema/
    result.schema.json)."""
    with open(path, encoding="utf-8") as f:
        load = json.load(f)["load"]
    c = load["counters"]
    phases = {p["phase"]: p for p in load["phases"]}
    return {
        "elapsed": load["elapsed_seconds"],
        "achieved": load["achieved_rate"],
        "target": load.get("target_rate", 0.0),
        "duration": load["settings"].get("duration_seconds", 0.0),
        "started": c["transactions_started"],
        "delivered": c["delivered"],
        "refused": c["refused_4xx"] + c["refused_5xx"],
        "failed": c["failed"],
        "errors": sum(load["errors"].values()),
        "opened": c["connections_opened"],
        "connect_failed": c["connections_failed"],
        "late": c["late_starts"],
        "dropped": c["dropped_starts"],
        "bytes_written": c["bytes_written"],
        "peak_connections": max((s["connections"] for s in load["series"]), default=0),
        "per_second": [s["started"] for s in load["series"]],
        "cpu": load["generator"]["cpu_seconds"],
        "busiest": load["generator"]["busiest_worker_cpu"],
        "bound": load["generator"]["bound"],
        "reasons": load["generator"]["reasons"],
        "lag_p99": load["generator"]["loop_lag"].get("p99_ns", 0),
        "phases": phases,
        "error_samples": load["error_samples"],
    }


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_client(out, name, rnd, messages, seconds, server_pid, result, cmd):
    """The client's CPU time is its rusage (wait4), the server's the change
    in /proc/PID/stat over the run (10 ms ticks: approximate per message)."""
    if result != "-" and os.path.exists(result):
        os.unlink(result)
    server_before = benchlib.cpu_seconds(server_pid)
    client_before = _children_cpu()
    start = time.monotonic()
    try:
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              timeout=seconds, text=True)
    except subprocess.TimeoutExpired:
        sys.exit(f"{cmd[0]}: still running after {seconds} s")
    wall = time.monotonic() - start
    client_cpu = _children_cpu() - client_before
    server_cpu = benchlib.cpu_seconds(server_pid) - server_before
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)}: exit status {done.returncode}\n{done.stderr}")
    line = f"{name} {rnd} {messages} {wall:.6f} {client_cpu:.4f} {server_cpu:.4f}"
    if result != "-":
        f = load_figures(result)
        if f["delivered"] != messages or f["errors"]:
            sys.exit(f"{name}: {f['started']} started, {f['delivered']} delivered of {messages},"
                     f" {f['errors']} errors: {f['error_samples']}")
        line += f" {f['elapsed']:.6f}"
    if rnd > 0:
        with open(out, "a", encoding="utf-8") as o:
            o.write(line + "\n")


def peak_rss(seconds, out, cmd):
    # wait4() reports the child's ru_maxrss (KiB on Linux): the high-water
    # mark of its resident set over its whole life, which no sampling loop
    # can miss. This process runs only this one child, so RUSAGE_CHILDREN
    # is that child's alone.
    child = subprocess.Popen(cmd)
    try:
        status = child.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
        sys.exit(f"{cmd[0]}: still running after {seconds} s")
    with open(out, "w", encoding="utf-8") as o:
        o.write(f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\n")
    sys.exit(status)


def vmhwm(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    sys.exit(f"/proc/{pid}/status: no VmHWM")


def ms(ns):
    return ns / 1e6


def load_summary(path):
    f = load_figures(path)
    print(f"  started {f['started']}, delivered {f['delivered']}, errors {f['errors']},"
          f" connections opened {f['opened']} (failed {f['connect_failed']},"
          f" peak open {f['peak_connections']}), late {f['late']}, dropped {f['dropped']};"
          f" elapsed {f['elapsed']:.3f} s, achieved {f['achieved']:.1f}/s;"
          f" generator CPU {f['cpu']:.2f} s, busiest worker {f['busiest']:.0%},"
          f" loop lag p99 {ms(f['lag_p99']):.2f} ms"
          + (f"; GENERATOR-BOUND: {'; '.join(f['reasons'])}" if f["bound"] else ""))


# --- verdicts ---------------------------------------------------------------

def verdict(ok, what):
    print(f"{'PASS' if ok else 'FAIL'}: {what}")
    return ok


def throughput(path, baseline, targets):
    """FILE: lines as run_client() writes them. Rates are messages / wall
    time of the whole process, for every tool alike; smtp-harness's own
    figure (delivered / its elapsed time, without start-up) is shown beside.
    CPU per message shows which side was the limit: a process that needs
    more CPU per message than the other sends fewer when both compete for
    the same cores."""
    runs = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            name, rnd, messages = fields[0], int(fields[1]), int(fields[2])
            wall, client_cpu, server_cpu = (float(x) for x in fields[3:6])
            run = {"rate": messages / wall, "client_us": client_cpu * 1e6 / messages,
                   "server_us": server_cpu * 1e6 / messages}
            if len(fields) > 6:
                run["own"] = messages / float(fields[6])
            runs.setdefault(name, {})[rnd] = run
    names = [baseline] + list(targets)
    for name in names:
        if name not in runs:
            sys.exit(f"{path}: no runs of '{name}'")
    rounds = sorted(runs[baseline])
    print("per round: messages per second (messages / wall time of the whole process),"
          " client and server CPU us per message; ratio to " + baseline)
    print(f"{'round':>5}" + "".join(f" {n:>24}" for n in names)
          + "".join(f" {n:>12}" for n in targets))
    for rnd in rounds:
        print(f"{rnd:>5}" + "".join(
            f" {runs[n][rnd]['rate']:>10.0f} {runs[n][rnd]['client_us']:>6.1f}"
            f" {runs[n][rnd]['server_us']:>6.1f}" for n in names)
            + "".join(f" {runs[n][rnd]['rate'] / runs[baseline][rnd]['rate']:>11.3f}x"
                      for n in targets))
    print()
    for name in names:
        rates = [runs[name][r]["rate"] for r in rounds]
        client = statistics.median(runs[name][r]["client_us"] for r in rounds)
        server = statistics.median(runs[name][r]["server_us"] for r in rounds)
        line = (f"{name:<14} median {statistics.median(rates):>7.0f} msgs/s"
                f" (min {min(rates):.0f}, max {max(rates):.0f}, {len(rates)} runs);"
                f" CPU per message: client {client:.1f} us, server {server:.1f} us")
        if "own" in runs[name][rounds[0]]:
            own = statistics.median(runs[name][r]["own"] for r in rounds)
            line += f"; delivered/elapsed {own:.0f}/s"
        print(line)
    print()
    ok = True
    for name, target in targets.items():
        ratios = [runs[name][r]["rate"] / runs[baseline][r]["rate"] for r in rounds]
        paired = statistics.median(ratios)
        what = (f"{name} / {baseline}: median of per-round ratios {paired:.3f}x"
                f" (min {min(ratios):.3f}x, max {max(ratios):.3f}x")
        if target is None:
            print(f"info: {what})")
            continue
        ok &= verdict(paired >= target, f"{what}; target >= {target:.2f}x)")
    return ok


def check_concurrency(path, rss_kib, server_kib, sessions, limit_mib):
    f = load_figures(path)
    load_summary(path)
    print(f"client peak RSS {rss_kib / 1024:.1f} MiB ({rss_kib} KiB);"
          f" fake-smtpd peak RSS {server_kib / 1024:.1f} MiB (information)")
    ok = verdict(f["opened"] >= sessions and f["connect_failed"] == 0,
                 f"connections opened {f['opened']} >= {sessions}, failed {f['connect_failed']} == 0")
    ok &= verdict(f["peak_connections"] >= sessions,
                  f"concurrently open (peak of the per-second series) {f['peak_connections']}"
                  f" >= {sessions}")
    ok &= verdict(f["delivered"] > 0 and f["errors"] == 0,
                  f"delivered {f['delivered']} > 0 with {f['errors']} errors")
    ok &= verdict(rss_kib <= limit_mib * 1024,
                  f"client peak RSS {rss_kib / 1024:.1f} MiB <= {limit_mib} MiB")
    return ok


def _results(path):
    """FILE: lines 'name run result.json'."""
    with open(path, encoding="utf-8") as f:
        return [line.split() for line in f if line.strip()]


def check_rate(path, target_rate, tolerance):
    ok = True
    by_name = {}
    for name, rnd, result in _results(path):
        f = load_figures(result)
        by_dur = f["started"] / f["duration"] if f["duration"] else float("nan")
        by_name.setdefault(name, []).append((f["achieved"] / target_rate, by_dur / target_rate))
        print(f"{name.removeprefix('info-')} run {rnd}: achieved_rate {f['achieved']:.1f}/s"
              f" ({f['achieved'] / target_rate:.4f}x), started/duration {by_dur:.1f}/s"
              f" ({by_dur / target_rate:.4f}x), target_rate {f['target']:.0f}")
        # The last entry is the partial second of the drain.
        full = f["per_second"][:int(f["duration"])] if f["duration"] else []
        if full:
            print(f"  starts per second: min {min(full)}, max {max(full)},"
                  f" over {len(full)} full seconds")
        load_summary(result)
    print()
    for name, ratios in by_name.items():
        achieved = statistics.median(r[0] for r in ratios)
        by_dur = statistics.median(r[1] for r in ratios)
        what = (f"{name}: median achieved/target {achieved:.4f}x, started/duration"
                f" {by_dur:.4f}x over {len(ratios)} runs (target within"
                f" {tolerance:.0%}: {1 - tolerance:.2f}..{1 + tolerance:.2f})")
        good = abs(achieved - 1) <= tolerance and abs(by_dur - 1) <= tolerance
        if name.startswith("info-"):
            print(f"info: {what[len('info-'):]}: {'within' if good else 'OUTSIDE'}")
        else:
            ok &= verdict(good, what)
    return ok


def check_accuracy(path, low_ms, high_ms):
    p50s = []
    for name, rnd, result in _results(path):
        f = load_figures(result)
        eod = f["phases"].get("end_of_data")
        if eod is None:
            sys.exit(f"{result}: no end_of_data latency")
        p50s.append(ms(eod["p50_ns"]))
        print(f"{name} run {rnd}: end_of_data count {eod['count']}, p50 {ms(eod['p50_ns']):.3f} ms,"
              f" p90 {ms(eod['p90_ns']):.3f} ms, p99 {ms(eod['p99_ns']):.3f} ms,"
              f" min {ms(eod['min_ns']):.3f} ms, max {ms(eod['max_ns']):.3f} ms")
        load_summary(result)
    median = statistics.median(p50s)
    print()
    return verdict(low_ms <= median <= high_ms,
                   f"median end_of_data p50 {median:.3f} ms over {len(p50s)} runs"
                   f" (runs: {', '.join(f'{p:.3f}' for p in p50s)}) within"
                   f" {low_ms}..{high_ms} ms")


def main(argv):
    if not argv:
        sys.exit(__doc__)
    cmd, args = argv[0], argv[1:]

    def after_dashes(n):
        if len(args) < n + 2 or args[n] != "--":
            sys.exit(f"usage: {cmd} ... -- CMD...")
        return args[n + 1:]

    if cmd in ("free-port", "wait-ports-file", "wait-banner", "timed", "cpu"):
        benchlib.main(argv)
    elif cmd == "message-size":
        message_size(float(args[0]), after_dashes(1))
    elif cmd == "run-client":
        run_client(args[0], args[1], int(args[2]), int(args[3]), float(args[4]), int(args[5]),
                   args[6], after_dashes(7))
    elif cmd == "peak-rss":
        peak_rss(float(args[0]), args[1], after_dashes(2))
    elif cmd == "vmhwm":
        print(vmhwm(int(args[0])))
    elif cmd == "load-summary":
        load_summary(args[0])
    elif cmd == "throughput":
        targets = {}
        for a in args[2:]:
            name, target = a.rsplit("=", 1)
            targets[name] = None if target == "info" else float(target)
        sys.exit(0 if throughput(args[0], args[1], targets) else 1)
    elif cmd == "check-concurrency":
        sys.exit(0 if check_concurrency(args[0], int(args[1]), int(args[2]), int(args[3]),
                                        float(args[4])) else 1)
    elif cmd == "check-rate":
        sys.exit(0 if check_rate(args[0], float(args[1]), float(args[2])) else 1)
    elif cmd == "check-accuracy":
        sys.exit(0 if check_accuracy(args[0], float(args[1]), float(args[2])) else 1)
    else:
        sys.exit(f"unknown subcommand '{cmd}'\n{__doc__}")


if __name__ == "__main__":
    main(sys.argv[1:])
