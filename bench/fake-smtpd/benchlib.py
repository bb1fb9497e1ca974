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


def summarize(path, target):
    """FILE holds one line per timed run: 'server round messages seconds cpu',
    cpu being the server's CPU seconds during the run (clock-tick resolution,
    so per-message CPU is approximate)."""
    fake, sink = "fake-smtpd", "smtp-sink"
    runs = {fake: {}, sink: {}}
    with open(path, encoding="utf-8") as f:
        for line in f:
            server, rnd, messages, seconds, cpu = line.split()
            seconds, cpu = float(seconds), float(cpu)
            runs[server][int(rnd)] = {
                "rate": int(messages) / seconds,
                "cpu_us": cpu * 1e6 / int(messages),
                "busy": cpu / seconds,
            }
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
    else:
        sys.exit(f"unknown subcommand '{cmd}'\n{__doc__}")


if __name__ == "__main__":
    main(sys.argv[1:])
