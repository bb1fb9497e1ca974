"""Result files for the browser tests, from real runs of this build:
smtp-harness check and a 2-second load against the bundled fake-smtpd (a
realistic failure profile for the load), and the same against a hostile
server whose banner and replies carry markup, quotes and bytes that are not
UTF-8. fakesmtpd.py and rawserver.py come from tests/integration (PYTHONPATH).

Every wait is bounded.
"""

import os
import select
import subprocess
import time

from fakesmtpd import FakeSmtpd, binary_from_env
from rawserver import RawServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FLAKY_PROFILE = os.path.join(ROOT, "scenarios", "fake", "flaky-relay.lua")
RUN_TIMEOUT = 180

# What the hostile server says: markup, quotes, an ampersand, "</style>",
# "]]>", a line separator and a right-to-left override in every reply; bytes
# that are not UTF-8 and control characters (NUL, ESC) only after the
# greeting and the EHLO reply, since the reply parser refuses them, and a
# greeting it refuses ends every check before it sends a command.
HOSTILE = (b"<script>alert(1)</script> \"dq\" 'sq' & </style> ]]> "
           b"\xe2\x80\xa8 \xe2\x80\xae")
BYTES = b"\x00 \x1b[31m \xff\xfe\xc3\x28"
BANNER = b"220 hostile.test ESMTP " + HOSTILE + b"\r\n"
REPLIES = {
    b"EHLO": b"250-hostile.test <img src=x onerror=alert(2)>\r\n250 8BITMIME\r\n",
    b"HELO": b"250 hostile.test " + HOSTILE + b" " + BYTES + b"\r\n",
    b"MAIL": b"250 2.1.0 \"sender\" <ok> " + BYTES + b" " + HOSTILE + b"\r\n",
    b"RCPT": b"550 5.1.1 <script>alert(3)</script> " + BYTES + b" " + HOSTILE + b"\r\n",
    b"DATA": b"503 5.5.1 <b>no recipients</b>\r\n",
    b"RSET": b"250 2.0.0 <i>reset</i>\r\n",
    b"NOOP": b"250 2.0.0 \"noop\"\r\n",
    b"QUIT": b"221 2.0.0 <script>bye</script>\r\n",
}
UNKNOWN = b"500 5.5.1 <script>alert(4)</script> " + BYTES + b" " + HOSTILE + b"\r\n"


def harness():
    return binary_from_env("SMTP_HARNESS", "smtp-harness")


def hostile_session(conn, stop):
    """A server that speaks SMTP's shape with hostile text; bounded."""
    deadline = time.monotonic() + 30
    conn.sendall(BANNER)
    buffer = b""
    for _ in range(2000):
        if stop.is_set() or time.monotonic() >= deadline:
            return
        if b"\n" not in buffer:
            readable, _, _ = select.select([conn], [], [], 0.2)
            if not readable:
                continue
            try:
                chunk = conn.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            continue
        line, _, buffer = buffer.partition(b"\n")
        verb = line.strip().split(b" ", 1)[0].upper()
        try:
            conn.sendall(REPLIES.get(verb, UNKNOWN))
        except OSError:
            return
        if verb == b"QUIT":
            return


def run(args, timeout=RUN_TIMEOUT):
    """Runs smtp-harness; its exit code may be 1 (a FAIL, a threshold)."""
    done = subprocess.run([harness()] + args, stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=timeout)
    if done.returncode not in (0, 1):
        raise AssertionError(f"smtp-harness {' '.join(args)} exited {done.returncode}:\n"
                             f"{done.stdout.decode(errors='replace')}\n"
                             f"{done.stderr.decode(errors='replace')}")
    return done


def load_args(target, out):
    return ["load", "--target", target, "--rate", "100", "--duration", "2s",
            "--connections", "4", "--threads", "1", "--threshold", "p99<1s",
            "--threshold", "errors<5%", "--json", out, "-q"]


def real_results(directory):
    """check.json (the suite against the default fake-smtpd) and load.json
    (2 s at 100/s against the flaky-relay profile)."""
    check = os.path.join(directory, "check.json")
    load = os.path.join(directory, "load.json")
    with FakeSmtpd() as server:
        run(["check", f"127.0.0.1:{server.smtp_port}", "--json", check, "-q"])
    with FakeSmtpd("--seed", "42", "--store", "none", profile=FLAKY_PROFILE) as server:
        run(load_args(f"127.0.0.1:{server.smtp_port}", load))
    return check, load


def hostile_results(directory):
    """hostile-check.json and hostile-load.json, against the hostile server."""
    check = os.path.join(directory, "hostile-check.json")
    load = os.path.join(directory, "hostile-load.json")
    with RawServer(hostile_session) as server:
        run(["check", server.target, "--only", "greeting,ehlo", "--timeout", "2s",
             "--check-timeout", "20s", "--json", check, "-q"])
        run(load_args(server.target, load))
    return check, load


def sink_result(directory):
    """sink-load.json: the reports sample of a run with --sink (its delivery
    section), written by this build's write_sample_result --sink, until a
    real relay run is cheap enough to make here."""
    path = os.path.join(directory, "sink-load.json")
    writer = binary_from_env("WRITE_SAMPLE_RESULT", "write_sample_result")
    done = subprocess.run([writer, "--sink", path], stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=60)
    if done.returncode != 0:
        raise AssertionError(f"write_sample_result --sink exited {done.returncode}:\n"
                             f"{done.stderr.decode(errors='replace')}")
    return path


def report(results, html):
    """smtp-harness report RESULTS... --html HTML; must exit 0."""
    done = subprocess.run([harness(), "report"] + list(results) + ["--html", html],
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    if done.returncode != 0:
        raise AssertionError(f"smtp-harness report exited {done.returncode}:\n"
                             f"{done.stderr.decode(errors='replace')}")
    return html
