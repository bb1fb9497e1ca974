"""fake-smtpd's memory stays bounded whatever a client sends (ARCHITECTURE.md
§6, "Bounded memory"): each bound gets a client over it, which must see the
documented reply, while the server's resident memory (VmRSS and its peak
VmHWM in /proc/PID/status) stays under a stated figure.

The figures are for the dev build. Under AddressSanitizer (its quarantine
keeps freed memory resident, its shadow adds an eighth) the replies are
still checked, the memory is only printed.

Every loop is bounded in count and time; nothing sleeps to wait.
"""

import resource
import sys
import threading
import time
import unittest

from fakesmtpd import FakeSmtpd, ServerTestCase

MIB = 1024 * 1024


def memory_kib(pid):
    """VmRSS and VmHWM (the peak of VmRSS) of a process, in KiB."""
    fields = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0])
    return fields["VmRSS"], fields["VmHWM"]


def sanitized(pid):
    """True when the process runs with AddressSanitizer's runtime."""
    with open(f"/proc/{pid}/maps", encoding="ascii", errors="replace") as f:
        return "libasan" in f.read()


class MemoryTestCase(ServerTestCase):

    def pid(self, server):
        return server.ports["pid"]

    def assertMemoryUnder(self, server, what, grown_kib, limit_kib):
        """Checks (on the dev build) that `grown_kib` is under `limit_kib`,
        and prints both either way: the figure the documentation states."""
        print(f"\n{what}: {grown_kib / 1024:.1f} MiB (limit {limit_kib / 1024:.1f} MiB)",
              file=sys.stderr)
        if sanitized(self.pid(server)):
            return  # ASan's quarantine and shadow: the figure means nothing here
        self.assertLess(grown_kib, limit_kib, what)


class ReceivedLineIsNotACopy(MemoryTestCase):
    """The Received: line is kept beside the content (message_store.hpp), so
    storing a message and serving it by the API costs about the message once.
    Prepending the line by copy held it twice when stored, and serving a copy
    three times."""

    # Just under 15 MiB: libstdc++ doubles a string's capacity from 15, so the
    # content's last growth (7.5 to 15 MiB) ends at about the message's size;
    # the peak measures copies, not the growth of one buffer.
    SIZE = 15_000_000

    def test_a_stored_and_served_message_costs_about_its_size_once(self):
        server = self.start_server("--store", "memory", "--max-size", str(2 * self.SIZE))
        line = b"x" * 998 + b"\r\n"
        body = b"Subject: big\r\n\r\n" + line * (self.SIZE // len(line))
        with self.client(server) as c:
            c.ehlo()
            # A small message first: what the first message allocates once
            # (the store, the transcript) is not counted against the big one.
            self.assertReply(c.send_message("a@b.test", ["c@d.test"], "Subject: s\r\n\r\nx"), 250)
            _, before = memory_kib(self.pid(server))
            reply = c.send_message("a@b.test", ["c@d.test"], body, timeout=60)
            self.assertReply(reply, 250, "2.0.0")
        messages = server.expect_messages(2)
        raw = server.raw(messages[-1]["id"])
        self.assertTrue(raw.startswith(b"Received: "), raw[:100])
        self.assertTrue(raw.endswith(body + b"\r\n"), "the served message is not the one sent")
        _, after = memory_kib(self.pid(server))
        self.assertMemoryUnder(server, f"peak RSS growth for one {self.SIZE}-octet message "
                               "received, stored and served", after - before,
                               int(1.5 * self.SIZE / 1024))


class StoreBoundedInOctets(MemoryTestCase):
    """--store-bytes: past it the oldest messages go, as past --store-limit;
    every message is still answered 250."""

    BOUND = 4 * MIB
    MESSAGES = 16
    SIZE = 1 * MIB

    def test_the_oldest_go_and_memory_stays_near_the_bound(self):
        server = self.start_server("--store", "memory", "--store-bytes", str(self.BOUND))
        line = b"y" * 78 + b"\r\n"
        with self.client(server) as c:
            c.ehlo()
            self.assertReply(c.send_message("a@b.test", ["c@d.test"], "Subject: s\r\n\r\nx"), 250)
            rss_before, _ = memory_kib(self.pid(server))
            for i in range(self.MESSAGES):
                body = f"Subject: {i}\r\n\r\n".encode() + line * (self.SIZE // len(line))
                self.assertReply(c.send_message("a@b.test", ["c@d.test"], body, timeout=30),
                                 250, "2.0.0")
        listing = server.api_json("/api/messages")
        kept = [m["id"] for m in listing["messages"]]
        # The newest whole messages that fit: ids 15 to 17 of 17.
        self.assertEqual(kept, list(range(self.MESSAGES + 2 - len(kept), self.MESSAGES + 2)))
        self.assertEqual(len(kept), self.BOUND // (self.SIZE + 1000), listing["count"])
        self.assertLessEqual(listing["octets"], self.BOUND)
        rss_after, _ = memory_kib(self.pid(server))
        self.assertMemoryUnder(server, f"RSS growth after {self.MESSAGES} messages of "
                               f"{self.SIZE // MIB} MiB with --store-bytes {self.BOUND // MIB} MiB",
                               rss_after - rss_before, (self.BOUND + 4 * self.SIZE) // 1024)


class SessionsBoundedByOpenFiles(MemoryTestCase):
    """The default session cap is the open-file limit, raised to its hard
    value at start, minus 64 descriptors kept for the listeners, the API and
    the store (descriptor_budget.hpp). The session past it gets "421 4.3.2"
    in place of the greeting (RFC 5321 §3.8, as the O1 profile's limit)."""

    RESERVED = 64

    def start_with_open_files(self, soft, hard, *args):
        server = FakeSmtpd("--store", "none", *args)
        server.preexec = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        server.start()
        self.addCleanup(server.stop)
        return server

    def test_the_soft_limit_is_raised_and_the_cap_derived_from_it(self):
        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard == resource.RLIM_INFINITY:
            hard = 1 << 20  # what the kernel allows a process (fs.nr_open) at most
        server = self.start_with_open_files(256, hard)
        # 19936 on a machine whose hard limit is 20000: the 10,000 sessions
        # of bench/ fit.
        self.assertEqual(server.ports["max_sessions"], hard - self.RESERVED)
        with open(f"/proc/{self.pid(server)}/limits", encoding="ascii") as f:
            limits = f.read()
        self.assertRegex(limits, rf"Max open files\s+{hard}\s+{hard}\s")

    def test_the_session_past_the_cap_gets_421_and_memory_stays_small(self):
        server = self.start_with_open_files(100, 200)
        cap = 200 - self.RESERVED
        self.assertEqual(server.ports["max_sessions"], cap)
        rss_before, _ = memory_kib(self.pid(server))
        held = []
        try:
            for _ in range(cap):
                held.append(server.connect(timeout=10))  # each greeted 220
            for _ in range(10):
                with server.connect(greet=False) as extra:
                    reply = extra.reply()
                    self.assertReply(reply, 421, "4.3.2")
                    _, how = extra.read_until_closed()
                    self.assertIn(how, ("eof", "reset"))
            rss_after, _ = memory_kib(self.pid(server))
            # A session still open is served as before.
            held[0].ehlo()
            self.assertReply(held[0].cmd("QUIT"), 221)
        finally:
            for c in held:
                c.close()
        self.assertMemoryUnder(server, f"RSS growth for {cap} sessions held and 10 turned "
                               "away", rss_after - rss_before, cap * 64)


class BdatHasACeiling(MemoryTestCase):
    """A chunk announced past the message limit fails the message before any
    of it arrives: nothing of it is kept. With --max-size 0 the limit is the
    1 GiB ceiling. Its octets are still read and discarded before the 552
    (RFC 3030 §2, docs/CONFORMANCE.md K4)."""

    STREAMED = 64 * MIB

    def stream(self, client, total):
        piece = b"z" * MIB
        for _ in range(total // len(piece)):
            client.send(piece)

    def in_transaction(self, max_size):
        """A server with --max-size `max_size`, and a client after RCPT."""
        server = self.start_server("--store", "memory", "--max-size", str(max_size))
        c = self.client(server)
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<a@b.test>"), 250)
        self.assertReply(c.cmd("RCPT TO:<c@d.test>"), 250)
        return server, c

    def test_bdat_999999999999_without_max_size_keeps_nothing(self):
        server, c = self.in_transaction(0)
        with c:
            _, peak_before = memory_kib(self.pid(server))
            c.send(b"BDAT 999999999999 LAST\r\n")
            # sendall() returns once the server has read all but what the
            # two socket buffers hold (a few MiB of the 64).
            self.stream(c, self.STREAMED)
            _, peak_after = memory_kib(self.pid(server))
            self.assertTrue(c.nothing_within(0.05), "a reply before the chunk's end")
        self.assertMemoryUnder(server, f"peak RSS growth for BDAT 999999999999 and "
                               f"{self.STREAMED // MIB} MiB of it", peak_after - peak_before,
                               4 * 1024)

    def test_a_chunk_over_max_size_gets_552_after_its_octets(self):
        limit = MIB
        server, c = self.in_transaction(limit)
        with c:
            _, peak_before = memory_kib(self.pid(server))
            c.send(f"BDAT {16 * limit} LAST\r\n")
            self.stream(c, 16 * limit)
            self.assertReply(c.reply(timeout=30), 552, "5.3.4")
            self.assertReply(c.cmd("NOOP"), 250)  # in step: the chunk was read as data
            _, peak_after = memory_kib(self.pid(server))
        self.assertEqual(server.messages()["count"], 0)
        self.assertMemoryUnder(server, f"peak RSS growth for a {16 * limit // MIB} MiB chunk "
                               f"over --max-size {limit}", peak_after - peak_before, 4 * 1024)


class SessionBuffersAreBounded(MemoryTestCase):
    """The line buffer (--max-line), the input read ahead (8 KiB a read) and
    the replies queued for a pipelined group (16 KiB, then written) are
    bounded, whatever the client sends."""

    def test_an_endless_line_is_dropped_as_it_arrives(self):
        server = self.start_server("--store", "none")
        with self.client(server) as c:
            c.ehlo()
            _, peak_before = memory_kib(self.pid(server))
            piece = b"a" * MIB
            for _ in range(32):
                c.send(piece)
            c.send(b"\r\n")
            self.assertReply(c.reply(timeout=30), 500, "5.5.2")
            self.assertReply(c.cmd("NOOP"), 250)
            _, peak_after = memory_kib(self.pid(server))
        self.assertMemoryUnder(server, "peak RSS growth for a 32 MiB line", peak_after - peak_before,
                               2 * 1024)

    def test_a_long_pipelined_group_is_answered_in_bounded_pieces(self):
        server = self.start_server("--store", "none", "--max-errors", "0")
        commands = 60000  # 480 KB of EHLO, each answered with ~200 octets
        with self.client(server) as c:
            ehlo = c.ehlo()
            _, peak_before = memory_kib(self.pid(server))
            group = b"EHLO x.test\r\n" * commands
            sender = threading.Thread(target=c.sock.sendall, args=(group,), daemon=True)
            sender.start()
            # Read the replies as they come: EHLO ends with its last line.
            last = ehlo.raw.split(b"\r\n")[-2] + b"\r\n"
            received = 0
            tail = b""  # shorter than `last`: no reply is counted twice
            deadline = time.monotonic() + 60
            c.sock.settimeout(10)
            for _ in range(10_000_000):
                if received >= commands or time.monotonic() > deadline:
                    break
                chunk = c.sock.recv(1 << 20)
                if not chunk:
                    break
                data = tail + chunk
                received += data.count(last)
                tail = data[-(len(last) - 1):]
            sender.join(timeout=10)
            self.assertFalse(sender.is_alive(), "the group was never all sent")
            self.assertEqual(received, commands)
            _, peak_after = memory_kib(self.pid(server))
        self.assertMemoryUnder(server, f"peak RSS growth for {commands} pipelined EHLO",
                               peak_after - peak_before, 2 * 1024)


if __name__ == "__main__":
    unittest.main()
