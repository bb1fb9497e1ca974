#!/usr/bin/python3
"""Relays for the tests of the delivery oracle of `smtp-harness check
--oracle` and of the delivery sink of `smtp-harness load --sink`: each takes
mail over SMTP and passes every message on to the next hop (--to
HOST:PORT: the oracle's capture server, the load run's sink), whatever the
recipient, with the envelope sender and recipients it was given.

    relay.py --to HOST:PORT --mode MODE [--queue] [--hold DURATION] [--every N]

MODE:
  aiosmtpd-proxy  Debian's aiosmtpd with its own relaying handler,
                  aiosmtpd.handlers.Proxy: a real third-party relay, judged
                  as it is
  correct         the small relay below, doing everything right: it removes
                  the dot-stuffing (RFC 5321 §4.5.2), prepends a Received:
                  line (§4.4), keeps lines of 1000 octets whole (§4.5.3.1.6)
                  and delivers nothing of a session that dropped mid-DATA
                  (§4.1.1.10)
  unstuffed       BROKEN: passes lines on without dot-stuffing them again, so
                  the next hop unstuffs a second time and takes a lone "."
                  for the end (docs/CONFORMANCE.md D2, L4's line that
                  starts with a dot, and K2: a BDAT chunk's "." line ends
                  the message at the next hop and the lines after it run
                  as commands there)
  folding         BROKEN: folds body lines longer than 990 octets (L4)
  partial         BROKEN: delivers what it has when the client drops the
                  connection in the middle of DATA (D7)
  no-trace        BROKEN: prepends no Received: line (D6)
The modes below store and forward (--queue) unless told --no-queue, as the
load tests of a relay need: the 250 at the end of data comes first, the
delivery after it.
  hold            correct, and holds each message --hold (e.g. 200ms, at
                  most 60s) after its 250 before passing it on: a timer per
                  message and a connection per delivery, so that held
                  messages never wait for one another. The transaction with
                  the next hop is opened at once, up to its 354 to DATA; the
                  content goes when the hold is over, so that one round trip
                  is all that follows the timer
  drop            BROKEN: silently drops every --every-th message it
                  accepted (default 100: 1 in 100, an exact count)
  twice           BROKEN: delivers every --every-th message (default 10)
                  twice, over two connections
  bounce          for every --every-th message (default 50), delivers
                  nothing but a delivery status notification (RFC 3464, in a
                  multipart/report of RFC 6522) from the null reverse-path
                  to the message's envelope sender, at the same next hop,
                  naming each recipient "Action: failed", "Status: 5.0.0"

--queue  store and forward with any of the small relay's modes: 250 at the
         end of data, then the delivery (RFC 5321 §6.1: the message is the
         relay's from then on); a failed delivery is counted and the message
         is gone. Without it (--no-queue; the oracle tests) the relay answers
         the end of data only after the next hop's 250 (451 when it failed):
         drop, twice and bounce then drop, duplicate or bounce before the
         client has its answer.

Listens on 127.0.0.1, port 0, and prints "relay ready: port=N". Control on
stdin, one command a line: "stats" prints one JSON line of counts (received,
forwarded, failed, dropped, duplicated, bounced, in_flight, and the latest a
hold timer fired, late_ms_max). End of stdin stops it: it never outlives the
test that started it. Standard library and aiosmtpd only.

Relay below is the tests' handle on such a process.
"""

import argparse
import asyncio
import collections
import concurrent.futures
import email.utils
import json
import os
import re
import subprocess
import sys
import tempfile
import threading

HOSTNAME = "relay.test"
DELIVERY_TIMEOUT = 10.0
# A command line or text line longer than this ends the session (the RFC's
# limits are 512 and 1000; the margin lets the tests send their 1001).
MAX_LINE = 4096
# The first failed deliveries are written to stderr; the rest only counted
# (a relay whose next hop is down fails every one).
FAILURES_SHOWN = 10
QUEUED_MODES = ("hold", "drop", "twice", "bounce")
# A held message's transaction waits open for its content: a next hop's
# patience for that is minutes (RFC 5321 §4.5.3.2.5), a test's hold far less.
MAX_HOLD = 60.0
EVERY_DEFAULT = {"drop": 100, "twice": 10, "bounce": 50}


def received_line(helo, peer):
    """The trace line of RFC 5321 §4.4."""
    when = email.utils.format_datetime(email.utils.localtime())
    return (f"Received: from {helo} ([{peer}])\r\n\tby {HOSTNAME} with ESMTP; {when}\r\n").encode()


def fold_long_lines(content):
    """The folding relay's bug: lines over 990 octets are split, as MTAs
    with a 990-octet line limit do, although RFC 5321 §4.5.3.1.6 allows 998."""
    out = []
    for line in content.split(b"\r\n"):
        while len(line) > 990:
            out.append(line[:990])
            line = b" " + line[990:]
        out.append(line)
    return b"\r\n".join(out)


class DeliveryError(Exception):
    """The next hop refused the message, or broke the protocol."""


class Transaction:
    """One message on its way to the next hop, over a connection of its own,
    on the event loop (no thread: a held message's timer must not wait for
    another delivery's turn). open() goes as far as the 354 to DATA;
    finish() sends the content and reads the 250, then QUITs. Between the
    two a store-and-forward relay may hold the message: after its timer only
    one round trip is left. Each raises DeliveryError, OSError or
    TimeoutError when the message was not handed over."""

    def __init__(self, to):
        self.to = to
        self.reader = self.writer = None

    async def open(self, mail_from, recipients):
        try:
            async with asyncio.timeout(DELIVERY_TIMEOUT):
                self.reader, self.writer = await asyncio.open_connection(
                    self.to[0], self.to[1], limit=MAX_LINE)
                await self.step(b"", (220,))
                await self.step(f"EHLO {HOSTNAME}\r\n".encode(), (250,))
                await self.step(f"MAIL FROM:<{mail_from}>\r\n".encode(), (250,))
                for rcpt in recipients:
                    await self.step(f"RCPT TO:<{rcpt}>\r\n".encode(), (250, 251))
                await self.step(b"DATA\r\n", (354,))
        except BaseException:
            self.close()
            raise

    async def finish(self, content, stuff):
        """`stuff`: dot-stuff the text as RFC 5321 §4.5.2 requires; without
        it the lines go as they are."""
        try:
            if stuff:
                content = re.sub(rb"(?m)^\.", b"..", content)
            if not content.endswith(b"\r\n"):
                content += b"\r\n"
            async with asyncio.timeout(DELIVERY_TIMEOUT):
                await self.step(content + b".\r\n", (250,))
            # The message is handed over at the 250; what QUIT gets (the
            # unstuffed relay's next hop may answer leftover lines first)
            # does not undo that. Its 221 (or the end) is read, bounded, so
            # that the close is an orderly one.
            try:
                async with asyncio.timeout(DELIVERY_TIMEOUT):
                    self.writer.write(b"QUIT\r\n")
                    for _ in range(100):
                        if (await self.reply())[0] == 221:
                            break
            except (OSError, TimeoutError, DeliveryError):
                pass
        finally:
            self.close()

    async def reply(self):
        """(code, the reply's text) of one reply, all its lines."""
        lines = []
        try:
            for _ in range(100):  # a reply of more lines is a broken next hop
                line = await self.reader.readuntil(b"\n")
                lines.append(line)
                if line[3:4] != b"-":
                    return int(line[:3]) if line[:3].isdigit() else 0, b"".join(lines)
        except asyncio.IncompleteReadError as e:
            raise DeliveryError(f"the next hop closed the connection: "
                                f"{e.partial[-200:]!r}") from None
        except asyncio.LimitOverrunError:
            raise DeliveryError(f"a reply line longer than {MAX_LINE} octets") from None
        raise DeliveryError(f"a reply of more than 100 lines: {lines[:3]!r}")

    async def step(self, data, expected):
        if data:
            self.writer.write(data)
        code, text = await self.reply()
        if code not in expected:
            raise DeliveryError(f"{data[:60]!r} answered {text!r}")

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def deliver(to, mail_from, recipients, content, stuff):
    """Passes one message on to `to` (host, port) at once (Transaction)."""
    transaction = Transaction(to)
    await transaction.open(mail_from, recipients)
    await transaction.finish(content, stuff)


def header_of(content):
    """The header section of a message: the octets before its first empty line."""
    end = content.find(b"\r\n\r\n")
    return content if end < 0 else content[:end + 2]


def delivery_status_notification(mail_from, recipients, content, arrived):
    """The bounce mode's failure notice for a message it will not deliver:
    a multipart/report (RFC 6522) with a human-readable part, the
    message/delivery-status part of RFC 3464 §2 (per-message fields, then
    one group per recipient, each with Final-Recipient, Action and Status,
    §2.3) and the returned header (text/rfc822-headers, RFC 6522 §4). It
    goes from the null reverse-path (RFC 5321 §4.5.5) to `mail_from`."""
    boundary = email.utils.make_msgid(domain=HOSTNAME).strip("<>").replace("@", ".")
    groups = "".join(f"\r\nFinal-Recipient: rfc822; {r}\r\nAction: failed\r\nStatus: 5.0.0\r\n"
                     f"Diagnostic-Code: smtp; 550 5.0.0 bounced by the test relay\r\n"
                     for r in recipients)
    text = (
        f"From: Mail Delivery System <MAILER-DAEMON@{HOSTNAME}>\r\n"
        f"To: <{mail_from}>\r\n"
        f"Subject: Undelivered Mail Returned to Sender\r\n"
        f"Date: {email.utils.format_datetime(email.utils.localtime())}\r\n"
        f"Message-ID: {email.utils.make_msgid(domain=HOSTNAME)}\r\n"
        f"Auto-Submitted: auto-replied\r\n"
        f"MIME-Version: 1.0\r\n"
        f"Content-Type: multipart/report; report-type=delivery-status;\r\n"
        f'\tboundary="{boundary}"\r\n'
        f"\r\n"
        f"--{boundary}\r\n"
        f"Content-Type: text/plain; charset=us-ascii\r\n"
        f"\r\n"
        f"The test relay {HOSTNAME} bounces this message on purpose.\r\n"
        f"\r\n"
        f"--{boundary}\r\n"
        f"Content-Type: message/delivery-status\r\n"
        f"\r\n"
        f"Reporting-MTA: dns; {HOSTNAME}\r\n"
        f"Arrival-Date: {email.utils.format_datetime(arrived)}\r\n"
        f"{groups}"
        f"\r\n"
        f"--{boundary}\r\n"
        f"Content-Type: text/rfc822-headers\r\n"
        f"\r\n").encode()
    return text + header_of(content) + f"\r\n--{boundary}--\r\n".encode()


class Outbox:
    """Where the small relay's messages go. Each is numbered as the relay
    takes it, and the every-N modes pick by that number (copies: what to
    deliver for it). Without --queue each is delivered before the client
    gets its answer (deliver_now: the oracle tests' relay, and a relay
    that bounces or duplicates before it answers). With --queue (accept):
    after its 250 was written, each gets its delivery at once, as a task of
    its own: its transaction is opened (up to the 354 to DATA), then it
    waits for its own timer, due --hold after the 250, and sends the
    content."""

    def __init__(self, mode, to, stuff, queue, hold, every):
        self.mode, self.to, self.stuff = mode, to, stuff
        self.queue, self.hold, self.every = queue, hold, every
        self.loop = asyncio.get_running_loop()
        self.counts = collections.Counter()
        self.late_max = 0.0
        self.in_flight = set()

    def copies(self, mail_from, recipients, content):
        """The deliveries (reverse-path, recipients, content) of the next
        message the relay takes: none, one, two, or a notice instead."""
        self.counts["received"] += 1
        picked = self.every > 0 and self.counts["received"] % self.every == 0
        copies = [(mail_from, recipients, content)]
        if picked and self.mode == "drop":
            self.counts["dropped"] += 1
            return []
        if picked and self.mode == "twice":
            self.counts["duplicated"] += 1
            copies.append(copies[0])
        if picked and self.mode == "bounce":
            self.counts["bounced"] += 1
            if not mail_from:  # never a notice to the null reverse-path (RFC 5321 §4.5.5)
                return []
            notice = delivery_status_notification(mail_from, recipients, content,
                                                  email.utils.localtime())
            copies = [("", [mail_from], notice)]
        return copies

    async def deliver_now(self, mail_from, recipients, content):
        """Delivers a message before its client is answered; False when a
        delivery failed."""
        ok = True
        for copy in self.copies(mail_from, recipients, content):
            ok = await self.send([copy], self.loop.time()) and ok
        return ok

    def accept(self, mail_from, recipients, content):
        """Takes a message whose 250 was just written (--queue)."""
        due = self.loop.time() + self.hold
        task = self.loop.create_task(self.send(self.copies(mail_from, recipients, content), due))
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)

    async def send(self, copies, due):
        """Delivers `copies` in turn, the first when `due` (loop time) has
        come; False when one failed (counted, and shown on stderr)."""
        ok = True
        for mail_from, recipients, content in copies:
            transaction = Transaction(self.to)
            try:
                await transaction.open(mail_from, recipients)
                await asyncio.sleep(max(0.0, due - self.loop.time()))  # the hold: a timer
                self.late_max = max(self.late_max, self.loop.time() - due)
                await transaction.finish(content, self.stuff)
                self.counts["forwarded"] += 1
            except (OSError, DeliveryError) as e:
                ok = False
                self.counts["failed"] += 1
                if self.counts["failed"] <= FAILURES_SHOWN:
                    print(f"relay: delivery failed: {e!r}", file=sys.stderr, flush=True)
        return ok

    def stats(self):
        return dict(self.counts, in_flight=len(self.in_flight),
                    late_ms_max=round(self.late_max * 1000, 3))


class Session:
    """One client of the small relay: just enough SMTP for the oracle
    checks (EHLO/HELO, MAIL, RCPT, DATA, BDAT, RSET, NOOP, QUIT). It passes
    BDAT content on with DATA, as a relay must when the next hop may not
    offer CHUNKING (RFC 3030 §2 leaves the choice to it)."""

    def __init__(self, mode, outbox, reader, writer):
        self.mode, self.outbox, self.reader, self.writer = mode, outbox, reader, writer
        self.peer = writer.get_extra_info("peername")[0]
        self.helo = "unknown"
        self.reset()

    def reset(self):
        self.mail_from, self.recipients, self.chunks = None, [], []

    async def reply(self, text):
        self.writer.write(text.encode() + b"\r\n")
        await self.writer.drain()

    async def line(self):
        """One line without its CRLF; None at the end of the stream."""
        try:
            data = await self.reader.readuntil(b"\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            return None
        return data[:-2]

    async def run(self):
        await self.reply(f"220 {HOSTNAME} ESMTP relay")
        while True:
            line = await self.line()
            if line is None:
                return
            verb, _, arg = line.decode("latin-1").partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                self.helo = arg or "unknown"
                self.reset()
                await self.reply(f"250-{HOSTNAME}\r\n250-8BITMIME\r\n250 CHUNKING")
            elif verb == "HELO":
                self.helo = arg or "unknown"
                self.reset()
                await self.reply(f"250 {HOSTNAME}")
            elif verb == "MAIL" and arg.upper().startswith("FROM:"):
                self.mail_from = arg[5:].split(">")[0].lstrip("<")
                self.recipients = []
                await self.reply("250 2.1.0 OK")
            elif verb == "RCPT" and arg.upper().startswith("TO:") and self.mail_from is not None:
                self.recipients.append(arg[3:].split(">")[0].lstrip("<"))
                await self.reply("250 2.1.5 OK")
            elif verb == "DATA" and self.recipients:
                await self.reply("354 End data with <CR><LF>.<CR><LF>")
                if not await self.data():
                    return
            elif verb == "BDAT" and self.recipients:
                if not await self.bdat(arg.split()):
                    return
            elif verb == "RSET":
                self.reset()
                await self.reply("250 2.0.0 OK")
            elif verb == "NOOP":
                await self.reply("250 2.0.0 OK")
            elif verb == "QUIT":
                await self.reply("221 2.0.0 Bye")
                return
            elif verb in ("MAIL", "RCPT", "DATA", "BDAT"):
                await self.reply("503 5.5.1 Bad sequence of commands")
            else:
                await self.reply("500 5.5.2 Unknown command")

    async def data(self):
        """Reads the message; False when the client went away first."""
        lines = []
        while True:
            line = await self.line()
            if line is None:
                if self.mode == "partial" and lines:
                    await self.pass_on(b"\r\n".join(lines) + b"\r\n")
                return False
            if line == b".":
                break
            lines.append(line[1:] if line.startswith(b".") else line)  # §4.5.2
        await self.finish(b"\r\n".join(lines) + b"\r\n")
        return True

    async def bdat(self, args):
        """BDAT size [LAST] (RFC 3030 §2): the chunk is `size` octets taken
        as they are. False when the client went away first."""
        if not args or not args[0].isdigit() or len(args) > 2 or (
                len(args) == 2 and args[1].upper() != "LAST"):
            await self.reply("501 5.5.4 BDAT size [LAST]")
            return True
        try:
            self.chunks.append(await self.reader.readexactly(int(args[0])))
        except (asyncio.IncompleteReadError, ConnectionError):
            return False
        if len(args) == 2:
            await self.finish(b"".join(self.chunks))
        else:
            await self.reply(f"250 2.0.0 {args[0]} octets")
        return True

    async def finish(self, content):
        if self.outbox.queue:
            await self.reply("250 2.0.0 Queued")
            await self.pass_on(content)
        else:
            ok = await self.pass_on(content)
            await self.reply("250 2.0.0 Relayed" if ok else "451 4.4.1 The next hop failed")
        self.reset()

    async def pass_on(self, content):
        """Hands the message to the outbox; False when it was to be
        delivered at once and that failed."""
        if self.mode == "folding":
            content = fold_long_lines(content)
        if self.mode != "no-trace":
            content = received_line(self.helo, self.peer) + content
        if self.outbox.queue:
            self.outbox.accept(self.mail_from, list(self.recipients), content)
            return True
        return await self.outbox.deliver_now(self.mail_from, list(self.recipients), content)


async def serve(args, to):
    loop = asyncio.get_running_loop()
    outbox = None
    if args.mode != "aiosmtpd-proxy":
        outbox = Outbox(args.mode, to, args.mode != "unstuffed", args.queue, args.hold,
                        args.every)
    if args.mode == "aiosmtpd-proxy":
        from aiosmtpd.handlers import Proxy
        from aiosmtpd.smtp import SMTP
        handler = Proxy(to[0], to[1])
        server = await loop.create_server(lambda: SMTP(handler, hostname=HOSTNAME, loop=loop),
                                          host="127.0.0.1", port=0)
    else:
        async def client(reader, writer):
            try:
                await Session(args.mode, outbox, reader, writer).run()
            finally:
                writer.close()

        server = await asyncio.start_server(client, host="127.0.0.1", port=0, limit=MAX_LINE)
    stop = asyncio.Event()

    def print_stats():
        print(json.dumps(outbox.stats() if outbox else {}), flush=True)

    def read_commands():
        for command in sys.stdin:
            if command.strip() == "stats":
                loop.call_soon_threadsafe(print_stats)
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=read_commands, daemon=True).start()
    print(f"relay ready: port={server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await stop.wait()


def duration(text):
    """Seconds of "200ms", "0.2s" or "0", at most MAX_HOLD."""
    for suffix, scale in (("ms", 0.001), ("s", 1.0), ("", 1.0)):
        if text.endswith(suffix):
            try:
                value = float(text[:len(text) - len(suffix)]) * scale
            except ValueError:
                break
            if 0 <= value <= MAX_HOLD:
                return value
            break
    raise argparse.ArgumentTypeError(f"not a duration of at most {MAX_HOLD:g}s: {text!r} "
                                     f"(e.g. 200ms, 0.2s)")


def main():
    parser = argparse.ArgumentParser(
        description="A relay for the tests of smtp-harness check --oracle and load --sink")
    parser.add_argument("--to", required=True, metavar="HOST:PORT")
    parser.add_argument("--mode", required=True, choices=[
        "aiosmtpd-proxy", "correct", "unstuffed", "folding", "partial", "no-trace",
        *QUEUED_MODES])
    parser.add_argument("--queue", action=argparse.BooleanOptionalAction,
                        help="store and forward: 250 at the end of data, then the delivery "
                             "(the default of hold, drop, twice and bounce)")
    parser.add_argument("--hold", type=duration, default=0.0,
                        help="with --queue: hold each message this long after its 250")
    parser.add_argument("--every", type=int, metavar="N",
                        help="drop, twice, bounce: which messages (every N-th)")
    args = parser.parse_args()
    if args.queue is None:
        args.queue = args.mode in QUEUED_MODES
    if args.mode == "hold" and not args.queue:
        parser.error("hold stores and forwards: no --no-queue")
    if args.every is None:
        args.every = EVERY_DEFAULT.get(args.mode, 0)
    if args.mode == "aiosmtpd-proxy" and (args.queue or args.hold):
        parser.error("aiosmtpd-proxy relays as aiosmtpd does: no --queue, no --hold")
    if args.hold and not args.queue:
        parser.error("--hold needs a store-and-forward relay (--queue)")
    if args.every < 0 or (args.mode in EVERY_DEFAULT and args.every == 0):
        parser.error("--every must be an integer >= 1")
    host, _, port = args.to.rpartition(":")
    asyncio.run(serve(args, (host, int(port))))


# --- the tests' handle -------------------------------------------------------

PYTHON = "/usr/bin/python3"  # Debian's, with python3-aiosmtpd
READY = "relay ready: port="
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


class Relay:
    """relay.py in its own process: `Relay("hold", "127.0.0.1:2526",
    "--hold", "200ms").start()`. Its stderr goes to a file (a relay whose
    next hop is down must never block on a full pipe); stop() closes its
    stdin, waits (bounded) and returns that stderr."""

    def __init__(self, mode, to, *options):
        self.argv = [PYTHON, os.path.abspath(__file__), "--mode", mode, "--to", to,
                     *[str(o) for o in options]]
        self.mode = mode
        self.process = None
        self.port = None
        self.errors = ""
        self._stderr = tempfile.TemporaryFile()

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def start(self):
        self.process = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self._stderr, text=True,
                                        env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
        line = self._readline(READY_TIMEOUT)
        if not line.startswith(READY):
            self.stop()
            raise AssertionError(f"relay {self.mode} did not start: {line!r}\n{self.errors}")
        self.port = int(line.strip()[len(READY):])
        return self

    def _readline(self, timeout):
        """One line of its stdout, bounded in time (a relay that cannot
        start exits, and the line is empty)."""
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(self.process.stdout.readline).result(timeout=timeout)

    def stats(self):
        """The store-and-forward counts (Outbox.stats)."""
        self.process.stdin.write("stats\n")
        self.process.stdin.flush()
        return json.loads(self._readline(STOP_TIMEOUT))

    def stop(self):
        if self.process is None:
            return self.errors
        try:
            self.process.stdin.close()
            self.process.wait(timeout=STOP_TIMEOUT)
        except (subprocess.TimeoutExpired, BrokenPipeError):
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)
        self.process.stdout.close()
        self._stderr.seek(0)
        self.errors = self._stderr.read().decode(errors="replace")
        self._stderr.close()
        self.process = None
        return self.errors

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


if __name__ == "__main__":
    main()
