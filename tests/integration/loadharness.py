"""Helpers for the integration tests of `smtp-harness load`:
run the binary named by $SMTP_HARNESS with a bounded timeout and read its
--json result (loadresult.py reads inside it), check that result against the
schema, and run Debian's aiosmtpd as a real third-party peer
(aiosmtpd_server.py).

Standard library only (the schema check runs tests/schema/validate_result.py
in its own process, which needs python3-jsonschema). Every wait is bounded in
time; every process started here is killed on the way out.
"""

import collections
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

from fakesmtpd import SANITIZER_MARKERS, FakeSmtpd, binary_from_env, wait_until
from loadresult import summary_of

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SCHEMA = os.path.join(ROOT, "reports", "schema", "result.schema.json")
VALIDATOR = os.path.join(ROOT, "tests", "schema", "validate_result.py")
LOAD_SCENARIOS = os.path.join(ROOT, "scenarios", "load")
FAKE_SCENARIOS = os.path.join(ROOT, "scenarios", "fake")
AIOSMTPD_SERVER = os.path.join(HERE, "aiosmtpd_server.py")
PYTHON = "/usr/bin/python3"

# How long one load run may take before the test calls it a hang: the runs
# last 1-3 s, a sanitizer build is a few times slower.
RUN_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

# The most a run of smtp-harness may hold in memory against a hostile
# server: its reply parser's limits bound what one session buffers.
RSS_LIMIT_KB = 200 * 1024
# A sanitizer build keeps freed memory in quarantine (256 MiB by default),
# which would count as the client's memory here; a small one keeps the
# bound meaningful. Ignored by a build without ASan.
SMALL_QUARANTINE = {"ASAN_OPTIONS": ":".join(
    part for part in (os.environ.get("ASAN_OPTIONS", ""), "quarantine_size_mb=16") if part)}


def binary():
    """The smtp-harness under test."""
    return binary_from_env("SMTP_HARNESS", "smtp-harness")


def load_scenario(name):
    path = os.path.join(LOAD_SCENARIOS, f"{name}.lua")
    if not os.path.isfile(path):
        raise AssertionError(f"no load scenario {path}")
    return path


def fake_scenario(name):
    path = os.path.join(FAKE_SCENARIOS, f"{name}.lua")
    if not os.path.isfile(path):
        raise AssertionError(f"no fake-smtpd profile {path}")
    return path


LoadRun = collections.namedtuple("LoadRun", "code stdout stderr result seconds max_rss_kb argv")
LoadRun.__doc__ = """A finished run: exit code (negative: killed by that signal), the
output, the parsed --json document (None when no file was written), wall
seconds, and the process's peak RSS in KiB (wait4's ru_maxrss)."""

Finished = collections.namedtuple("Finished", "code stdout stderr seconds max_rss_kb argv")
Finished.__doc__ = """A finished smtp-harness process of any subcommand: what LoadRun
holds but the result document."""


class HarnessProcess:
    """One smtp-harness process: `smtp-harness SUBCOMMAND ARGS`. Output goes
    to files (no pipe can fill up and stall it); the process is reaped with
    os.wait4 on a thread, so its own peak RSS is known, and wait() bounds
    the wait. tmp is a directory of its own for the files the run writes.
    (Linux counts the parent's RSS at the fork in the child's ru_maxrss: a
    test process that holds much memory inflates the figure, never hides a
    child's own peak.)"""

    def __init__(self, subcommand, args, env=None):
        self.tmp = tempfile.mkdtemp(prefix=f"{subcommand}-it-")
        self.subcommand = subcommand
        self.argv = [binary(), subcommand, *[str(a) for a in args]]
        self.env = dict(os.environ, **(env or {}))
        self.proc = None
        self.status = None
        self.rusage = None
        self.started_at = None

    def start(self):
        self._out = open(os.path.join(self.tmp, "stdout"), "wb")
        self._err = open(os.path.join(self.tmp, "stderr"), "wb")
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=self._out,
                                     stderr=self._err, env=self.env)
        self._reaper = threading.Thread(target=self._reap, daemon=True)
        self._reaper.start()
        return self

    def _reap(self):
        _, status, usage = os.wait4(self.proc.pid, 0)
        self.status = os.waitstatus_to_exitcode(status)
        self.rusage = usage
        # Popen must not wait for a pid that is gone.
        self.proc.returncode = self.status

    def _signal(self, signum):
        # os.kill, not Popen.send_signal: that one polls, and could reap the
        # process before wait4 does.
        if self.running():
            os.kill(self.proc.pid, signum)

    def running(self):
        return self._reaper.is_alive()

    def interrupt(self):
        self._signal(signal.SIGINT)

    def wait(self, timeout=RUN_TIMEOUT):
        """Waits at most `timeout` seconds; a process still running then is
        killed and the run is a failure (a hang). Returns a Finished."""
        self._reaper.join(timeout)
        hung = self._reaper.is_alive()
        if hung:
            self._signal(signal.SIGKILL)
            self._reaper.join(STOP_TIMEOUT)
        seconds = time.monotonic() - self.started_at
        self._out.close()
        self._err.close()
        stdout = self._read("stdout")
        stderr = self._read("stderr")
        if hung:
            raise AssertionError(f"smtp-harness {self.subcommand} did not end within {timeout}s "
                                 f"(killed): {' '.join(self.argv)}\nstdout:\n{stdout[-3000:]}\n"
                                 f"stderr:\n{stderr[-3000:]}")
        return Finished(self.status, stdout, stderr, seconds,
                        self.rusage.ru_maxrss if self.rusage else 0, self.argv)

    def cleanup(self):
        """Kills the process if it still runs; removes the files."""
        if self.proc is not None and self.running():
            self._signal(signal.SIGKILL)
            self._reaper.join(STOP_TIMEOUT)
        for stream in (getattr(self, "_out", None), getattr(self, "_err", None)):
            if stream is not None:
                stream.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _read(self, name):
        with open(os.path.join(self.tmp, name), "rb") as f:
            return f.read().decode(errors="replace")


class LoadProcess(HarnessProcess):
    """One `smtp-harness load` process, with its --json result file."""

    def __init__(self, args, json_file=True, env=None):
        super().__init__("load", args, env=env)
        self.json_path = os.path.join(self.tmp, "result.json") if json_file else None
        if self.json_path:
            self.argv += ["--json", self.json_path]

    def finish(self, timeout=RUN_TIMEOUT):
        """wait(), and the --json result read. Returns a LoadRun."""
        done = self.wait(timeout)
        result = None
        if self.json_path and os.path.exists(self.json_path):
            with open(self.json_path, encoding="utf-8") as f:
                text = f.read()
            try:
                result = json.loads(text)
            except ValueError as e:
                raise AssertionError(f"{self.json_path} is not JSON ({e}): {text[:300]!r}\n"
                                     f"stderr:\n{done.stderr}")
        return LoadRun(done.code, done.stdout, done.stderr, result, done.seconds,
                       done.max_rss_kb, done.argv)


def validate(document):
    """Problems validate_result.py finds in `document` ("" when none)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8",
                                     delete=False) as f:
        json.dump(document, f)
        path = f.name
    try:
        done = subprocess.run([PYTHON, VALIDATOR, SCHEMA, path], capture_output=True, text=True,
                              timeout=60, stdin=subprocess.DEVNULL)
    finally:
        os.unlink(path)
    if done.returncode != 0:
        return done.stdout + done.stderr
    return ""


def sanitizer_report(text):
    """The first sanitizer marker in `text`, or None."""
    for marker in SANITIZER_MARKERS:
        if marker in text:
            return marker
    return None


# --- aiosmtpd -------------------------------------------------------------------


class Aiosmtpd:
    """aiosmtpd_server.py in its own /usr/bin/python3 process on a port of
    127.0.0.1 the kernel picks. stats() asks it for its counts over stdin."""

    READY = "aiosmtpd ready: port="
    READY_TIMEOUT = 30.0

    def __init__(self, starttls=False, user=None, rcpt_every=None, data_every=None):
        self.tmp = tempfile.mkdtemp(prefix="aiosmtpd-it-")
        self.args = []
        if starttls:
            self.args += ["--starttls", self.tmp]
        if user:
            self.args += ["--user", user]
        if rcpt_every:
            self.args += ["--rcpt-every", rcpt_every]
        if data_every:
            self.args += ["--data-every", data_every]
        self.proc = None
        self.port = None
        self.stderr_path = os.path.join(self.tmp, "stderr.txt")
        self._buf = b""

    def start(self):
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen([PYTHON, AIOSMTPD_SERVER, *self.args],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._stderr,
                                     env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
        try:
            line = self._line(self.READY_TIMEOUT)
            if not line.startswith(self.READY):
                raise AssertionError(f"aiosmtpd_server.py said {line!r}, not ready")
            self.port = int(line[len(self.READY):])
        except BaseException:
            self.stop()
            raise
        return self

    def _line(self, timeout):
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        for _ in range(10000):
            if b"\n" in self._buf:
                line, _, self._buf = self._buf.partition(b"\n")
                return line.decode()
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                break
            chunk = os.read(fd, 65536)
            if not chunk:
                raise AssertionError(f"aiosmtpd_server.py exited; stderr:\n{self.stderr()}")
            self._buf += chunk
        raise AssertionError(f"no line from aiosmtpd_server.py within {timeout}s; "
                             f"stderr:\n{self.stderr()}")

    def stats(self):
        self.proc.stdin.write(b"stats\n")
        self.proc.stdin.flush()
        return json.loads(self._line(30.0))

    def stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    @property
    def target(self):
        return f"127.0.0.1:{self.port}"

    def stop(self):
        """Closing stdin ends the server; it is killed if it does not end."""
        if self.proc is None:
            return
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)
        self.proc.stdout.close()
        self._stderr.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# --- the test case ---------------------------------------------------------------


class LoadTestCase(unittest.TestCase):
    """Runs smtp-harness load against servers started per test; every server
    and process is stopped by a cleanup, even when the test fails."""

    maxDiff = 4000

    def start_fake(self, *args, profile=None, store="none"):
        """A fake-smtpd; `--store none` by default, since load runs only need
        its counters (GET /api/stats)."""
        extra = ["--store", store] if store else []
        server = FakeSmtpd(*extra, *args, profile=profile)
        server.start()
        self.addCleanup(server.stop)
        return server

    def start_aiosmtpd(self, **kw):
        server = Aiosmtpd(**kw)
        server.start()
        self.addCleanup(server.stop)
        return server

    def temp_file(self, text, suffix=".lua"):
        fd, path = tempfile.mkstemp(prefix="load-it-", suffix=suffix)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        self.addCleanup(os.unlink, path)
        return path

    def start_load(self, *args, json_file=True, env=None):
        process = LoadProcess(args, json_file=json_file, env=env)
        self.addCleanup(process.cleanup)
        return process.start()

    def load(self, *args, expect=EXIT_OK, timeout=RUN_TIMEOUT, json_file=True, env=None):
        """Runs `smtp-harness load ARGS --json FILE` (bounded), checks the exit
        code and that stderr has no sanitizer report; returns the LoadRun."""
        run = self.start_load(*args, json_file=json_file, env=env).finish(timeout)
        self.assertNoSanitizerReport(run)
        if expect is not None:
            self.assertEqual(run.code, expect, self.describe(run))
        return run

    def describe(self, run):
        return (f"command: {' '.join(run.argv)}\nexit {run.code} after {run.seconds:.2f}s\n"
                f"stdout:\n{run.stdout[-3000:]}\nstderr:\n{run.stderr[-3000:]}")

    def assertNoSanitizerReport(self, run):
        marker = sanitizer_report(run.stderr)
        if marker:
            self.fail(f"smtp-harness stderr has '{marker}':\n{self.describe(run)}")

    def assertValid(self, document):
        problems = validate(document)
        self.assertEqual(problems, "", "the result does not match the schema")

    def assertSummaries(self, entry, what):
        """The summary fields next to a histogram are the ones it implies."""
        expected = summary_of(entry["histogram"])
        self.assertAlmostEqual(entry["mean_ns"], expected.pop("mean_ns"), delta=1.0, msg=what)
        self.assertEqual({k: entry[k] for k in expected}, expected, what)

    def assertSeriesAddUp(self, load):
        """The per-second series carries every event once: its sums are the
        run's counters."""
        series = load["series"]
        self.assertEqual([s["second"] for s in series], list(range(len(series))),
                         "one entry per second, in order")
        c = load["counters"]
        for field, counter in (("started", "transactions_started"), ("delivered", "delivered"),
                               ("refused_4xx", "refused_4xx"), ("refused_5xx", "refused_5xx"),
                               ("failed", "failed"), ("late_starts", "late_starts")):
            self.assertEqual(sum(s[field] for s in series), c[counter], f"series {field}")
        self.assertEqual(sum(s["errors"] for s in series), sum(load["errors"].values()),
                         "series errors")

    def wait_accepted(self, server, n, timeout=20.0):
        """A bounded poll of fake-smtpd's counters until it accepted n messages."""
        return wait_until(lambda: server.stats()["messages_accepted"] >= n, timeout=timeout,
                          interval=0.05, what=f"{n} messages accepted by fake-smtpd")
