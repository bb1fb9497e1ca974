"""smtp-harness load --shard I/N and smtp-harness merge: shards
run as separate processes against one fake-smtpd, and their merged result
has counts that equal the sums and percentiles that are those of one
histogram of every sample (the schema's merge, recomputed here
independently of the C++ code)."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

from loadharness import EXIT_OK, LoadTestCase, binary
from loadresult import merge_histograms, summary_of

EXIT_USAGE = 2
MERGE_TIMEOUT = 60


class Shards(LoadTestCase):
    def run_shards(self, server, count, *args):
        """`count` shard processes at once; their LoadRuns, in shard order."""
        target = f"{server.host}:{server.smtp_port}"
        processes = [self.start_load("--target", target, "--shard", f"{i}/{count}", "-q", *args)
                     for i in range(1, count + 1)]
        runs = [p.finish() for p in processes]
        for run in runs:
            self.assertNoSanitizerReport(run)
            self.assertEqual(run.code, EXIT_OK, self.describe(run))
        return runs

    def merge(self, *documents, expect=EXIT_OK):
        """`smtp-harness merge` of the documents (written to files);
        returns (exit code, output, merged document or None)."""
        tmp = tempfile.mkdtemp(prefix="merge-it-")
        self.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
        paths = []
        for i, document in enumerate(documents):
            path = os.path.join(tmp, f"in{i}.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(document, f)
            paths.append(path)
        out = os.path.join(tmp, "merged.json")
        done = subprocess.run([binary(), "merge", *paths, "-o", out], capture_output=True,
                              text=True, timeout=MERGE_TIMEOUT, stdin=subprocess.DEVNULL)
        self.assertEqual(done.returncode, expect, done.stdout + done.stderr)
        merged = None
        if os.path.exists(out):
            with open(out, encoding="utf-8") as f:
                merged = json.load(f)
        return done, merged

    def assertMergedExactly(self, loads, merged):
        """Counts are the sums; every latency cell is the schema's merge of
        the shards' cells, with the summaries that merged histogram implies."""
        for counter, value in merged["counters"].items():
            self.assertEqual(value, sum(load["counters"][counter] for load in loads), counter)
        for kind, value in merged["errors"].items():
            self.assertEqual(value, sum(load["errors"].get(kind, 0) for load in loads), kind)
        cells = {(c["phase"], c["class"]) for load in loads for c in load["latency"]}
        self.assertEqual({(c["phase"], c["class"]) for c in merged["latency"]}, cells)
        for entry in merged["latency"]:
            key = (entry["phase"], entry["class"])
            parts = [c["histogram"] for load in loads for c in load["latency"]
                     if (c["phase"], c["class"]) == key]
            expected = merge_histograms(parts)
            self.assertEqual(entry["histogram"], expected, f"{key}: the merged histogram")
            summary = summary_of(expected)
            self.assertAlmostEqual(entry["mean_ns"], summary.pop("mean_ns"), delta=1.0)
            self.assertEqual({k: entry[k] for k in summary}, summary, f"{key}: percentiles")

    def test_open_model_shards_merge_into_the_whole_run(self):
        server = self.start_fake()
        runs = self.run_shards(server, 2, "--rate", "200", "--duration", "3s", "--connections",
                               "8", "--threshold", "p99<5s")
        loads = [run.result["load"] for run in runs]
        for i, load in enumerate(loads, 1):
            self.assertEqual(load["settings"]["shard"], {"index": i, "count": 2})
            self.assertEqual(load["settings"]["connections"], 4)
            self.assertValid(runs[i - 1].result)
        # Each shard took half the rate: about 300 of the 600 starts.
        for load in loads:
            self.assertGreater(load["counters"]["transactions_started"], 200)
            self.assertLess(load["counters"]["transactions_started"], 400)

        done, merged = self.merge(*(run.result for run in runs))
        self.assertValid(merged)
        whole = merged["load"]
        self.assertNotIn("shard", whole["settings"])
        self.assertEqual(whole["settings"]["merged_runs"], 2)
        self.assertEqual(whole["settings"]["connections"], 8)
        self.assertMergedExactly(loads, whole)
        self.assertAlmostEqual(whole["achieved_rate"],
                               sum(load["achieved_rate"] for load in loads), places=6)
        self.assertSeriesAddUp(whole)
        self.assertEqual([t["text"] for t in whole["thresholds"]], ["p99<5s"])
        self.assertTrue(whole["thresholds"][0]["passed"])
        self.assertIn("merged from 2 runs", done.stdout)
        # What the server saw is what the merged result says was delivered.
        self.wait_accepted(server, whole["counters"]["delivered"])

    def test_a_message_limit_is_shared_exactly(self):
        server = self.start_fake()
        runs = self.run_shards(server, 3, "--messages", "301", "--connections", "6")
        started = [run.result["load"]["counters"]["transactions_started"] for run in runs]
        self.assertEqual(started, [101, 100, 100])
        _, merged = self.merge(*(run.result for run in runs))
        self.assertEqual(merged["load"]["counters"]["delivered"], 301)
        self.assertEqual(merged["load"]["settings"]["messages"], 301)
        self.assertMergedExactly([run.result["load"] for run in runs], merged["load"])

    def test_merge_refuses_what_is_not_one_load(self):
        server = self.start_fake()
        runs = self.run_shards(server, 2, "--messages", "20", "--connections", "2")
        first, second = runs[0].result, runs[1].result
        done, _ = self.merge(first, first, expect=EXIT_USAGE)
        self.assertIn("are both shard 1/2", done.stderr)
        other = json.loads(json.dumps(second))
        other["load"]["settings"]["size"] += 1
        done, _ = self.merge(first, other, expect=EXIT_USAGE)
        self.assertIn("settings.size differs", done.stderr)
        check = {"schema": first["schema"], "schema_version": first["schema_version"],
                 "kind": "check"}
        done, _ = self.merge(first, check, expect=EXIT_USAGE)
        self.assertIn("in1.json", done.stderr)

    def test_bad_shard_is_a_usage_error(self):
        server = self.start_fake()
        target = f"{server.host}:{server.smtp_port}"
        for shard, message in (("3/2", "--shard: expected I/N"),
                               ("1/4", "2 connections cannot be shared among 4 shards")):
            run = self.load("--target", target, "--connections", "2", "--messages", "10",
                            "--shard", shard, expect=EXIT_USAGE, json_file=False)
            self.assertIn(message, run.stderr)


if __name__ == "__main__":
    unittest.main()
