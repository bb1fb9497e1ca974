"""Harness for the fake-smtpd integration tests (standard library only).

FakeSmtpd starts the binary named by $FAKE_SMTPD on ephemeral loopback ports,
waits for its "fake-smtpd ready:" line (select() with a deadline, never a
sleep-poll), reads the ports file, and talks to its HTTP API. stop() sends
SIGTERM and asserts a clean exit: code 0 and no sanitizer report on stderr, so
every test also proves ASan/UBSan/LSan cleanliness when $FAKE_SMTPD is the
sanitizer build.

Smtp is a raw-socket client: it sends exact bytes and reads replies with
deadlines, so tests can pipeline, smuggle and misbehave on purpose.

Every loop here is bounded in iterations and in time.
"""

import base64
import json
import os
import re
import select
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

READY_PREFIX = b"fake-smtpd ready:"
READY_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
# Sanitizer reports, and the line a session coroutine's escaped exception
# leaves (fake_server.cpp): each is a bug even when every reply was right.
SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error",
                     "session ended by an exception")


def sanitizer_report_lines(text):
    """The lines of `text` (a stderr) with a SANITIZER_MARKERS marker: an
    ASan or LSan report has two, its ERROR and its SUMMARY line; a UBSan
    report one "runtime error" line."""
    return [line for line in text.splitlines()
            if any(marker in line for marker in SANITIZER_MARKERS)]


def binary_from_env(variable, target):
    """The program under test named by $VARIABLE; unset or not executable is a failure."""
    path = os.environ.get(variable, "")
    if not path:
        raise AssertionError(f"{variable} is not set: point it at the {target} binary "
                             f"(ctest sets it to $<TARGET_FILE:{target}>)")
    if not os.access(path, os.X_OK):
        raise AssertionError(f"{variable}={path} is not an executable; build the {target} target")
    return path


def binary():
    """The fake-smtpd under test."""
    return binary_from_env("FAKE_SMTPD", "fake-smtpd")


def require_tool(test, path_or_name, package):
    """The path of an external tool, or a test FAILURE naming its package."""
    found = path_or_name if os.path.isabs(path_or_name) else shutil.which(path_or_name)
    if not found or not os.access(found, os.X_OK):
        test.fail(f"{path_or_name} not found: install the Debian package '{package}' "
                  f"(scripts/deps.sh installs it)")
    return found


def unverified_tls():
    """The server's certificate is self-signed and made at start: nothing to verify against."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def plain_b64(user, password, authzid=""):
    """RFC 4616 PLAIN initial response."""
    return base64.b64encode(f"{authzid}\0{user}\0{password}".encode()).decode()


def abort_connection(sock):
    """Makes the next close() of `sock` a TCP RST (SO_LINGER 0), as a crashed
    peer's kernel would send, instead of an orderly FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass  # already gone: there is nothing left to reset


def wait_until(predicate, timeout=5.0, interval=0.02, what="condition"):
    """For state the server updates asynchronously (a peer's close it has yet
    to notice). Bounded in time and in iterations."""
    deadline = time.monotonic() + timeout
    for _ in range(int(timeout / interval) + 2):
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            break
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class ApiResponse:
    def __init__(self, status, body, content_type):
        self.status = status
        self.body = body
        self.content_type = content_type

    def json(self):
        return json.loads(self.body)


class FakeSmtpd:
    """One fake-smtpd process on ephemeral ports of 127.0.0.1."""

    def __init__(self, *args, profile=None, plain_args=True):
        self.args = [str(a) for a in args]
        self.profile = profile
        self.plain_args = plain_args
        self.env = None  # the environment of the process; None: ours
        self.preexec = None  # run in the child before the exec (resource limits)
        self.proc = None
        self.ports = None
        self.banner = ""
        self.stderr_text = ""
        self.exit_code = None
        self.tmp = tempfile.mkdtemp(prefix="fake-smtpd-it-")
        self.ports_file = os.path.join(self.tmp, "ports.json")
        self.stderr_path = os.path.join(self.tmp, "stderr.txt")

    # --- lifecycle -------------------------------------------------------

    def command(self):
        cmd = [binary()]
        if self.profile:
            cmd.append(self.profile)
        if self.plain_args:
            cmd += ["--listen", "127.0.0.1:0", "--api", "127.0.0.1:0",
                    "--tls-listen", "127.0.0.1:0", "--ports-file", self.ports_file]
        return cmd + self.args

    def start(self):
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, env=self.env,
                                     preexec_fn=self.preexec, stdout=subprocess.PIPE,
                                     stderr=self._stderr)
        line = self._read_ready_line()
        self.banner = line.decode(errors="replace")
        with open(self.ports_file, encoding="utf-8") as f:
            self.ports = json.load(f)
        return self

    def _read_ready_line(self):
        fd = self.proc.stdout.fileno()
        buf = b""
        deadline = time.monotonic() + READY_TIMEOUT
        for _ in range(10000):
            if b"\n" in buf:
                line, _, buf = buf.partition(b"\n")
                if line.startswith(READY_PREFIX):
                    return line
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                break
            chunk = os.read(fd, 4096)
            if not chunk:  # the process exited before it was ready
                self.exit_code = self.proc.wait(timeout=STOP_TIMEOUT)
                stderr = self._close_pipes()
                raise AssertionError(f"fake-smtpd exited with {self.proc.returncode} before "
                                     f"ready; stderr:\n{stderr}")
            buf += chunk
        self.proc.kill()
        self.exit_code = self.proc.wait(timeout=STOP_TIMEOUT)
        stderr = self._close_pipes()
        raise AssertionError(f"no '{READY_PREFIX.decode()}' line within {READY_TIMEOUT}s; "
                             f"stdout so far {buf!r}; stderr:\n{stderr}")

    def _close_pipes(self):
        """Closes the pipes, removes the temporary directory; returns stderr."""
        self.proc.stdout.close()
        self._stderr.close()
        self.stderr_text = self.read_stderr()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return self.stderr_text

    def read_stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def stop(self):
        """SIGTERM, then assert exit code 0 and a stderr free of sanitizer reports."""
        if self.proc is None or self.exit_code is not None:
            return self.exit_code
        try:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
            try:
                self.exit_code = self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT)
                self.exit_code = "hung"
        finally:
            self._close_pipes()
        if self.exit_code == "hung":
            raise AssertionError(f"fake-smtpd ignored SIGTERM for {STOP_TIMEOUT}s; stderr:\n"
                                 f"{self.stderr_text}")
        for marker in SANITIZER_MARKERS:
            if marker in self.stderr_text:
                raise AssertionError(f"fake-smtpd stderr has '{marker}':\n{self.stderr_text}")
        if self.exit_code != 0:
            raise AssertionError(f"fake-smtpd exited with {self.exit_code} after SIGTERM, "
                                 f"expected 0; stderr:\n{self.stderr_text}")
        return self.exit_code

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- addresses -------------------------------------------------------

    @property
    def host(self):
        return self.ports["host"]

    @property
    def smtp_port(self):
        return self.ports["smtp"]

    @property
    def smtps_port(self):
        return self.ports["smtps"]

    @property
    def api_port(self):
        return self.ports["api"]

    def connect(self, implicit_tls=False, timeout=10.0, greet=True):
        """A raw client; with greet it has read and checked the 220 greeting."""
        port = self.smtps_port if implicit_tls else self.smtp_port
        client = Smtp(self.host, port, timeout=timeout, implicit_tls=implicit_tls)
        if greet:
            r = client.reply()
            if r.code != 220:
                client.close()
                raise AssertionError(f"greeting was {r.raw!r}, expected 220")
            client.greeting = r
        return client

    # --- HTTP API --------------------------------------------------------

    def api(self, path, method="GET", timeout=10.0, body=None):
        """One HTTP request; `body` (str or bytes) is sent as text, as PUT
        /api/rules takes its Lua."""
        url = f"http://{self.host}:{self.api_port}{path}"
        data = body.encode() if isinstance(body, str) else body
        headers = {"Content-Type": "text/plain; charset=utf-8"} if data is not None else {}
        req = urllib.request.Request(url, method=method, data=data, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as res:
                return ApiResponse(res.status, res.read(), res.headers.get("Content-Type"))
        except urllib.error.HTTPError as e:
            with e:
                return ApiResponse(e.code, e.read(), e.headers.get("Content-Type"))

    def api_json(self, path, expect=200, method="GET", timeout=10.0, body=None):
        res = self.api(path, method=method, timeout=timeout, body=body)
        if res.status != expect:
            raise AssertionError(f"{method} {path}: HTTP {res.status}, expected {expect}: "
                                 f"{res.body[:500]!r}")
        return res.json()

    def messages(self):
        return self.api_json("/api/messages")

    def wait_messages(self, n, timeout="5s"):
        """The long poll: (HTTP status, body); 200 when n are held, 408 when not."""
        res = self.api(f"/api/messages?wait={n}&timeout={timeout}", timeout=130.0)
        return res.status, res.json()

    def expect_messages(self, n, timeout="5s"):
        status, body = self.wait_messages(n, timeout)
        if status != 200 or body["count"] != n:
            raise AssertionError(f"expected {n} messages: HTTP {status}, count {body['count']}")
        return body["messages"]

    def message(self, mid):
        return self.api_json(f"/api/messages/{mid}")

    def raw(self, mid):
        res = self.api(f"/api/messages/{mid}/raw")
        if res.status != 200:
            raise AssertionError(f"raw of message {mid}: HTTP {res.status}: {res.body[:200]!r}")
        return res.body

    def delete_messages(self):
        return self.api_json("/api/messages", method="DELETE")["deleted"]

    def sessions(self):
        return self.api_json("/api/sessions")

    def session(self, sid):
        return self.api_json(f"/api/sessions/{sid}")

    def session_of(self, client):
        """The session record of a connected raw client, found by its address."""
        peer = "%s:%d" % client.local
        for s in self.sessions()["sessions"]:
            if s["peer"] == peer:
                return self.session(s["id"])
        raise AssertionError(f"no session with peer {peer}")

    def stats(self):
        return self.api_json("/api/stats")

    def events(self, sid):
        """The texts of a session's transcript events (rules fired, greylist
        verdicts, hooks, TLS, close)."""
        return [e["text"] for e in self.session(sid)["transcript"] if e["direction"] == "event"]

    def all_events(self):
        """{session id: [event texts]} for every session the server keeps."""
        return {s["id"]: self.events(s["id"]) for s in self.sessions()["sessions"]}

    # --- rules (SCRIPTING.md, "Changing rules at run time") --------------

    def rules(self):
        return self.api_json("/api/rules")

    def rule(self, name):
        """One rule's entry of GET /api/rules, by name."""
        found = [r for r in self.rules()["rules"] if r["name"] == name]
        if len(found) != 1:
            raise AssertionError(f"{len(found)} rules named {name!r}")
        return found[0]

    def put_rules(self, lua, expect=200):
        return self.api_json("/api/rules", expect=expect, method="PUT", body=lua)

    def delete_rules(self):
        return self.api_json("/api/rules", method="DELETE")


class Reply:
    def __init__(self, lines):
        self.raw = b"".join(lines)
        self.code = int(lines[-1][:3])
        # The text of each line, without "ddd-" / "ddd " and CRLF.
        self.lines = [l[4:].rstrip(b"\r\n").decode(errors="replace") for l in lines]

    @property
    def text(self):
        return self.lines[-1]

    def __repr__(self):
        return f"Reply({self.raw!r})"


class Closed(Exception):
    """The server closed the connection (EOF or reset)."""


class Smtp:
    """A raw SMTP client: exact bytes out, replies in with deadlines."""

    MAX_REPLY_LINES = 1000

    def __init__(self, host, port, timeout=10.0, implicit_tls=False):
        self.timeout = timeout
        self.greeting = None
        self.buf = b""
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # Kept now: after a reset the kernel may no longer report it.
        self.local = self.sock.getsockname()[:2]
        if implicit_tls:
            self.sock = unverified_tls().wrap_socket(self.sock)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def reset(self):
        """Closes with a TCP RST instead of a FIN."""
        abort_connection(self.sock)
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def tls(self):
        return isinstance(self.sock, ssl.SSLSocket)

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def _recv(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no complete reply in time; buffered {self.buf[:300]!r}")
        self.sock.settimeout(left)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            raise TimeoutError(f"no complete reply in time; buffered {self.buf[:300]!r}") from None
        except (ConnectionResetError, BrokenPipeError, ssl.SSLEOFError) as e:
            raise Closed(f"connection reset: {e}") from None
        if not chunk:
            raise Closed(f"connection closed; buffered {self.buf[:300]!r}")
        self.buf += chunk

    def _line(self, deadline):
        for _ in range(100000):
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line, self.buf = self.buf[:i + 2], self.buf[i + 2:]
                return line
            self._recv(deadline)
        raise AssertionError("reply line never ended")

    def reply(self, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        lines = []
        for _ in range(self.MAX_REPLY_LINES):
            line = self._line(deadline)
            if len(line) < 5 or not line[:3].isdigit() or line[3:4] not in (b" ", b"-", b"\r"):
                raise AssertionError(f"malformed reply line {line!r}")
            lines.append(line)
            if line[3:4] != b"-":
                return Reply(lines)
        raise AssertionError(f"reply longer than {self.MAX_REPLY_LINES} lines")

    def replies(self, n, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        return [self.reply(timeout=max(0.01, deadline - time.monotonic())) for _ in range(n)]

    def cmd(self, line, timeout=None):
        self.send(line + "\r\n" if isinstance(line, str) else line + b"\r\n")
        return self.reply(timeout)

    def ehlo(self, name="client.test"):
        r = self.cmd(f"EHLO {name}")
        if r.code != 250:
            raise AssertionError(f"EHLO answered {r.raw!r}")
        return r

    def keywords(self, ehlo_reply):
        return [l.split(" ")[0].upper() for l in ehlo_reply.lines[1:]]

    def starttls(self):
        r = self.cmd("STARTTLS")
        if r.code != 220:
            raise AssertionError(f"STARTTLS answered {r.raw!r}")
        if self.buf:
            raise AssertionError(f"plaintext after the 220 to STARTTLS: {self.buf!r}")
        self.sock.settimeout(self.timeout)
        self.sock = unverified_tls().wrap_socket(self.sock)
        return r

    def nothing_within(self, seconds):
        """True when no byte arrives within `seconds` (used to prove a
        server stays silent, e.g. before the end of data)."""
        if self.buf:
            return False
        if self.tls and self.sock.pending():
            return False
        ready, _, _ = select.select([self.sock], [], [], seconds)
        return not ready

    def read_until(self, pattern, timeout=None, limit=1 << 20):
        """Raw bytes up to the end of the first match of the regex `pattern`
        (bytes), consumed from the buffer; for replies too broken for
        reply(). Bounded in time and in octets."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + (timeout or self.timeout)
        for _ in range(100000):
            m = regex.search(self.buf)
            if m:
                data, self.buf = self.buf[:m.end()], self.buf[m.end():]
                return data
            if len(self.buf) > limit:
                raise AssertionError(f"no {pattern!r} in {limit} octets: {self.buf[:300]!r}")
            self._recv(deadline)
        raise AssertionError("read_until did not finish")

    def read_exactly(self, n, timeout=None):
        """The next n raw octets."""
        deadline = time.monotonic() + (timeout or self.timeout)
        for _ in range(100000):
            if len(self.buf) >= n:
                data, self.buf = self.buf[:n], self.buf[n:]
                return data
            self._recv(deadline)
        raise AssertionError("read_exactly did not finish")

    def read_lines(self, n, timeout=None):
        """The next n LF-terminated raw lines (CR kept), however malformed,
        all within one deadline."""
        deadline = time.monotonic() + (timeout or self.timeout)
        return [self.read_until(rb"\n", timeout=max(0.01, deadline - time.monotonic()))
                for _ in range(n)]

    def read_until_closed(self, timeout=None, limit=4 << 20):
        """Everything the server sends until it closes; raises TimeoutError if
        it keeps the connection open. Returns (bytes, how) with how 'eof' or
        'reset'."""
        deadline = time.monotonic() + (timeout or self.timeout)
        for _ in range(100000):
            if len(self.buf) > limit:
                raise AssertionError(f"more than {limit} octets without closing")
            try:
                self._recv(deadline)
            except Closed as e:
                return self.buf, ("reset" if "reset" in str(e) else "eof")
            except ssl.SSLError:
                return self.buf, "tls-error"
        raise AssertionError("read_until_closed did not finish")

    def send_message(self, sender, recipients, body, timeout=None):
        """MAIL, RCPT..., DATA, content, "." one step at a time; returns the
        final reply. `body` is sent as is, so it must already be dot-stuffed."""
        r = self.cmd(f"MAIL FROM:<{sender}>")
        if r.code != 250:
            raise AssertionError(f"MAIL answered {r.raw!r}")
        for rcpt in recipients:
            r = self.cmd(f"RCPT TO:<{rcpt}>")
            if r.code != 250:
                raise AssertionError(f"RCPT answered {r.raw!r}")
        r = self.cmd("DATA")
        if r.code != 354:
            raise AssertionError(f"DATA answered {r.raw!r}")
        self.send(body if isinstance(body, bytes) else body.encode())
        self.send(b"\r\n.\r\n")
        return self.reply(timeout)


class ServerTestCase(unittest.TestCase):
    """start_server() runs a fake-smtpd for one test; its stop() is a
    cleanup, so every test also checks the clean, sanitizer-free exit."""

    def start_server(self, *args, profile=None):
        server = FakeSmtpd(*args, profile=profile)
        server.start()
        self.addCleanup(server.stop)
        return server

    def client(self, server, **kw):
        c = server.connect(**kw)
        self.addCleanup(c.close)
        return c

    def profile_file(self, text):
        """A temporary profile holding `text`, removed after the test."""
        fd, path = tempfile.mkstemp(prefix="profile-", suffix=".lua")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        self.addCleanup(os.unlink, path)
        return path

    def assertReply(self, reply, code, enhanced=None, msg=None):
        self.assertEqual(reply.code, code, msg or reply.raw)
        if enhanced is not None:
            self.assertTrue(reply.text.startswith(enhanced + " "),
                            f"expected enhanced code {enhanced} in {reply.raw!r}")
