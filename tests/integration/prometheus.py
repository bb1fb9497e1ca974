"""A real Prometheus server for the metrics tests (standard library only).

Debian's `prometheus` runs on 127.0.0.1 with a private configuration and
data directory in a temporary directory, scraping the given targets every
second. Readiness is a bounded poll of /-/ready; queries go through the
HTTP API (/api/v1/query). Every wait here is bounded in time and count.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

READY_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
SCRAPE_INTERVAL = 1.0


def free_port():
    """A port of 127.0.0.1 that was free a moment ago (for a program that
    must be told its port before it starts, as Prometheus' targets are)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Prometheus:
    def __init__(self, binary, jobs):
        """`jobs`: {job name: "127.0.0.1:PORT"}, each scraped at /metrics."""
        self.binary = binary
        self.jobs = jobs
        self.tmp = tempfile.mkdtemp(prefix="prometheus-it-")
        self.port = free_port()
        self.proc = None
        self.log_path = os.path.join(self.tmp, "prometheus.log")

    def config(self):
        lines = ["global:", f"  scrape_interval: {SCRAPE_INTERVAL:g}s",
                 f"  scrape_timeout: {SCRAPE_INTERVAL:g}s", "scrape_configs:"]
        for job, target in self.jobs.items():
            lines += [f"  - job_name: '{job}'", "    static_configs:",
                      f"      - targets: ['{target}']"]
        return "\n".join(lines) + "\n"

    def start(self):
        config = os.path.join(self.tmp, "prometheus.yml")
        with open(config, "w", encoding="utf-8") as f:
            f.write(self.config())
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [self.binary, f"--config.file={config}",
             f"--storage.tsdb.path={os.path.join(self.tmp, 'data')}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, cwd=self.tmp)
        deadline = time.monotonic() + READY_TIMEOUT
        for _ in range(int(READY_TIMEOUT / 0.05) + 2):
            if self.proc.poll() is not None:
                raise AssertionError(f"prometheus exited with {self.proc.returncode}:\n"
                                     f"{self.log()[-3000:]}")
            if self._ready():
                return self
            if time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        raise AssertionError(f"prometheus not ready within {READY_TIMEOUT}s:\n{self.log()[-3000:]}")

    def _ready(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=2) as r:
                return r.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def query(self, expr):
        """An instant query: [(labels, float value)]."""
        url = (f"http://127.0.0.1:{self.port}/api/v1/query?"
               + urllib.parse.urlencode({"query": expr}))
        with urllib.request.urlopen(url, timeout=10) as r:
            body = json.loads(r.read())
        if body.get("status") != "success":
            raise AssertionError(f"query {expr!r} failed: {body}")
        return [(item["metric"], float(item["value"][1])) for item in body["data"]["result"]]

    def scalar(self, expr):
        """The one value of `expr`, or None when it has none."""
        rows = self.query(expr)
        if len(rows) > 1:
            raise AssertionError(f"query {expr!r} gave {len(rows)} series: {rows}")
        return rows[0][1] if rows else None

    def wait_value(self, expr, predicate, timeout, what):
        """Polls `expr` until predicate(value) (bounded); returns the last value."""
        deadline = time.monotonic() + timeout
        value = None
        for _ in range(int(timeout / 0.2) + 2):
            value = self.scalar(expr)
            if value is not None and predicate(value):
                return value
            if time.monotonic() >= deadline:
                break
            time.sleep(0.2)
        raise AssertionError(f"{what}: {expr} is {value} after {timeout}s")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT)
        if getattr(self, "_log", None):
            self._log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
