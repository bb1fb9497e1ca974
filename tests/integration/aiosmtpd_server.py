#!/usr/bin/python3
"""A real third-party SMTP server for the load tests: Debian's aiosmtpd.

    aiosmtpd_server.py [--starttls DIR] [--user USER:PASS]
                       [--rcpt-every N:REPLY] [--data-every N:REPLY]

Listens on 127.0.0.1, port 0 (the kernel picks one), and prints
"aiosmtpd ready: port=N" once it accepts connections. The listener is made
with loop.create_server and aiosmtpd.smtp.SMTP as the protocol factory
(aiosmtpd's Controller wants a fixed port).

--starttls DIR  offer STARTTLS (RFC 3207) with a self-signed certificate
                made in DIR by the openssl command, and require it before
                anything but EHLO/NOOP/QUIT (aiosmtpd's require_starttls)
--user U:P      require AUTH (RFC 4954; aiosmtpd offers PLAIN and LOGIN,
                after TLS only) and accept only this user and password
--rcpt-every N:REPLY  answer every N-th RCPT (counted over the server's
                life) with REPLY, e.g. "451 4.3.0 Try later"
--data-every N:REPLY  the same for the N-th message's end of data

Control: one command per line on stdin, one JSON line on stdout.
"stats" prints the counts: sessions, messages (accepted at the end of data),
recipients (of the accepted messages), rcpt_replies / data_replies ({reply:
count} of the refusals sent), auth_ok, auth_failed. End of stdin stops the
server: it never outlives the test that started it.
"""

import argparse
import asyncio
import collections
import json
import os
import ssl
import subprocess
import sys
import threading

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Counts:
    """What the server did; touched only on the event loop's thread."""

    def __init__(self):
        self.sessions = 0
        self.messages = 0
        self.recipients = 0
        self.rcpt_seen = 0
        self.data_seen = 0
        self.rcpt_replies = collections.Counter()
        self.data_replies = collections.Counter()
        self.auth_ok = 0
        self.auth_failed = 0

    def as_json(self):
        return {
            "sessions": self.sessions,
            "messages": self.messages,
            "recipients": self.recipients,
            "rcpt_replies": dict(self.rcpt_replies),
            "data_replies": dict(self.data_replies),
            "auth_ok": self.auth_ok,
            "auth_failed": self.auth_failed,
        }


def every_rule(text):
    """"N:REPLY" -> (N, REPLY)."""
    n, sep, reply = text.partition(":")
    if not sep or not n.isdigit() or int(n) < 1 or len(reply) < 3 or not reply[:3].isdigit():
        raise argparse.ArgumentTypeError(
            f"expected N:REPLY (e.g. 3:451 4.3.0 Try later), got {text!r}")
    return int(n), reply


class Handler:
    """aiosmtpd's handler hooks (aiosmtpd docs, "Handler hooks")."""

    def __init__(self, counts, rcpt_every, data_every):
        self.counts = counts
        self.rcpt_every = rcpt_every
        self.data_every = data_every

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.counts.rcpt_seen += 1
        if self.rcpt_every and self.counts.rcpt_seen % self.rcpt_every[0] == 0:
            reply = self.rcpt_every[1]
            self.counts.rcpt_replies[reply] += 1
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.counts.data_seen += 1
        if self.data_every and self.counts.data_seen % self.data_every[0] == 0:
            reply = self.data_every[1]
            self.counts.data_replies[reply] += 1
            return reply
        self.counts.messages += 1
        self.counts.recipients += len(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def make_authenticator(counts, user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        if ok:
            counts.auth_ok += 1
        else:
            counts.auth_failed += 1
        # handled=False: aiosmtpd then answers a failure itself (535 5.7.8);
        # the default, handled=True, would leave the client without a reply.
        return AuthResult(success=ok, handled=False)

    return authenticate


def self_signed_context(directory):
    """A server context with a fresh self-signed P-256 certificate."""
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=localhost"],
                   check=True, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def control(loop, counts, stop):
    """stdin commands, on their own thread; the counts are read on the loop's."""

    async def snapshot():
        return counts.as_json()

    for line in sys.stdin:
        if line.strip() == "stats":
            stats = asyncio.run_coroutine_threadsafe(snapshot(), loop).result(timeout=30)
            print(json.dumps(stats), flush=True)
        else:
            print(json.dumps({"error": f"unknown command {line.strip()!r}"}), flush=True)
    loop.call_soon_threadsafe(stop.set)


async def serve(args):
    loop = asyncio.get_running_loop()
    counts = Counts()
    handler = Handler(counts, args.rcpt_every, args.data_every)
    options = {"hostname": "aiosmtpd.test", "loop": loop}
    if args.starttls:
        options["tls_context"] = self_signed_context(args.starttls)
        options["require_starttls"] = True
    if args.user:
        user, _, password = args.user.partition(":")
        options["authenticator"] = make_authenticator(counts, user, password)
        options["auth_required"] = True

    def factory():
        counts.sessions += 1
        return SMTP(handler, **options)

    server = await loop.create_server(factory, host="127.0.0.1", port=0)
    port = server.sockets[0].getsockname()[1]
    stop = asyncio.Event()
    threading.Thread(target=control, args=(loop, counts, stop), daemon=True).start()
    print(f"aiosmtpd ready: port={port}", flush=True)
    async with server:
        await stop.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starttls", metavar="DIR")
    parser.add_argument("--user", metavar="USER:PASS")
    parser.add_argument("--rcpt-every", type=every_rule, metavar="N:REPLY")
    parser.add_argument("--data-every", type=every_rule, metavar="N:REPLY")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
