"""Helpers for the integration tests of `smtp-harness check`: run
the binary named by $SMTP_HARNESS with a bounded timeout, read its --json
result and its verdicts by check id, check the result against the schema,
and start the servers the tests judge (fake-smtpd, with a profile or not).

Standard library only (the schema check runs tests/schema/validate_result.py
in its own process, which needs python3-jsonschema). Every wait is bounded in
time; every process started here is ended on the way out.
"""

import collections
import json
import os
import re
import shutil
import tempfile
import unittest

from fakesmtpd import FakeSmtpd
from loadharness import HarnessProcess, sanitizer_report, validate

# How long one run of the whole suite may take before the test calls it a
# hang: against fake-smtpd it takes 2-3 s; a sanitizer build is a few times
# slower, and a hostile target makes every check wait for its timeouts.
RUN_TIMEOUT = 120.0

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

VERDICTS = ("PASS", "FAIL", "WARN", "INFO", "SKIP", "ERROR")

# The reasons the runner gives for a check it does not run at all
# (harness/check/runner.cpp, skip_reason): another profile, or no oracle.
PROFILE_MISMATCH = re.compile(r"^applies to [a-z, -]+; the profile is [a-z-]+$")
NO_ORACLE = "needs the delivery oracle (--oracle HOST:PORT, not given)"


class CheckRun(collections.namedtuple("CheckRun",
                                      "code stdout stderr result junit seconds argv max_rss_kb")):
    """A finished `smtp-harness check`: exit code (negative: killed by that
    signal), its output, the parsed --json document (None when no file was
    written), the --junit file's text (None when not asked for or not
    written), wall seconds, the command and the process's peak RSS in KiB
    (wait4's ru_maxrss)."""

    __slots__ = ()

    @property
    def check(self):
        if self.result is None:
            raise AssertionError(f"no --json result from: {' '.join(self.argv)}\n"
                                 f"stderr:\n{self.stderr}")
        return self.result["check"]

    @property
    def results(self):
        """{id: the check's result entry}."""
        return {r["id"]: r for r in self.check["results"]}

    @property
    def verdicts(self):
        """{id: verdict}."""
        return {r["id"]: r["verdict"] for r in self.check["results"]}

    def ids(self, verdict):
        """The ids of the checks that ended with `verdict`."""
        return {r["id"] for r in self.check["results"] if r["verdict"] == verdict}

    def reasons(self, verdict):
        """{id: reason} of the checks that ended with `verdict`."""
        return {r["id"]: r["reason"] for r in self.check["results"] if r["verdict"] == verdict}

    def describe(self):
        return (f"command: {' '.join(self.argv)}\nexit {self.code} after {self.seconds:.2f}s\n"
                f"stdout:\n{self.stdout[-2000:]}\nstderr:\n{self.stderr[-2000:]}")

    def not_passed(self, limit=20):
        """The verdicts other than PASS, with their reasons, one a line (at
        most `limit`): a short account of a run for a failure message."""
        if self.result is None:
            return self.describe()
        lines = [f"{r['verdict']} {r['id']}: {r['reason'][:200]}" for r in self.check["results"]
                 if r["verdict"] != "PASS"]
        more = f"\n... and {len(lines) - limit} more" if len(lines) > limit else ""
        return f"exit {self.code}; not PASS:\n" + "\n".join(lines[:limit]) + more


def run_check(target, *args, json_file=True, junit_file=False, timeout=RUN_TIMEOUT, env=None):
    """Runs `smtp-harness check TARGET ARGS [--json F] [--junit F]` and waits
    at most `timeout` seconds: a run still going then is killed and is a
    failure (a hang). `env` adds to the environment. Returns a CheckRun."""
    process = HarnessProcess("check", [target, *args], env=env)
    try:
        json_path = os.path.join(process.tmp, "result.json")
        junit_path = os.path.join(process.tmp, "result.xml")
        if json_file:
            process.argv += ["--json", json_path]
        if junit_file:
            process.argv += ["--junit", junit_path]
        done = process.start().wait(timeout)
        result = None
        if json_file and os.path.exists(json_path):
            with open(json_path, encoding="utf-8") as f:
                text = f.read()
            try:
                result = json.loads(text)
            except ValueError as e:
                raise AssertionError(f"--json wrote no JSON ({e}): {text[:300]!r}\n"
                                     f"stderr:\n{done.stderr}") from None
        junit = None
        if junit_file and os.path.exists(junit_path):
            with open(junit_path, encoding="utf-8") as f:
                junit = f.read()
        return CheckRun(done.code, done.stdout, done.stderr, result, junit, done.seconds,
                        done.argv, done.max_rss_kb)
    finally:
        process.cleanup()


def plain_target(server):
    return f"{server.host}:{server.smtp_port}"


def implicit_tls_target(server):
    return f"{server.host}:{server.smtps_port}"


def listed_ids(stdout):
    """The check ids of `--list` output: the first word of each line."""
    return [line.split()[0] for line in stdout.splitlines() if line.strip()]


class CheckTestCase(unittest.TestCase):
    """Runs smtp-harness check against servers started per test; each
    server is stopped by a cleanup (fake-smtpd's stop() also asserts its
    clean, sanitizer-free exit), even when the test fails."""

    maxDiff = 6000

    def start_fake(self, *args, profile=None):
        server = FakeSmtpd(*args, profile=profile)
        server.start()
        self.addCleanup(server.stop)
        return server

    def temp_dir(self):
        path = tempfile.mkdtemp(prefix="check-it-")
        self.addCleanup(shutil.rmtree, path, ignore_errors=True)
        return path

    def temp_file(self, text, suffix=".lua"):
        fd, path = tempfile.mkstemp(prefix="check-it-", suffix=suffix)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        self.addCleanup(os.unlink, path)
        return path

    def check(self, target, *args, expect=EXIT_OK, timeout=RUN_TIMEOUT, json_file=True,
              junit_file=False):
        """Runs the check command (bounded), asserts its exit code and that
        stderr has no sanitizer report; returns the CheckRun."""
        run = run_check(target, *args, json_file=json_file, junit_file=junit_file,
                        timeout=timeout)
        self.assertNoCrash(run)
        if expect is not None:
            # not_passed() names every verdict that is not PASS with its
            # reason; stdout's tail may have scrolled past the one that matters.
            verdicts = f"{run.not_passed()}\n" if run.result is not None else ""
            self.assertEqual(run.code, expect, f"{verdicts}{run.describe()}")
        return run

    def assertNoCrash(self, run):
        self.assertGreaterEqual(run.code, 0, f"killed by signal {-run.code}\n{run.describe()}")
        marker = sanitizer_report(run.stderr)
        if marker:
            self.fail(f"smtp-harness stderr has '{marker}':\n{run.describe()}")

    def assertValid(self, document):
        problems = validate(document)
        self.assertEqual(problems, "", "the result does not match the schema")

    def assertCountsMatch(self, run):
        """counts is derived from results (the schema's description)."""
        check = run.check
        expected = {v: 0 for v in VERDICTS}
        for r in check["results"]:
            expected[r["verdict"]] += 1
        self.assertEqual(check["counts"], expected)
