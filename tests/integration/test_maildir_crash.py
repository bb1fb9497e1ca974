"""A maildir store survives a crash (ARCHITECTURE.md §6, "nothing lost"):
a message answered 250 is on disk before the 250 is sent.

SyscallOrder runs fake-smtpd under strace (Debian's package, from
scripts/deps.sh) and checks the order of the system calls for one message sent
by a real client (Python's smtplib): the file in tmp/ is fsync'ed, renamed
into new/, new/ itself is fsync'ed, and only then is the 250 written to the
client's socket.

KillNine kills fake-smtpd with SIGKILL in the middle of a load of concurrent
smtplib clients, restarts it on the same maildir, and checks that every
message a client saw 250 for is in new/ byte for byte (after the Received:
line the server prepends), and that new/ holds no partial file. Leftovers in
tmp/ are allowed: Maildir readers never look there.

Every loop is bounded in count and time.
"""

import hashlib
import os
import random
import re
import shutil
import signal
import smtplib
import sys
import tempfile
import threading
import time
import unittest

from fakesmtpd import STOP_TIMEOUT, FakeSmtpd, ServerTestCase, require_tool

STRACE = "/usr/bin/strace"
TRACED_CALLS = "fsync,fdatasync,rename,renameat,renameat2,sendto,sendmsg,write,writev"


def make_message(tag, size, rng):
    """An RFC 5322 message of about `size` octets, CRLF lines, no line that
    starts with "." (smtplib would stuff it) and ending with CRLF, so the
    octets smtplib sends are the octets the server must store."""
    head = (f"From: load@crash.test\r\nTo: r@crash.test\r\nSubject: {tag}\r\n"
            f"Message-ID: <{tag}@crash.test>\r\n\r\n").encode()
    line_count = max(1, (size - len(head)) // 78)
    lines = [b"%s %06d %s\r\n" % (tag.encode(), i, rng.randbytes(24).hex().encode())
             for i in range(line_count)]
    return head + b"".join(lines)


def content_after_trace(data):
    """The message without the server's Received: field: its first line and
    the continuation lines (RFC 5322 §2.2.3 folding: a line that starts with
    SP or HTAB). None when the file does not start with a whole field."""
    if not data.startswith(b"Received: "):
        return None
    at = 0
    for _ in range(100):  # the field is three lines; bounded anyway
        end = data.find(b"\r\n", at)
        if end < 0:
            return None
        at = end + 2
        if data[at:at + 1] not in (b" ", b"\t"):
            return data[at:]
    return None


class TracedFakeSmtpd(FakeSmtpd):
    """fake-smtpd started by strace, whose trace goes to `trace_path`. strace
    exits with its tracee's status, so stop() signals fake-smtpd itself (the
    pid of the ports file) and the usual checks of a clean exit apply."""

    def __init__(self, trace_path, *args):
        super().__init__(*args)
        self.trace_path = trace_path
        # LeakSanitizer cannot work under ptrace (it stops the process's
        # threads with ptrace itself); every other test still checks leaks.
        options = os.environ.get("ASAN_OPTIONS", "")
        self.env = dict(os.environ, ASAN_OPTIONS=f"{options}:detect_leaks=0" if options
                        else "detect_leaks=0")

    def command(self):
        # -f: any thread; -yy: file paths and socket addresses for each fd.
        return [STRACE, "-f", "-yy", "-s", "80", "-o", self.trace_path,
                "-e", f"trace={TRACED_CALLS}"] + super().command()

    def stop(self):
        if self.proc is not None and self.exit_code is None and self.proc.poll() is None:
            os.kill(self.ports["pid"], signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except Exception:  # the base class reports the hang
                pass
        return super().stop()


class SyscallOrder(ServerTestCase):

    def test_tmp_file_and_new_dir_are_synced_before_the_250(self):
        require_tool(self, STRACE, "strace")
        work = tempfile.mkdtemp(prefix="fake-smtpd-strace-")
        self.addCleanup(shutil.rmtree, work, ignore_errors=True)
        maildir = os.path.join(work, "maildir")
        trace_path = os.path.join(work, "trace.txt")
        server = TracedFakeSmtpd(trace_path, "--store", f"maildir:{maildir}", "--no-api")
        server.start()
        with smtplib.SMTP(server.host, server.smtp_port, timeout=30) as smtp:
            client_port = smtp.sock.getsockname()[1]
            smtp.ehlo("strace.test")
            refused = smtp.sendmail("a@strace.test", ["b@strace.test"],
                                    b"Subject: traced\r\n\r\nbody c0ffee\r\n")
            self.assertEqual(refused, {})
        server.stop()
        with open(trace_path, encoding="utf-8", errors="replace") as f:
            trace = f.read().splitlines()

        files = os.listdir(os.path.join(maildir, "new"))
        self.assertEqual(len(files), 1, files)
        name = re.escape(files[0])
        tmp_file = re.escape(os.path.join(maildir, "tmp")) + "/" + name
        new_file = re.escape(os.path.join(maildir, "new")) + "/" + name
        new_dir = re.escape(os.path.join(maildir, "new"))

        def first(pattern, after=-1, what=""):
            regex = re.compile(pattern)
            for i in range(after + 1, len(trace)):
                if regex.search(trace[i]):
                    return i
            self.fail(f"no {what} after line {after + 1} of the trace "
                      f"(/{pattern}/):\n" + "\n".join(trace[-40:]))

        written = first(rf"\b(write|writev)\(\d+<{tmp_file}>", what="write of the tmp file")
        # Under either name: an fsync after the rename shows the file in new/,
        # and must fail on the order, not go unnoticed.
        synced = first(rf"\b(fsync|fdatasync)\(\d+<({tmp_file}|{new_file})>\) = 0",
                       what="fsync of the message file")
        # rename(old, new), renameat(dirfd, old, dirfd, new) or renameat2(..., flags).
        renamed = first(rf"\brename(at2?)?\(.*\"{tmp_file}\".*\"{new_file}\".*\) = 0",
                        what="rename from tmp/ into new/")
        dir_synced = first(rf"\b(fsync|fdatasync)\(\d+<{new_dir}>\) = 0", after=renamed,
                           what="fsync of the new/ directory after the rename")
        socket = rf"\d+<TCP:\[[^\]]*->127\.0\.0\.1:{client_port}\]>"
        replied = first(rf"\b(write|writev|sendto|sendmsg)\({socket}.*250 2\.0\.0 Ok: queued as",
                        what="250 to the client")
        steps = [("write", written), ("fsync of the file", synced), ("rename", renamed),
                 ("fsync of new/", dir_synced), ("the 250", replied)]
        excerpt = "\n".join(f"line {i + 1} ({what}): {trace[i]}"
                             for what, i in sorted(steps, key=lambda step: step[1]))
        print(f"\nsyscalls of one message, in trace order:\n{excerpt}", file=sys.stderr)
        # The required order, step by step; the point of the store is the
        # last one: the 250 leaves only once the file and its directory entry
        # are durable.
        for (before, i), (after, j) in zip(steps, steps[1:]):
            self.assertLess(i, j, f"{before} must come before {after}:\n{excerpt}")


class KillNine(ServerTestCase):

    THREADS = 8
    PER_THREAD = 400        # most messages a client thread sends
    KILL_AFTER = 240        # 250s seen before the SIGKILL
    LOAD_SECONDS = 60.0     # the load before the kill, at most
    SIZES = (300, 2000, 20000, 120000, 400000)

    def test_every_acknowledged_message_is_whole_in_new_after_sigkill(self):
        maildir = tempfile.mkdtemp(prefix="fake-smtpd-kill9-")
        self.addCleanup(shutil.rmtree, maildir, ignore_errors=True)
        server = FakeSmtpd("--store", f"maildir:{maildir}", "--max-size", "1000000")
        server.start()
        host, port = server.host, server.smtp_port

        progress = threading.Condition()
        sent = {}       # Message-ID tag -> SHA-256 of the octets sent
        acked = set()   # tags a client saw 250 for
        running = [self.THREADS]
        stop = threading.Event()
        deadline = time.monotonic() + self.LOAD_SECONDS + 30

        def client(number):
            rng = random.Random(9000 + number)
            smtp = None
            try:
                for i in range(self.PER_THREAD):
                    if stop.is_set() or time.monotonic() > deadline:
                        return
                    if smtp is None or i % 25 == 0:  # new sessions now and then
                        if smtp is not None:
                            smtp.quit()
                        smtp = smtplib.SMTP(host, port, timeout=20)
                        smtp.ehlo(f"client{number}.test")
                    tag = f"c{number}-{i}"
                    body = make_message(tag, rng.choice(self.SIZES), rng)
                    with progress:
                        sent[tag] = hashlib.sha256(body).digest()
                    if smtp.sendmail("load@crash.test", ["r@crash.test"], body) == {}:
                        with progress:
                            acked.add(tag)
                            progress.notify_all()
            except (OSError, smtplib.SMTPException):
                return  # the server died under us: what counts is what was acked
            finally:
                if smtp is not None:
                    smtp.close()
                with progress:
                    running[0] -= 1
                    progress.notify_all()

        threads = [threading.Thread(target=client, args=(n,), daemon=True)
                   for n in range(self.THREADS)]
        for t in threads:
            t.start()
        with progress:
            progress.wait_for(lambda: len(acked) >= self.KILL_AFTER or running[0] == 0,
                              timeout=self.LOAD_SECONDS)
            acked_before_kill = len(acked)
        server.proc.kill()  # SIGKILL: no handler, no flush, no cleanup
        server.proc.wait(timeout=STOP_TIMEOUT)
        server.exit_code = server.proc.returncode
        server._close_pipes()
        stop.set()
        for t in threads:
            t.join(timeout=30)
        self.assertFalse(any(t.is_alive() for t in threads), "a client thread hung")
        self.assertEqual(server.exit_code, -signal.SIGKILL)
        self.assertGreaterEqual(acked_before_kill, self.KILL_AFTER,
                                f"only {acked_before_kill} messages acknowledged in "
                                f"{self.LOAD_SECONDS}s before the kill")

        # The same maildir again: the server starts on what the crash left
        # and takes mail.
        again = self.start_server("--store", f"maildir:{maildir}")
        with smtplib.SMTP(again.host, again.smtp_port, timeout=20) as smtp:
            self.assertEqual(smtp.sendmail("after@crash.test", ["r@crash.test"],
                                           b"Subject: after\r\n\r\nafter the crash\r\n"), {})
        again.stop()

        new = os.path.join(maildir, "new")
        by_tag = {}
        partial = []
        for name in sorted(os.listdir(new)):
            with open(os.path.join(new, name), "rb") as f:
                data = f.read()
            content = content_after_trace(data)
            m = re.search(rb"^Message-ID: <([^@>]+)@crash\.test>\r\n", content or b"", re.M)
            tag = m.group(1).decode() if m else None
            if content == b"Subject: after\r\n\r\nafter the crash\r\n":
                continue
            if tag is None or sent.get(tag) != hashlib.sha256(content).digest():
                partial.append((name, len(data)))
                continue
            by_tag[tag] = name
        missing = sorted(acked - by_tag.keys())
        leftovers = os.listdir(os.path.join(maildir, "tmp"))
        print(f"\nkill -9: {len(sent)} messages sent, {len(acked)} answered 250 "
              f"({acked_before_kill} when the kill was sent), {len(by_tag)} whole in new/, "
              f"{len(by_tag.keys() - acked)} of them without a 250 seen, "
              f"{len(leftovers)} left in tmp/", file=sys.stderr)
        self.assertEqual(partial, [], "files in new/ that are not a whole message sent")
        self.assertEqual(missing, [], "messages answered 250 but not in new/")


if __name__ == "__main__":
    unittest.main()
