"""smtp-harness compare on real load results: two short runs
against fake-smtpd, one plain and one whose end of data is delayed by a
rule, and a copy of the plain result whose transaction latencies are doubled
by editing the histograms (deterministic, and still a valid result).

Identical inputs pass (exit 0); an injected p99 regression and a slower
server fail (exit 1) and the output names the metric; bad thresholds and
files that are not comparable load results are usage errors (exit 2).
"""

import copy
import html.parser
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from fakesmtpd import FakeSmtpd
from loadharness import EXIT_FAILED, EXIT_OK, EXIT_USAGE, LoadProcess, binary, validate
from loadresult import merge_histograms, summary_of

COMPARE_TIMEOUT = 60.0
# A delay far above a loopback transaction's own time (about a millisecond),
# so that the slower run's p99 is higher whatever the machine's load.
SLOW_END_OF_DATA = """
rule { name = "slow-end-of-data", on = ".", delay = "200ms" }
"""


def doubled(histogram):
    """The histogram of every value times two: bucket i >= 1 covers
    [2^e + s*w, 2^e + (s+1)*w) with e from (i - 1) // 2^bits, so i + 2^bits is
    the same slice one power of two higher, twice as wide (the schema's
    bucket layout)."""
    bits = histogram["layout"]["sub_bucket_bits"]
    if any(index == 0 for index, _ in histogram["buckets"]):
        raise AssertionError("a transaction in the underflow bucket cannot be doubled exactly")
    total = ((histogram["sum_ns"]["high"] << 64) + histogram["sum_ns"]["low"]) * 2
    result = dict(histogram)
    result["buckets"] = [[index + (1 << bits), count] for index, count in histogram["buckets"]]
    result["min_ns"] = histogram["min_ns"] * 2
    result["max_ns"] = histogram["max_ns"] * 2
    result["sum_ns"] = {"high": total >> 64, "low": total & ((1 << 64) - 1)}
    return result


def with_slower_transactions(document):
    """A copy of a load result with every transaction latency doubled: the
    histograms of the run and of each worker, the summaries beside them and
    the "phases" entry, so that the reader's checks still hold."""
    document = copy.deepcopy(document)
    load = document["load"]
    for entries in [load["latency"]] + [w["latency"] for w in load["workers"]]:
        for entry in entries:
            if entry["phase"] == "transaction":
                entry["histogram"] = doubled(entry["histogram"])
                entry.update(summary_of(entry["histogram"]))
    merged = merge_histograms([e["histogram"] for e in load["latency"]
                               if e["phase"] == "transaction"])
    for entry in load["phases"]:
        if entry["phase"] == "transaction":
            entry.update(summary_of(merged))
    return document


class PageShape(html.parser.HTMLParser):
    """Elements closed in order, and nothing that runs or loads: no script,
    no event handler, no src or href."""

    VOID = {"meta", "br", "hr", "img", "link", "input", "col", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.problems = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "img", "link"):
            self.problems.append(f"<{tag}>")
        for name, _ in attrs:
            if name.startswith("on") or name in ("src", "href"):
                self.problems.append(f"<{tag} {name}=>")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(f"</{tag}> out of order")

    def handle_data(self, data):
        self.text.append(data)


def page_problems(page):
    """What is wrong with the page's shape, and its text."""
    parser = PageShape()
    parser.feed(page)
    parser.close()
    problems = parser.problems + [f"<{tag}> not closed" for tag in parser.stack]
    return problems, "".join(parser.text)


class Compare(unittest.TestCase):
    """The load runs happen once for the class: a plain fake-smtpd and one
    with a slow end of data, 2 connections each."""

    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="compare-it-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        profile = cls.path("slow.lua")
        with open(profile, "w", encoding="utf-8") as f:
            f.write(SLOW_END_OF_DATA)
        cls.fast = cls.load_run(FakeSmtpd("--store", "none"), "fast.json", 200)
        cls.slow = cls.load_run(FakeSmtpd("--store", "none", profile=profile), "slow.json", 20)
        with open(cls.fast, encoding="utf-8") as f:
            cls.fast_document = json.load(f)

    @classmethod
    def path(cls, name):
        return os.path.join(cls.tmp, name)

    @classmethod
    def load_run(cls, server, name, messages):
        """Runs load against `server` (stopped afterwards) and returns the
        path of its --json result."""
        server.start()
        try:
            process = LoadProcess(["--target", f"{server.host}:{server.smtp_port}",
                                   "--connections", 2, "--threads", 1, "--messages", messages,
                                   "-q"])
            try:
                run = process.start().finish()
                if run.code != EXIT_OK or run.result is None:
                    raise AssertionError(f"load exited {run.code}:\n{run.stdout}\n{run.stderr}")
                destination = cls.path(name)
                shutil.copyfile(process.json_path, destination)
            finally:
                process.cleanup()
        finally:
            server.stop()
        return destination

    def write_json(self, name, document):
        path = self.path(name)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(document, f)
        return path

    def compare(self, *args, expect):
        done = subprocess.run([binary(), "compare", *[str(a) for a in args]], capture_output=True,
                              text=True, timeout=COMPARE_TIMEOUT, stdin=subprocess.DEVNULL)
        self.assertEqual(done.returncode, expect,
                         f"compare {' '.join(map(str, args))}\nstdout:\n{done.stdout}\n"
                         f"stderr:\n{done.stderr}")
        for marker in ("AddressSanitizer", "LeakSanitizer", "runtime error"):
            self.assertNotIn(marker, done.stderr)
        return done

    def summary(self, done):
        return done.stdout.rstrip("\n").splitlines()[-1]

    def test_identical_inputs_pass(self):
        outputs = {kind: self.path(f"same.{kind}") for kind in ("json", "md", "html")}
        done = self.compare(self.fast, self.fast, "--threshold", "p99:+10%", "--threshold",
                            "throughput:-5%", "--threshold", "errors:+0pp", "--threshold",
                            "p50:end_of_data:+0ms", "--json", outputs["json"], "--markdown",
                            outputs["md"], "--html", outputs["html"], expect=EXIT_OK)
        self.assertEqual(self.summary(done), "no regression: 4 thresholds passed")
        self.assertEqual(done.stderr, "")
        with open(outputs["json"], encoding="utf-8") as f:
            result = json.load(f)
        self.assertEqual(result["verdict"], "no regression")
        self.assertEqual([t["verdict"] for t in result["thresholds"]], ["ok"] * 4)
        self.assertTrue(all(row["change"] in (0, None) for row in result["rows"]), result["rows"])
        with open(outputs["md"], encoding="utf-8") as f:
            self.assertIn("## ✅ compare: no regression", f.read())
        with open(outputs["html"], encoding="utf-8") as f:
            page = f.read()
        self.assertTrue(page.startswith("<!DOCTYPE html>"))
        problems, _ = page_problems(page)
        self.assertEqual(problems, [])

    def test_html_shows_hostile_file_names_as_text(self):
        # No "/" in a file name, so no "</script>"; an opening tag is enough.
        hostile = self.path("<script>alert('x\"')&.json")
        shutil.copyfile(self.fast, hostile)
        page_path = self.path("hostile.html")
        self.compare(hostile, self.fast, "--threshold", "p99:+10%", "--html", page_path,
                     expect=EXIT_OK)
        with open(page_path, encoding="utf-8") as f:
            page = f.read()
        problems, text = page_problems(page)
        self.assertEqual(problems, [])
        self.assertIn("<script>alert('x\"')&.json", text)

    def test_without_thresholds_nothing_is_judged(self):
        done = self.compare(self.fast, self.slow, expect=EXIT_OK)
        self.assertTrue(self.summary(done).startswith("no thresholds given"), done.stdout)

    def test_injected_p99_regression_fails(self):
        slower = with_slower_transactions(self.fast_document)
        self.assertEqual(validate(slower), "", "the edited result must stay valid")
        new = self.write_json("doubled.json", slower)
        report = self.path("doubled.json.out")
        done = self.compare(self.fast, new, "--threshold", "p99:+10%", "--threshold",
                            "throughput:-5%", "--json", report, expect=EXIT_FAILED)
        summary = self.summary(done)
        # Doubled values: +100% within the histogram's 0.4% error (two
        # bucket midpoints, each at most that far from the value).
        self.assertRegex(summary, r"^REGRESSION: p99 \+(99\.\d|100(\.\d)?)% \(limit \+10%\)$")
        table = {line.split()[0]: line for line in done.stdout.splitlines() if line.strip()}
        self.assertIn("REGRESSION", table["p99"])
        self.assertTrue(table["throughput"].endswith("ok"), table["throughput"])
        with open(report, encoding="utf-8") as f:
            result = json.load(f)
        self.assertEqual(result["verdict"], "regression")
        self.assertEqual([(t["threshold"], t["verdict"]) for t in result["thresholds"]],
                         [("p99:+10%", "regression"), ("throughput:-5%", "ok")])
        row = next(r for r in result["rows"]
                   if r["metric"] == "p99" and r["phase"] == "transaction")
        self.assertAlmostEqual(row["new"] / row["base"], 2, delta=0.02)

    def test_slower_server_is_a_regression(self):
        html = self.path("slow.html")
        done = self.compare(self.fast, self.slow, "--threshold", "p99:+10%", "--html", html,
                            expect=EXIT_FAILED)
        self.assertTrue(self.summary(done).startswith("REGRESSION: p99 +"), done.stdout)
        with open(html, encoding="utf-8") as f:
            self.assertIn('<p class="summary regression">REGRESSION: p99 +', f.read())
        # 2 connections each waiting 200 ms per message deliver far fewer.
        done = self.compare(self.fast, self.slow, "--threshold", "throughput:-5%",
                            expect=EXIT_FAILED)
        self.assertTrue(self.summary(done).startswith("REGRESSION: throughput -"), done.stdout)
        # The other way round it is an improvement.
        done = self.compare(self.slow, self.fast, "--threshold", "p99:+10%", "--threshold",
                            "throughput:-5%", expect=EXIT_OK)
        self.assertEqual(self.summary(done), "no regression: 2 thresholds passed")

    def test_bad_threshold_is_a_usage_error(self):
        for threshold, reason in (("throughput:+5%", "gets worse when it falls"),
                                  ("p99:+10", "bad limit"),
                                  ("p99:foo:+10%", "unknown phase 'foo'"),
                                  ("latency:+10%", "unknown metric 'latency'"),
                                  ("errors:+1%", "is a share"),
                                  ("p99<250ms", "is a load threshold")):
            with self.subTest(threshold=threshold):
                done = self.compare(self.fast, self.fast, "--threshold", threshold,
                                    expect=EXIT_USAGE)
                self.assertEqual(done.stdout, "")
                self.assertIn(reason, done.stderr)
                self.assertEqual(len(done.stderr.splitlines()), 1, done.stderr)

    def test_files_that_cannot_be_compared_are_usage_errors(self):
        missing = self.path("missing.json")
        not_json = self.path("not.json")
        with open(not_json, "w", encoding="utf-8") as f:
            f.write("{ not json")
        newer = copy.deepcopy(self.fast_document)
        newer["schema_version"] = 3
        newer_path = self.write_json("newer.json", newer)
        broken = copy.deepcopy(self.fast_document)
        del broken["load"]["counters"]["delivered"]
        broken_path = self.write_json("broken.json", broken)
        for base, new, reason in (
                (missing, self.fast, f"{missing}: cannot read"),
                (self.fast, missing, f"{missing}: cannot read"),
                (self.fast, not_json, f"{not_json}: not JSON"),
                (newer_path, self.fast, f"{newer_path}: schema_version: 3 is not supported"),
                (self.fast, broken_path, f"{broken_path}: "),
                (self.fast, self.check_result(), "a check result; compare reads load results")):
            with self.subTest(base=base, new=new):
                done = self.compare(base, new, "--threshold", "p99:+10%", expect=EXIT_USAGE)
                self.assertIn(reason, done.stderr)
                self.assertEqual(done.stdout, "")

    def check_result(self):
        """A valid result of kind check: one check against a fake-smtpd."""
        server = FakeSmtpd("--store", "none")
        server.start()
        self.addCleanup(server.stop)
        path = self.path("check.json")
        done = subprocess.run([binary(), "check", f"{server.host}:{server.smtp_port}", "--only",
                               "G1", "--json", path, "-q"], capture_output=True, text=True,
                              timeout=COMPARE_TIMEOUT, stdin=subprocess.DEVNULL)
        self.assertIn(done.returncode, (EXIT_OK, EXIT_FAILED), done.stderr)
        with open(path, encoding="utf-8") as f:
            self.assertEqual(json.load(f)["kind"], "check")
        return path


if __name__ == "__main__":
    unittest.main()
