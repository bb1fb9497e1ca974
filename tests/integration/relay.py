#!/usr/bin/python3
"""A relay for the delivery-oracle tests of `smtp-harness check --oracle`:
it takes mail over SMTP and passes every message on to the oracle's capture
server (--to HOST:PORT), whatever the recipient.

    relay.py --to HOST:PORT --mode MODE

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

Listens on 127.0.0.1, port 0, and prints "relay ready: port=N". End of
stdin stops it: it never outlives the test that started it. Standard
library and aiosmtpd only.
"""

import argparse
import asyncio
import email.utils
import smtplib
import sys
import threading

HOSTNAME = "relay.test"
DELIVERY_TIMEOUT = 10.0
# A command line or text line longer than this ends the session (the RFC's
# limits are 512 and 1000; the margin lets the tests send their 1001).
MAX_LINE = 4096


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


def deliver(to, mail_from, recipients, content, stuff):
    """Passes one message on to `to` (host, port). `stuff`: dot-stuff the
    text as RFC 5321 §4.5.2 requires; without it the lines go as they are."""
    s = smtplib.SMTP(to[0], to[1], local_hostname=HOSTNAME, timeout=DELIVERY_TIMEOUT)
    try:
        s.ehlo()
        code, reply = s.mail(mail_from)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, mail_from)
        for rcpt in recipients:
            code, reply = s.rcpt(rcpt)
            if code not in (250, 251):
                raise smtplib.SMTPRecipientsRefused({rcpt: (code, reply)})
        if stuff:
            s.data(content)
        else:
            s.putcmd("data")
            code, reply = s.getreply()
            if code != 354:
                raise smtplib.SMTPDataError(code, reply)
            if not content.endswith(b"\r\n"):
                content += b"\r\n"
            s.send(content + b".\r\n")
            code, reply = s.getreply()
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
    finally:
        # The message is handed over at the 250; what QUIT gets (the
        # unstuffed relay's next hop may answer leftover lines first) does
        # not undo that.
        try:
            s.quit()
        except (OSError, smtplib.SMTPException):
            s.close()


class Session:
    """One client of the small relay: just enough SMTP for the oracle
    checks (EHLO/HELO, MAIL, RCPT, DATA, BDAT, RSET, NOOP, QUIT). It passes
    BDAT content on with DATA, as a relay must when the next hop may not
    offer CHUNKING (RFC 3030 §2 leaves the choice to it)."""

    def __init__(self, mode, to, reader, writer):
        self.mode, self.to, self.reader, self.writer = mode, to, reader, writer
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
        ok = await self.pass_on(content)
        await self.reply("250 2.0.0 Relayed" if ok else "451 4.4.1 The next hop failed")
        self.reset()

    async def pass_on(self, content):
        if self.mode == "folding":
            content = fold_long_lines(content)
        if self.mode != "no-trace":
            content = received_line(self.helo, self.peer) + content
        try:
            await asyncio.get_running_loop().run_in_executor(
                None, deliver, self.to, self.mail_from, list(self.recipients), content,
                self.mode != "unstuffed")
            return True
        except (OSError, smtplib.SMTPException) as e:
            print(f"relay: delivery failed: {e!r}", file=sys.stderr, flush=True)
            return False


async def serve(args, to):
    loop = asyncio.get_running_loop()
    if args.mode == "aiosmtpd-proxy":
        from aiosmtpd.handlers import Proxy
        from aiosmtpd.smtp import SMTP
        handler = Proxy(to[0], to[1])
        server = await loop.create_server(lambda: SMTP(handler, hostname=HOSTNAME, loop=loop),
                                          host="127.0.0.1", port=0)
    else:
        async def client(reader, writer):
            try:
                await Session(args.mode, to, reader, writer).run()
            finally:
                writer.close()

        server = await asyncio.start_server(client, host="127.0.0.1", port=0, limit=MAX_LINE)
    stop = asyncio.Event()

    def wait_for_stdin_end():
        sys.stdin.read()
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=wait_for_stdin_end, daemon=True).start()
    print(f"relay ready: port={server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await stop.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--to", required=True, metavar="HOST:PORT")
    parser.add_argument("--mode", required=True, choices=[
        "aiosmtpd-proxy", "correct", "unstuffed", "folding", "partial", "no-trace"])
    args = parser.parse_args()
    host, _, port = args.to.rpartition(":")
    asyncio.run(serve(args, (host, int(port))))


if __name__ == "__main__":
    main()
