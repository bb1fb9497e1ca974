"""`smtp-harness report` as a user runs it: formats, standard output, and the
refusals (exit 2, naming the file) for what is not a readable result.
Result files come from the reports samples (write_sample_result and
write_sample_check_result, $WRITE_SAMPLE_RESULT, $WRITE_SAMPLE_CHECK_RESULT).
"""

import json
import os
import shutil
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ElementTree

from fakesmtpd import binary_from_env

TIMEOUT = 60


class ReportCommand(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="report-command-")
        cls.load = cls.path("load.json")
        cls.check = cls.path("check.json")
        for variable, args in (
                ("WRITE_SAMPLE_RESULT", [cls.load]),
                ("WRITE_SAMPLE_CHECK_RESULT", [cls.check, cls.path("check.xml")])):
            subprocess.run([binary_from_env(variable, variable.lower())] + args, check=True,
                           timeout=TIMEOUT)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def path(cls, name):
        return os.path.join(cls.tmp, name)

    def report(self, *args):
        return subprocess.run([binary_from_env("SMTP_HARNESS", "smtp-harness"), "report"] +
                              list(args), stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=TIMEOUT)

    def write(self, name, data):
        with open(self.path(name), "wb") as f:
            f.write(data)
        return self.path(name)

    def assertRefused(self, done, *parts):
        self.assertEqual(done.returncode, 2, done.stderr)
        stderr = done.stderr.decode()
        self.assertTrue(stderr.startswith("smtp-harness report: "), stderr)
        self.assertEqual(stderr.count("\n"), 1, "one line")
        for part in parts:
            self.assertIn(part, stderr)

    def test_writes_every_format(self):
        html, md, xml = self.path("r.html"), self.path("r.md"), self.path("r.xml")
        done = self.report(self.check, self.load, "--html", html, "--markdown", md)
        self.assertEqual(done.returncode, 0, done.stderr)
        with open(html, encoding="utf-8") as f:
            page = f.read()
        self.assertTrue(page.startswith("<!DOCTYPE html>"))
        self.assertEqual(page.count("<section class=\"result "), 2)
        with open(md, encoding="utf-8") as f:
            summary = f.read()
        self.assertIn("smtp-harness check 127.0.0.1:2525 (profile mx): FAILED", summary)
        self.assertIn("smtp-harness load 127.0.0.1:2525: FAILED", summary)
        for result, testcases in ((self.load, 5), (self.check, 6)):
            done = self.report(result, "--junit", xml)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(len(ElementTree.parse(xml).getroot().findall(".//testcase")),
                             testcases)

    def test_dash_is_standard_output(self):
        done = self.report(self.load, "--markdown", "-")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn(b"| phase | count | p50 | p90 | p99 |", done.stdout)
        self.assertRefused(self.report(self.load, "--markdown", "-", "--html", "-"),
                           "only one output can be '-'")

    def test_help(self):
        done = self.report("--help")
        self.assertEqual(done.returncode, 0)
        for flag in (b"--html", b"--markdown", b"--junit", b"GITHUB_STEP_SUMMARY"):
            self.assertIn(flag, done.stdout)

    def test_refuses_bad_usage(self):
        self.assertRefused(self.report(self.load), "give --html, --markdown or --junit")
        self.assertRefused(self.report(self.load, self.check, "--junit", self.path("x.xml")),
                           "--junit renders one result file (got 2)")
        self.assertEqual(self.report("--html", self.path("x.html")).returncode, 2)

    def test_refuses_files_that_are_not_readable_results(self):
        html = self.path("never.html")
        cases = {
            "missing.json": (None, "cannot read: No such file or directory"),
            "truncated.json": (b"{\"schema\": ", "not JSON: parse error at line 1"),
            "bytes.json": (b"{\"schema\": \"\xff\"}", "not JSON: "),
            "other.json": (b"{\"name\": \"x\"}", "not an smtp-harness result file"),
        }
        with open(self.load, encoding="utf-8") as f:
            newer = json.load(f)
        newer["schema_version"] = 3
        cases["newer.json"] = (json.dumps(newer).encode(),
                               "schema_version: 3 is not supported (this build reads 1 and 2)")
        for name, (data, message) in cases.items():
            with self.subTest(name):
                path = self.write(name, data) if data is not None else self.path(name)
                done = self.report(self.load, path, "--html", html)
                self.assertRefused(done, f"{path}: {message}")
                self.assertFalse(os.path.exists(html), "nothing written")

    def test_unwritable_output_exits_1(self):
        done = self.report(self.load, "--html", self.path("no/such/dir/r.html"))
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertIn(b"cannot write", done.stderr)


if __name__ == "__main__":
    unittest.main()
