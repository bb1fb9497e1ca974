"""The hostile clients of the server soak (soak.py): each function is one
session of one kind against fake-smtpd, and returns a word or two saying how
it ended. They send garbage, 1 MiB lines, a byte every few hundred ms,
garbage where a TLS handshake or TLS records belong, and vanish in the
middle of DATA and of BDAT chunks, some after announcing a 999999999999
octet chunk. Every one of them gives up after the plan's hostile_timeout.

Their EHLO names end in .hostile.test and they connect from 127.0.0.1, which
the rules soak_rules.py puts over the API match; the well-behaved clients
come from 127.0.0.2 under other names, so the rules never touch them.

A HostileWorker runs one kind in a loop, bounded by the soak's deadline and
a count, and tallies the outcomes. Standard library only.
"""

import collections
import errno
import os
import random
import select
import socket
import ssl
import threading
import time
import traceback

from fakesmtpd import Closed, Smtp, unverified_tls

MIB = 1 << 20
HUGE_CHUNK = 999999999999
# A session of any kind starts at most this often per worker (a bound on
# the loop's count, beside the deadline).
MAX_SESSIONS_PER_WORKER = 1000000


class Blobs:
    """The bytes the hostile clients send, made once from the seed."""

    def __init__(self, seed):
        rng = random.Random(seed)
        noise = rng.randbytes(64 * 1024)
        # Binary from the first octet, with NULs: garbage in the command stream.
        self.garbage = b"\0" + noise
        # Printable text lines: a message body, as a client would send it.
        line = bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz0123456789 ") for _ in range(76))
        self.text = (line + b"\r\n") * (2 * MIB // 78)
        self.long_line = b"NOOP " + b"A" * MIB + b"\r\n"


class Context:
    """What a hostile session needs: where the server is, a generator of
    its own, the blobs, the stop event, the plan and its timeout for
    hostile clients."""

    def __init__(self, server, plan, blobs, rng, stop):
        self.host = server.host
        self.smtp_port = server.smtp_port
        self.smtps_port = server.smtps_port
        self.plan = plan
        self.blobs = blobs
        self.rng = rng
        self.stop = stop
        self.timeout = plan.hostile_timeout

    def connect(self, helo=None):
        """A raw client that has its 220 greeting (and, with `helo`, the
        250 to EHLO)."""
        client = Smtp(self.host, self.smtp_port, timeout=self.timeout)
        try:
            greeting = client.reply()
            if greeting.code != 220:
                raise Refused(f"greeting {greeting.code}")
            if helo:
                reply = client.cmd(f"EHLO {helo}.hostile.test")
                if reply.code != 250:
                    raise Refused(f"EHLO {reply.code}")
        except BaseException:
            client.close()
            raise
        return client

    def vanish(self, client):
        """Goes away without QUIT: half the time with a FIN, half with a RST."""
        if self.rng.random() < 0.5:
            client.reset()
            return "reset"
        client.close()
        return "closed"


class Refused(Exception):
    """The server (or a rule put over the API) answered otherwise than the
    session needed to go on: an outcome, not an error."""


def expect(client, line, code):
    reply = client.cmd(line)
    if reply.code != code:
        raise Refused(f"{line.split()[0]} {reply.code}")
    return reply


def read_pending(client):
    """Reads whatever the server has sent, without waiting. poll(), not
    select(): beside 10,000 idle sessions the socket's number is past
    select()'s FD_SETSIZE."""
    poller = select.poll()
    poller.register(client.sock, select.POLLIN)
    for _ in range(100):
        if not poller.poll(0):
            return
        if not client.sock.recv(65536):
            raise Closed("closed by the server")


def garbage(ctx):
    """64 KiB of binary noise where commands belong; the server should say
    so and close."""
    with ctx.connect() as client:
        client.send(ctx.blobs.garbage)
        _, how = client.read_until_closed(timeout=ctx.timeout)
        return f"server closed ({how})"


def long_line(ctx):
    """A 1 MiB command line."""
    with ctx.connect("long") as client:
        client.send(ctx.blobs.long_line)
        reply = client.reply()
        return f"answered {reply.code}, then {ctx.vanish(client)}"


def slowloris(ctx):
    """A transaction sent one octet every `drip` seconds, for at most
    slowloris_seconds, then gone."""
    script = (b"EHLO slow.hostile.test\r\nMAIL FROM:<slow@hostile.test>\r\n"
              b"RCPT TO:<slow@soak.test>\r\nDATA\r\n" + ctx.blobs.text[:4096])
    octets = int(ctx.plan.slowloris_seconds / ctx.plan.drip)
    with ctx.connect() as client:
        for byte in script[:octets]:
            if ctx.stop.wait(ctx.plan.drip):
                break
            client.send(bytes([byte]))
            read_pending(client)
        return f"dripped, then {ctx.vanish(client)}"


def tls_garbage(ctx):
    """Garbage in place of the TLS handshake after STARTTLS, garbage records
    after a good handshake, or garbage on the implicit-TLS port."""
    variant = ctx.rng.randrange(3)
    if variant == 2:
        # A plain TCP client on the implicit-TLS port.
        with Smtp(ctx.host, ctx.smtps_port, timeout=ctx.timeout) as client:
            client.send(ctx.blobs.garbage[1:4097])
            _, how = client.read_until_closed(timeout=ctx.timeout)
            return f"implicit TLS: server closed ({how})"
    with ctx.connect("tls") as client:
        expect(client, "STARTTLS", 220)
        if variant == 0:
            client.send(ctx.blobs.garbage[:4096])
            _, how = client.read_until_closed(timeout=ctx.timeout)
            return f"handshake garbage: server closed ({how})"
        client.sock = unverified_tls().wrap_socket(client.sock)
        # Past the TLS layer, straight into the TCP stream: records that
        # do not authenticate.
        os.write(client.sock.fileno(), ctx.blobs.garbage[1:4097])
        _, how = client.read_until_closed(timeout=ctx.timeout)
        return f"record garbage: server closed ({how})"


def open_transaction(client, name):
    expect(client, f"MAIL FROM:<{name}@hostile.test>", 250)
    expect(client, f"RCPT TO:<{name}@soak.test>", 250)


def vanish_mid_data(ctx):
    """Up to 300 KiB of a message, then gone without the final dot."""
    with ctx.connect("data") as client:
        open_transaction(client, "data")
        expect(client, "DATA", 354)
        client.send(ctx.blobs.text[:ctx.rng.randrange(1, 300 * 1024)])
        return f"gone mid-DATA ({ctx.vanish(client)})"


def vanish_mid_bdat(ctx):
    """A whole first chunk, then part of a 1 MiB last chunk, then gone."""
    with ctx.connect("bdat") as client:
        open_transaction(client, "bdat")
        first = ctx.blobs.text[:1000]
        client.send(f"BDAT {len(first)}\r\n".encode() + first)
        reply = client.reply()
        if reply.code != 250:
            raise Refused(f"BDAT {reply.code}")
        client.send(f"BDAT {MIB} LAST\r\n".encode())
        client.send(ctx.blobs.text[:ctx.rng.randrange(1, MIB)])
        return f"gone mid-BDAT ({ctx.vanish(client)})"


def bdat_huge(ctx):
    """BDAT 999999999999, in a transaction or not, then up to 2 MiB of it
    and gone."""
    with ctx.connect("huge") as client:
        if ctx.rng.random() < 0.5:
            open_transaction(client, "huge")
        last = " LAST" if ctx.rng.random() < 0.5 else ""
        client.send(f"BDAT {HUGE_CHUNK}{last}\r\n".encode())
        client.send(ctx.blobs.text[:ctx.rng.randrange(1, 2 * MIB)])
        read_pending(client)
        return f"gone inside a {HUGE_CHUNK}-octet chunk ({ctx.vanish(client)})"


KINDS = {f.__name__: f for f in (garbage, long_line, slowloris, tls_garbage, vanish_mid_data,
                                 vanish_mid_bdat, bdat_huge)}


# How many tracebacks of the test's own errors a worker keeps for the report.
TEST_ERROR_SAMPLES = 3


def outcome_of(error):
    """A short name for how a session that raised ended; None when the
    error is the test's own (a bug here, not the server's doing)."""
    if isinstance(error, Refused):
        return f"refused: {error}"
    if isinstance(error, (Closed, ConnectionError)):
        return "closed by the server"
    if isinstance(error, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(error, ssl.SSLError):
        return "TLS error"
    if isinstance(error, OSError):
        return f"socket error {errno.errorcode.get(error.errno, error.errno)}"
    if isinstance(error, AssertionError):
        # Smtp's word for a reply it cannot parse: the malformed, partial
        # and endless replies the rules in force ask for.
        return "malformed reply"
    return None


class HostileWorker(threading.Thread):
    """Runs sessions of one kind until `stop` is set or `deadline` passes;
    counts them and their outcomes. A session that fails on the test's
    side (outcome_of gives None) is kept in test_errors: the soak fails on
    it, since that kind then tests nothing."""

    def __init__(self, kind, ctx, pause, deadline):
        super().__init__(name=f"hostile-{kind}", daemon=True)
        self.kind = kind
        self.session = KINDS[kind]
        self.ctx = ctx
        self.pause = pause
        self.deadline = deadline
        self.sessions = 0
        self.outcomes = collections.Counter()
        self.test_errors = []

    def run(self):
        for _ in range(MAX_SESSIONS_PER_WORKER):
            if self.ctx.stop.is_set() or time.monotonic() >= self.deadline:
                return
            try:
                outcome = self.session(self.ctx)
            except Exception as e:  # every way a hostile session can end is an outcome
                outcome = outcome_of(e)
                if outcome is None:
                    outcome = f"test error {type(e).__name__}"
                    if len(self.test_errors) < TEST_ERROR_SAMPLES:
                        self.test_errors.append("".join(traceback.format_exception(e))[-1500:])
            self.sessions += 1
            self.outcomes[outcome] += 1
            if self.pause and self.ctx.stop.wait(self.pause):
                return
