"""The well-behaved side of the server soak (soak.py): Python smtplib clients
that send messages through fake-smtpd while the hostile ones attack it, and
a verifier that finds every message they sent in GET /api/messages and
compares it, byte for byte, with what was sent (the server's Received:
field taken off the top). A message counts as a success only then; every
refusal, error, timeout, mismatch or message missing from the store is a
failure. The soak wants 100 %.

The senders connect from 127.0.0.2 with EHLO names under good.soak.test, so
none of the rules the soak puts over the API (which match 127.0.0.1 and
*.hostile.test) applies to them. Some sessions use STARTTLS; messages vary
in size (up to 256 KiB), carry lines that need dot-stuffing and 8-bit text.

Standard library only; every loop is bounded in count and time.
"""

import collections
import random
import re
import smtplib
import threading
import time

from fakesmtpd import unverified_tls

SOURCE_ADDRESS = "127.0.0.2"
MAX_MESSAGES_PER_SENDER = 1000000
# "250 2.0.0 Ok: queued as 12.1": the queue id the Received: field repeats.
QUEUED_AS = re.compile(r"queued as (\S+)")
FAILURE_SAMPLES = 20


def message_bytes(rng, token):
    """A message as smtplib sends it once un-stuffed: CRLF line endings, the
    last line ended, lines of at most 998 octets. Dots at line starts (and a
    line of one dot) test the transparency of RFC 5321 §4.5.2."""
    size = rng.choice((1024, 1024, 1024, 8192, 8192, 32768, 262144))
    head = (f"From: sender@good.soak.test\r\nTo: {token}\r\nSubject: soak {token}\r\n"
            f"Message-ID: <{token}>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
            "\r\n").encode()
    lines = [head]
    total = len(head)
    for _ in range(100000):
        if total >= size:
            break
        pick = rng.random()
        if pick < 0.05:
            line = b"."
        elif pick < 0.15:
            line = b"." * rng.randint(1, 3) + rng.randbytes(20).hex().encode()
        elif pick < 0.25:
            line = "ünïcødé ✓ ".encode() * rng.randint(1, 20)
        elif pick < 0.27:
            line = b"x" * 998
        else:
            line = rng.randbytes(rng.randint(0, 38)).hex().encode()
        lines.append(line + b"\r\n")
        total += len(line) + 2
    return b"".join(lines)


def without_trace(raw):
    """(trace field, the rest) of a stored message whose first header field
    is the server's Received:, or (None, raw) when it is not."""
    if not raw.startswith(b"Received: "):
        return None, raw
    at = 0
    for _ in range(64):  # the field's continuation lines
        end = raw.find(b"\r\n", at)
        if end < 0:
            return None, raw
        at = end + 2
        if raw[at:at + 1] not in (b" ", b"\t"):
            return raw[:at], raw[at:]
    return None, raw


class Ledger:
    """Every message the senders sent, until the verifier has judged it."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pending = {}  # token -> (content, queue id, helo, tls, when sent)
        self.attempted = 0
        self.verified = 0
        self.failures = collections.Counter()
        self.samples = []
        self.sessions = 0
        self.tls_sessions = 0
        self.bytes_verified = 0

    def attempt(self):
        with self.lock:
            self.attempted += 1

    def session(self, tls):
        with self.lock:
            self.sessions += 1
            self.tls_sessions += tls

    def sent(self, token, content, queue_id, helo, tls):
        with self.lock:
            self.pending[token] = (content, queue_id, helo, tls, time.monotonic())

    def fail(self, kind, detail):
        with self.lock:
            self.failures[kind] += 1
            if len(self.samples) < FAILURE_SAMPLES:
                self.samples.append(f"{kind}: {detail}")

    def judged(self, token, problem, size):
        """The verifier's verdict on a sent message: None is a success."""
        with self.lock:
            self.pending.pop(token, None)
            if not problem:
                self.verified += 1
                self.bytes_verified += size
        if problem:
            self.fail("mismatch", f"{token}: {problem}")

    def lost(self, token, detail):
        with self.lock:
            self.pending.pop(token, None)
        self.fail("missing", f"{token}: {detail}")

    @property
    def failed(self):
        return sum(self.failures.values())

    def success_rate(self):
        judged = self.verified + self.failed
        return self.verified / judged if judged else 0.0


class Sender(threading.Thread):
    """One smtplib client: sessions of 1-3 messages, some over STARTTLS."""

    def __init__(self, number, server, plan, ledger, stop, deadline):
        super().__init__(name=f"sender-{number}", daemon=True)
        self.number = number
        self.server = server
        self.plan = plan
        self.ledger = ledger
        self.stop = stop
        self.deadline = deadline
        self.rng = random.Random(plan.seed * 1000 + number)
        self.seq = 0

    def run(self):
        for _ in range(MAX_MESSAGES_PER_SENDER):
            if self.stop.is_set() or time.monotonic() >= self.deadline:
                return
            try:
                self.session()
            except Exception as e:  # the message under way fails; the next session starts
                self.ledger.fail(type(e).__name__, f"{self.name}: {e}"[:300])
            if self.stop.wait(self.plan.senders.pause):
                return

    def session(self):
        helo = f"s{self.number}.good.soak.test"
        smtp = smtplib.SMTP(self.server.host, self.server.smtp_port, local_hostname=helo,
                            timeout=self.plan.timeout, source_address=(SOURCE_ADDRESS, 0))
        try:
            smtp.ehlo()
            tls = self.rng.random() < 0.25
            if tls:
                smtp.starttls(context=unverified_tls())
                smtp.ehlo()
            self.ledger.session(tls)
            for _ in range(self.rng.randint(1, 3)):
                if self.stop.is_set():
                    break
                self.send_one(smtp, helo, tls)
            smtp.quit()
        finally:
            smtp.close()

    def send_one(self, smtp, helo, tls):
        self.seq += 1
        token = f"m{self.number}-{self.seq}@good.soak.test"
        content = message_bytes(self.rng, token)
        self.ledger.attempt()
        for verb, (code, reply) in (
                ("MAIL", smtp.mail("sender@good.soak.test", ["BODY=8BITMIME"])),
                ("RCPT", smtp.rcpt(token))):
            if code != 250:
                raise smtplib.SMTPResponseException(code, f"{verb}: {reply!r}")
        code, reply = smtp.data(content)
        match = QUEUED_AS.search(reply.decode(errors="replace"))
        if code != 250 or not match:
            raise smtplib.SMTPResponseException(code, f"end of data: {reply!r}")
        self.ledger.sent(token, content, match.group(1), helo, tls)


class Verifier(threading.Thread):
    """Every verify_every seconds, finds the pending messages in GET
    /api/messages and judges each against its raw content. fake-smtpd stores
    a message before it answers 250 (ARCHITECTURE.md §6), so a message
    answered before a listing was asked for and absent from it is lost."""

    def __init__(self, server, plan, ledger, stop, api_failures):
        super().__init__(name="verifier", daemon=True)
        self.server = server
        self.plan = plan
        self.ledger = ledger
        self.stop = stop
        self.api_failures = api_failures
        self.passes = 0

    def run(self):
        for _ in range(10000000):
            if self.stop.wait(self.plan.verify_every):
                return
            self.verify_pass()

    def verify_pass(self):
        self.passes += 1
        asked_at = time.monotonic()
        try:
            listing = self.server.messages()["messages"]
        except Exception as e:  # the API must answer; the soak fails on any
            self.api_failures.append(f"GET /api/messages: {e}"[:300])
            return
        with self.ledger.lock:
            pending = dict(self.ledger.pending)
        for message in listing:
            to = message["to"]
            if len(to) != 1 or to[0] not in pending:
                continue
            token = to[0]
            content, queue_id, helo, tls, _ = pending.pop(token)
            try:
                raw = self.server.raw(message["id"])
            except Exception as e:
                self.api_failures.append(f"GET /api/messages/{message['id']}/raw: {e}"[:300])
                continue
            self.ledger.judged(token, self.problem(message, raw, content, queue_id, helo, tls),
                               len(content))
        for token, (_, queue_id, _, _, answered_at) in pending.items():
            if answered_at < asked_at:
                self.ledger.lost(token, f"answered 250 (queued as {queue_id}) and absent from "
                                 "/api/messages asked for after it")

    @staticmethod
    def problem(message, raw, content, queue_id, helo, tls):
        trace, rest = without_trace(raw)
        if trace is None:
            return f"stored without a Received: field first: {raw[:120]!r}"
        if f" id {queue_id}".encode() not in trace:
            return f"Received: does not name queue id {queue_id}: {trace!r}"
        if rest != content:
            at = next((i for i, (a, b) in enumerate(zip(rest, content)) if a != b),
                      min(len(rest), len(content)))
            return (f"content differs at octet {at} (stored {len(rest)}, sent {len(content)}): "
                    f"stored {rest[at:at + 40]!r}, sent {content[at:at + 40]!r}")
        if message["helo"] != helo or message["tls"] is not tls:
            return f"helo/tls {message['helo']!r}/{message['tls']} != {helo!r}/{tls}"
        return None
