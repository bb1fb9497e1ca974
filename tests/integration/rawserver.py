"""A raw TCP server on 127.0.0.1 for tests of hostile peers (standard library
only): each connection runs `behaviour(conn, stop)` on a thread of its own
and is closed after. Shared by the load and the check failure tests.

Every loop here is bounded in iterations and in time.
"""

import select
import socket
import threading
import time


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
            except OSError:
                return


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
