"""Opens N idle SMTP sessions to a server and reports the server's RSS.

Usage: idle_sessions.py --label NAME --pid PID --port PORT [--sessions N]
                        [--api-port PORT] [--limit-mb MB] [--timeout SECS]

Each session connects, reads the whole 220 greeting and then sends nothing:
an idle client. The server's VmRSS (/proc/PID/status) is read before the
first connection and once every session has its greeting; the difference
divided by N is the memory one idle session costs. That the server really
holds N sessions is checked from its side: its open socket count
(/proc/PID/fd) and, for fake-smtpd, active_sessions from GET /api/stats.

Standard library only (Debian's /usr/bin/python3). Connections are opened
WINDOW at a time so the listen backlog never overflows (an overflow makes the
kernel drop SYNs, and the retry after 1 s would be measured as server
slowness). Every wait is bounded by --timeout.
"""

import argparse
import errno
import http.client
import json
import os
import resource
import selectors
import socket
import sys
import time

WINDOW = 200  # connections connecting or awaiting their greeting at once


def status_kb(pid, field):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def socket_count(pid):
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                count += 1
        except OSError:
            pass  # closed while we looked
    return count


def api_stats(port, timeout):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/api/stats")
        response = conn.getresponse()
        if response.status != 200:
            raise RuntimeError(f"/api/stats: HTTP {response.status}")
        return json.loads(response.read())
    finally:
        conn.close()


def greeting_complete(data):
    # RFC 5321 §4.2.1: the last line of a reply is "ddd" or "ddd SP text".
    for line in data.split(b"\r\n")[:-1]:
        if len(line) == 3 or line[3:4] == b" ":
            return True
    return False


class Client:
    """N non-blocking sessions driven by one selector."""

    def __init__(self, port, sessions, timeout):
        self.port = port
        self.sessions = sessions
        self.deadline = time.monotonic() + timeout
        self.selector = selectors.DefaultSelector()
        self.held = []  # greeted sessions, kept open
        self.pending = {}  # socket -> bytes received so far
        self.failures = {}  # reason -> count
        self.bad_greetings = 0

    def fail(self, sock, reason):
        self.failures[reason] = self.failures.get(reason, 0) + 1
        self.selector.unregister(sock)
        del self.pending[sock]
        sock.close()

    def start_one(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        err = sock.connect_ex(("127.0.0.1", self.port))
        if err not in (0, errno.EINPROGRESS):
            sock.close()
            self.failures[errno.errorcode.get(err, str(err))] = (
                self.failures.get(errno.errorcode.get(err, str(err)), 0) + 1)
            return
        # Readable means: greeting bytes, or EOF/error (connect failed).
        self.pending[sock] = b""
        self.selector.register(sock, selectors.EVENT_READ)

    def on_readable(self, sock):
        try:
            chunk = sock.recv(4096)
        except OSError as e:
            self.fail(sock, errno.errorcode.get(e.errno, str(e)))
            return
        if not chunk:
            self.fail(sock, "closed before greeting")
            return
        data = self.pending[sock] + chunk
        if len(data) > 4096:
            self.fail(sock, "greeting longer than 4096 octets")
            return
        self.pending[sock] = data
        if greeting_complete(data):
            self.selector.unregister(sock)
            del self.pending[sock]
            if not data.startswith(b"220"):
                self.bad_greetings += 1
                sock.close()
                return
            self.held.append(sock)

    def run(self):
        started = 0
        while len(self.held) + sum(self.failures.values()) + self.bad_greetings < self.sessions:
            while started < self.sessions and len(self.pending) < WINDOW:
                self.start_one()
                started += 1
            left = self.deadline - time.monotonic()
            if left <= 0:
                for sock in list(self.pending):
                    self.fail(sock, "no greeting in time")
                break
            for key, _ in self.selector.select(timeout=min(left, 1.0)):
                self.on_readable(key.fileobj)

    def close(self):
        for sock in self.held:
            sock.close()
        self.held = []


def raise_fd_limit(needed):
    """Raises this process's soft RLIMIT_NOFILE to the hard limit (a server
    started after inherits it); exits when even that is below `needed`."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < needed:
        sys.exit(f"need {needed} open files, the hard limit is {hard}")
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, needed)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def mb(kb):
    return kb / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--sessions", type=int, default=10000)
    parser.add_argument("--api-port", type=int)
    parser.add_argument("--limit-mb", type=float)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    raise_fd_limit(args.sessions + 64)

    rss_before = status_kb(args.pid, "VmRSS")
    client = Client(args.port, args.sessions, args.timeout)
    began = time.monotonic()
    try:
        client.run()
        ramp = time.monotonic() - began
        time.sleep(0.5)  # let the server finish writing greetings to the last ones
        rss_held = status_kb(args.pid, "VmRSS")
        hwm = status_kb(args.pid, "VmHWM")
        sockets = socket_count(args.pid)
        active = None
        if args.api_port:
            active = api_stats(args.api_port, 10).get("active_sessions")
    finally:
        held = len(client.held)
        client.close()

    print(f"{args.label}: {held} of {args.sessions} idle sessions greeted in {ramp:.1f} s")
    if client.failures or client.bad_greetings:
        print(f"  failures: {client.failures}, non-220 greetings: {client.bad_greetings}")
    seen = f"  server side: {sockets} open sockets (sessions + listeners)"
    if active is not None:
        seen += f", /api/stats active_sessions {active}"
    print(seen)
    grown = rss_held - rss_before
    print(f"  RSS before {mb(rss_before):.1f} MB, with sessions {mb(rss_held):.1f} MB"
          f" (peak {mb(hwm):.1f} MB), increase {mb(grown):.1f} MB")
    if held:
        print(f"  RSS per session: {grown * 1024 / held:.0f} bytes"
              f" ({rss_held * 1024 / held:.0f} bytes counting the whole RSS)")
    if args.limit_mb is not None:
        ok = held == args.sessions and mb(rss_held) <= args.limit_mb
        if active is not None and active != args.sessions:
            ok = False
        why = "ok" if ok else "FAILED"
        print(f"  verdict: {held} sessions in {mb(rss_held):.1f} MB RSS,"
              f" target {args.sessions} sessions <= {args.limit_mb:.0f} MB: {why}")
        return 0 if ok else 1
    return 0 if held == args.sessions else 1


if __name__ == "__main__":
    sys.exit(main())
