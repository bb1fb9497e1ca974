"""What smtp-harness load counts, against fake-smtpd rules whose own
counters (GET /api/rules) say exactly how often they fired: 4xx and 5xx
replies by phase and code, reconnection after 421, and the run's metrics as
the exact merge of the worker threads' (histograms bucket by bucket).
"""

import unittest

from loadharness import LoadTestCase, fake_scenario
from loadresult import add_counts, cell, merge_histograms, phase_total, reply_count

REFUSALS = """
rule { name = "defer-rcpt", on = "RCPT", select = { every = 3 }, reply = "451 4.3.0 Try later" }
rule { name = "reject-dot", on = ".", select = { every = 5 }, reply = "554 5.6.0 Rejected" }
"""

# A reply hook that counts every reply by phase and code, in each worker.
COUNT_REPLIES = """
return {
  reply = function(ctx, phase, reply) ctx:count(phase .. " " .. reply.code) end,
}
"""


def target(server):
    return f"{server.host}:{server.smtp_port}"


class Refusals(LoadTestCase):
    def test_4xx_and_5xx_by_phase_and_code(self):
        # --max-errors 0: fake-smtpd would otherwise close a session after 20
        # refusals with 421 (its "too many errors"), another kind of failure.
        server = self.start_fake("--max-errors", 0, profile=self.temp_file(REFUSALS))
        run = self.load("--target", target(server), "--connections", 4, "--messages", 300,
                        "--threads", 2, "-q")
        self.assertValid(run.result)
        load = run.result["load"]
        c = load["counters"]
        deferred = server.rule("defer-rcpt")["fired"]
        rejected = server.rule("reject-dot")["fired"]
        self.assertEqual(deferred, 100)  # every third of 300 RCPTs
        self.assertEqual(rejected, 40)  # every fifth of the 200 messages left

        self.assertEqual(reply_count(load, "rcpt", 451, "4.3.0"), deferred)
        self.assertEqual(reply_count(load, "end_of_data", 554, "5.6.0"), rejected)
        self.assertEqual(cell(load, "rcpt", "4xx")["count"], deferred)
        self.assertEqual(cell(load, "end_of_data", "5xx")["count"], rejected)
        # One recipient a message: a deferred RCPT decides its transaction.
        self.assertEqual(c["refused_4xx"], deferred)
        self.assertEqual(c["refused_5xx"], rejected)
        self.assertEqual(cell(load, "transaction", "4xx")["count"], deferred)
        self.assertEqual(cell(load, "transaction", "5xx")["count"], rejected)
        # Each error is counted once, where it happened: the DATA that the
        # batch sent after a refused RCPT gets fake-smtpd's 554 5.5.1 (no
        # valid recipients), which is not a second error.
        self.assertEqual(reply_count(load, "data", 554, "5.5.1"), deferred)
        self.assertEqual(load["errors"]["4xx"], deferred)
        self.assertEqual(load["errors"]["5xx"], rejected)
        self.assertEqual(sum(load["errors"].values()), deferred + rejected, load["errors"])
        # RSET only after a transaction that failed before its end of data
        # (after the final reply the transaction is over, RFC 5321 §4.1.1.4).
        self.assertEqual(phase_total(load, "rset"), deferred)

        stats = server.stats()
        self.assertEqual(c["delivered"], stats["messages_accepted"])
        self.assertEqual(stats["messages_refused"], rejected)
        self.assertEqual(c["delivered"] + c["refused_4xx"] + c["refused_5xx"],
                         c["transactions_started"])
        self.assertEqual(c["transactions_started"], 300)
        self.assertEqual((c["recipients_accepted"], c["recipients_refused"]),
                         (300 - deferred, deferred))
        self.assertSeriesAddUp(load)

    def test_mailbox_full_profile(self):
        """scenarios/fake/mailbox-full.lua: full*@ gets 452 4.2.2 at RCPT,
        quota*@ 552 5.2.2 at the end of data. A scenario picks the recipients."""
        server = self.start_fake("--max-errors", 0, profile=fake_scenario("mailbox-full"))
        scenario = self.temp_file("""
return {
  message = function(ctx)
    local kind = ctx.seq % 4
    if kind == 0 then return { "full" .. ctx.seq .. "@example.test", "ok@example.test" } end
    if kind == 1 then return { "quota" .. ctx.seq .. "@example.test" } end
    if kind == 2 then return { "full" .. ctx.seq .. "@example.test" } end
    return nil
  end,
}
""")
        # One thread: ctx.seq is then 0, 1, 2, ... (with more, each worker
        # takes every n-th number, so the kinds would not split evenly).
        run = self.load(scenario, "--target", target(server), "--connections", 4,
                        "--messages", 200, "--threads", 1, "-q")
        load = run.result["load"]
        c = load["counters"]
        # 50 of each kind: partly full (delivered to the other), over quota,
        # only full, plain.
        self.assertEqual(reply_count(load, "rcpt", 452, "4.2.2"), 100)
        self.assertEqual(server.rule("mailbox-full")["fired"], 100)
        self.assertEqual(reply_count(load, "end_of_data", 552, "5.2.2"), 50)
        self.assertEqual(server.rule("over-quota")["fired"], 50)
        self.assertEqual((c["delivered"], c["refused_4xx"], c["refused_5xx"], c["failed"]),
                         (100, 50, 50, 0), c)
        self.assertEqual((load["errors"]["4xx"], load["errors"]["5xx"]), (50, 50))
        self.assertEqual((c["recipients_accepted"], c["recipients_refused"]), (150, 100))
        self.assertEqual(server.stats()["messages_accepted"], 100)


class Reconnection(LoadTestCase):
    def test_421_closes_and_the_session_reconnects(self):
        profile = self.temp_file(
            'rule { name = "drop", on = "MAIL", select = { every = 10 }, '
            'reply = "421 4.3.2 Closing" }\n')
        server = self.start_fake("--max-errors", 0, profile=profile)
        run = self.load("--target", target(server), "--connections", 4, "--messages", 300,
                        "--threads", 2, "-q")
        load = run.result["load"]
        c = load["counters"]
        dropped = server.rule("drop")["fired"]
        self.assertEqual(dropped, 30)
        self.assertEqual(reply_count(load, "mail", 421, "4.3.2"), dropped)
        self.assertEqual(load["errors"]["closed"], dropped)
        self.assertEqual(c["failed"], dropped)
        # A 421 near the end may leave nothing more to send on that session.
        self.assertGreater(c["reconnects"], 0)
        self.assertLessEqual(c["reconnects"], dropped)
        self.assertEqual(c["connections_opened"], 4 + c["reconnects"])
        # Delivery went on after the drops.
        self.assertEqual(c["delivered"], 300 - dropped)
        self.assertGreater(c["delivered"], dropped)
        self.assertEqual(server.stats()["messages_accepted"], c["delivered"])
        self.assertEqual(c["delivered"] + c["failed"], c["transactions_started"])


class WorkersMerge(LoadTestCase):
    """load.latency, counters, errors, replies and custom are the exact merge
    of load.workers[*]: checked here with the schema's merge rules, written
    again in Python (loadharness.merge_histograms)."""

    def test_merged_metrics_are_the_sum_of_the_workers(self):
        server = self.start_fake(profile=self.temp_file(REFUSALS))
        run = self.load(self.temp_file(COUNT_REPLIES), "--target", target(server),
                        "--connections", 4, "--messages", 400, "--threads", 2, "-q")
        load = run.result["load"]
        workers = load["workers"]
        self.assertEqual(sorted(w["index"] for w in workers), [0, 1])
        for w in workers:
            self.assertGreater(w["counters"]["transactions_started"], 0, "an idle worker")

        keys = {(e["phase"], e["class"]) for e in load["latency"]}
        for w in workers:
            keys |= {(e["phase"], e["class"]) for e in w["latency"]}
        self.assertIn(("rcpt", "4xx"), keys)
        self.assertIn(("end_of_data", "5xx"), keys)
        for phase, cls in sorted(keys):
            merged = cell(load, phase, cls)
            self.assertIsNotNone(merged, f"{phase} {cls} is in a worker, not in the run")
            parts = [cell(w, phase, cls)["histogram"] for w in workers if cell(w, phase, cls)]
            self.assertEqual(merged["histogram"], merge_histograms(parts), f"{phase} {cls}")
            self.assertSummaries(merged, f"{phase} {cls}")
            for w in workers:
                if cell(w, phase, cls):
                    self.assertSummaries(cell(w, phase, cls), f"worker {w['index']} {phase} {cls}")

        # load.phases: each phase's classes merged.
        for entry in load["phases"]:
            parts = [e["histogram"] for e in load["latency"] if e["phase"] == entry["phase"]]
            self.assertSummaries(dict(entry, histogram=merge_histograms(parts)), entry["phase"])
        self.assertEqual([e["phase"] for e in load["phases"]],
                         list(dict.fromkeys(e["phase"] for e in load["latency"])))

        for part in ("counters", "errors", "custom"):
            self.assertEqual(add_counts(w[part] for w in workers), load[part], part)

        def matrix(entries):
            return {(r["phase"], r["code"], r.get("enhanced")): r["count"] for r in entries}

        self.assertEqual(add_counts(matrix(w["replies"]) for w in workers), matrix(load["replies"]))
        # The reply hook saw every reply of both workers.
        by_phase_code = add_counts({f"{p} {code}": n} for (p, code, _), n
                                   in matrix(load["replies"]).items())
        self.assertEqual(load["custom"], by_phase_code)
        self.assertEqual(server.stats()["messages_accepted"], load["counters"]["delivered"])


if __name__ == "__main__":
    unittest.main()
