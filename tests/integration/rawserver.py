"""A raw TCP server on 127.0.0.1 for tests of hostile peers (standard library
only): each connection runs `behaviour(conn, stop)` on a thread of its own
and is closed after. Shared by the load and the check failure tests and the
reversed soak (soak_reversed.py), with the hostile behaviours they share:
a greeting dripped an octet at a time, replies that never end, a 10 MiB
greeting, and a reset in the middle of a reply. Those send with send_all(),
so they need a RawServer(..., blocking=False).

Every loop here is bounded in iterations and in time.
"""

import select
import socket
import threading
import time

from fakesmtpd import abort_connection

# How long a behaviour that could send for ever (an endless reply) goes on:
# the runs that meet it last a few seconds.
ENDLESS_SECONDS = 10.0


def drain(conn, stop, limit=30.0):
    """Reads and drops what the client sends until it closes the
    connection, the test stops the server, or `limit` seconds pass."""
    deadline = time.monotonic() + limit
    for _ in range(100000):
        if stop.is_set() or time.monotonic() >= deadline:
            return
        readable, _, _ = select.select([conn], [], [], 0.2)
        if readable:
            try:
                if not conn.recv(65536):
                    return
            except BlockingIOError:
                continue
            except OSError:
                return


def send_all(sock, data, stop, deadline=None):
    """Sends `data` on a non-blocking socket unless the peer goes away, the
    test stops the server or the monotonic `deadline` passes; True when all
    of it was sent."""
    view = memoryview(data)
    for _ in range(100000):
        if not view:
            return True
        if stop.is_set() or (deadline is not None and time.monotonic() >= deadline):
            return False
        _, writable, _ = select.select([], [sock], [], 0.2)
        if not writable:
            continue
        try:
            view = view[sock.send(view):]
        except BlockingIOError:
            continue
        except OSError:
            return False
    return False


def send_for_a_while(sock, chunk, stop, seconds=ENDLESS_SECONDS):
    """Sends `chunk` again and again until the client stops reading or goes
    away, or `seconds` pass."""
    deadline = time.monotonic() + seconds
    for _ in range(1000000):
        if not send_all(sock, chunk, stop, deadline):
            return


def read_command(conn, stop, limit=10.0):
    """Waits for the client's first bytes (a command, or part of one); False
    when it closed or sent nothing within `limit` seconds."""
    deadline = time.monotonic() + limit
    for _ in range(100000):
        left = deadline - time.monotonic()
        if stop.is_set() or left <= 0:
            return False
        readable, _, _ = select.select([conn], [], [], min(left, 0.2))
        if readable:
            try:
                return bool(conn.recv(65536))
            except BlockingIOError:
                continue
            except OSError:
                return False
    return False


def dripping(text, interval):
    """A behaviour that sends `text` one octet every `interval` seconds,
    then reads until the client leaves."""

    def behaviour(sock, stop):
        for byte in text:
            if stop.wait(interval) or not send_all(sock, bytes([byte]), stop):
                return
        drain(sock, stop)

    behaviour.__name__ = f"dripping every {interval * 1000:.0f} ms"
    return behaviour


drip_banner = dripping(b"220 drip.test ESMTP one octet at a time\r\n", 0.2)


def endless_reply(sock, stop):
    """A greeting, then "250-" continuation lines for ever (for
    ENDLESS_SECONDS): an EHLO reply that never ends."""
    if not send_all(sock, b"220 endless.test ESMTP\r\n", stop):
        return
    send_for_a_while(sock, (b"250-" + b"x" * 70 + b"\r\n") * 1000, stop)


def endless_banner(sock, stop):
    """A greeting of "220-" continuation lines that never ends."""
    send_for_a_while(sock, (b"220-" + b"y" * 70 + b"\r\n") * 1000, stop)


def huge_banner(sock, stop, size=10 << 20):
    """A 10 MiB greeting on one line, then reads until the client leaves.
    Sent 64 KiB at a time: the test process must stay small, since a child's
    peak RSS as wait4 reports it includes the parent's at the fork."""
    chunk = b"z" * 65536
    deadline = time.monotonic() + ENDLESS_SECONDS
    if not send_all(sock, b"220 ", stop, deadline):
        return
    for _ in range(size // len(chunk)):
        if not send_all(sock, chunk, stop, deadline):
            return
    if send_all(sock, b"\r\n", stop, deadline):
        drain(sock, stop)


def reset_mid_greeting(sock, stop):
    """Half a greeting, then a TCP RST."""
    send_all(sock, b"220-reset.test ESMTP\r\n220-and", stop)
    abort_connection(sock)


def reset_mid_reply(sock, stop):
    """A greeting; to the first command, half a reply and a TCP RST."""
    if send_all(sock, b"220 reset.test ESMTP\r\n", stop) and read_command(sock, stop):
        send_all(sock, b"250-reset.test greets you\r\n250-PIPEL", stop)
    abort_connection(sock)


class RawServer:
    """Use as a context manager, or start() and stop(). With blocking=False
    the behaviour gets a non-blocking socket (for senders that must notice
    a stopped test while the client does not read)."""

    def __init__(self, behaviour, blocking=True):
        self.behaviour = behaviour
        self.blocking = blocking
        self.stop_event = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.threads = []
        self.acceptor = threading.Thread(target=self._accept, daemon=True)

    @property
    def target(self):
        return f"127.0.0.1:{self.port}"

    def _accept(self):
        for _ in range(1000000):
            if self.stop_event.is_set():
                return
            try:
                conn, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _serve(self, conn):
        with conn:
            conn.setblocking(self.blocking)
            self.behaviour(conn, self.stop_event)

    def start(self):
        self.acceptor.start()
        return self

    def stop(self):
        self.stop_event.set()
        self.acceptor.join(5)
        self.listener.close()
        for thread in list(self.threads):
            thread.join(5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
