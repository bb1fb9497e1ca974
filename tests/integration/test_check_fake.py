"""smtp-harness check against the default fake-smtpd:
the whole suite exits 0 with every MUST check passing (SKIP only where the
check cannot apply: another profile, or no delivery oracle); the --json
result follows the schema and the --junit XML parses; --only, --skip and
--list select and name the right checks; the implicit-tls and submission
profiles pass against fake-smtpd's implicit-TLS listener and with AUTH.

The elapsed time of the full run is printed, not asserted (ARCHITECTURE.md
§4: no timing assertions in tests).
"""

import base64
import json
import unittest
import xml.etree.ElementTree as ET

from checkharness import (EXIT_FAILED, EXIT_OK, EXIT_USAGE, NO_ORACLE, PROFILE_MISMATCH,
                          CheckTestCase, implicit_tls_target, listed_ids, plain_target,
                          run_check)
from fakesmtpd import FakeSmtpd

USER, PASSWORD = "alice", "s3cret-alice"


# C11 judges RFC 5321 §2.4's SHOULD, which covers only "the absence of a
# server-offered extension": fake-smtpd offers SMTPUTF8 (docs/CONFORMANCE.md).
C11_NOT_APPLICABLE = ("SMTPUTF8 is advertised: RFC 5321 §2.4's SHOULD covers only the absence "
                      "of a server-offered extension (X3 records non-ASCII addresses without the "
                      "parameter)")


def runner_skip(reason):
    """Why a check may be SKIP against a server that implements everything:
    the runner's two reasons (another profile; no oracle configured), and
    C11 where SMTPUTF8 is offered."""
    return (reason in (NO_ORACLE, C11_NOT_APPLICABLE)
            or PROFILE_MISMATCH.match(reason) is not None)


def list_entries(stdout):
    """--list lines as {id: (level, area, line)}."""
    entries = {}
    for line in stdout.splitlines():
        if line.strip():
            fields = line.split()
            entries[fields[0]] = (fields[1], fields[2], line)
    return entries


class FullSuite(CheckTestCase):
    """One run of the whole suite, with --json and --junit, shared by the
    tests of this class."""

    @classmethod
    def setUpClass(cls):
        cls.server = FakeSmtpd()
        cls.server.start()
        cls.addClassCleanup(cls.server.stop)
        cls.run_ = run_check(plain_target(cls.server), junit_file=True)
        # Recorded, not asserted (ARCHITECTURE.md §4).
        elapsed = (cls.run_.result or {}).get("check", {}).get("elapsed_seconds", -1)
        print(f"\nsmtp-harness check, whole suite against fake-smtpd: {elapsed:.2f} s "
              f"(elapsed_seconds), {cls.run_.seconds:.2f} s wall with start-up", flush=True)

    def setUp(self):
        self.assertNoCrash(self.run_)

    def test_exits_0_with_no_fail_and_no_error(self):
        run = self.run_
        self.assertEqual(run.code, EXIT_OK, run.describe())
        self.assertEqual(run.reasons("FAIL"), {})
        self.assertEqual(run.reasons("ERROR"), {})
        self.assertIn("0 FAIL", run.stdout)
        self.assertIn("0 ERROR", run.stdout)

    def test_every_must_check_passes_or_cannot_apply(self):
        run = self.run_
        musts = [r for r in run.check["results"] if r["level"] == "MUST"]
        self.assertGreater(len(musts), 40)
        not_passed = {r["id"]: (r["verdict"], r["reason"]) for r in musts
                      if r["verdict"] != "PASS"}
        self.assertEqual({i: v for i, v in not_passed.items() if v[0] != "SKIP"}, {})
        # What is SKIP: the oracle checks. (T6, INFO, is SKIP under mx too.)
        self.assertEqual({i for i, (_, reason) in not_passed.items() if reason == NO_ORACLE},
                         {"L4.delivered", "D2", "D6", "D7", "K2.delivered"})
        self.assertEqual(run.results["T6"]["reason"], "applies to implicit-tls; the profile is mx")

    def test_skips_only_for_another_profile_or_no_oracle(self):
        skips = self.run_.reasons("SKIP")
        self.assertTrue(skips)
        self.assertEqual({i: r for i, r in skips.items() if not runner_skip(r)}, {})
        self.assertEqual(skips.get("C11"), C11_NOT_APPLICABLE)

    def test_c11_is_judged_without_smtputf8(self):
        """Without SMTPUTF8 on offer, C11's SHOULD applies, and fake-smtpd
        refuses the non-ASCII envelope."""
        server = self.start_fake("--disable", "SMTPUTF8")
        run = self.check(plain_target(server), "--only", "C11")
        self.assertEqual(run.verdicts, {"C11": "PASS"}, run.describe())

    def test_json_follows_the_schema(self):
        run = self.run_
        self.assertEqual((run.result["schema"], run.result["schema_version"], run.result["kind"]),
                         ("smtp-harness/result", 2, "check"))
        self.assertValid(run.result)
        self.assertCountsMatch(run)
        check = run.check
        self.assertEqual(check["target"], plain_target(self.server))
        self.assertEqual(check["profile"], "mx")
        ids = [r["id"] for r in check["results"]]
        self.assertEqual(len(ids), len(set(ids)), "ids are unique")
        for r in check["results"]:
            self.assertTrue(r["transcript"] or r["verdict"] == "SKIP", f"{r['id']}: no evidence")

    def test_the_probe_names_fake_smtpd_and_there_is_no_hint(self):
        run = self.run_
        self.assertEqual(run.check["server"], {
            "software": "fake-smtpd",
            "version": "unknown",
            "banner": "220 fake-smtpd.test ESMTP fake-smtpd ready",
            "ehlo": "250-fake-smtpd.test Hello client.example",
        })
        self.assertIn("server: fake-smtpd (version unknown); greeting: 220 fake-smtpd.test "
                      "ESMTP fake-smtpd ready\n", run.stdout)
        # Nothing fails, and the hint table has nothing for fake-smtpd.
        self.assertEqual([r["id"] for r in run.check["results"] if "hint" in r], [])
        self.assertNotIn("hint:", run.stdout)

    def test_every_check_of_the_list_but_the_slow_one_ran(self):
        listing = run_check("127.0.0.1:9", "--list", json_file=False, timeout=30)
        self.assertEqual(listing.code, EXIT_OK, listing.describe())
        entries = list_entries(listing.stdout)
        slow = {i for i, (_, _, line) in entries.items() if line.endswith("[slow]")}
        self.assertEqual(slow, {"L7"})
        self.assertEqual([r["id"] for r in self.run_.check["results"]],
                         [i for i in listed_ids(listing.stdout) if i not in slow],
                         "the suite's checks, in suite order")

    def test_junit_parses_and_counts_the_checks(self):
        run = self.run_
        self.assertIsNotNone(run.junit, "no --junit file")
        root = ET.fromstring(run.junit)
        cases = root.findall(".//testcase")
        self.assertEqual(len(cases), len(run.check["results"]))
        self.assertEqual(root.get("tests"), str(len(cases)))
        self.assertEqual((root.get("failures"), root.get("errors")), ("0", "0"))
        self.assertEqual(root.findall(".//testcase/failure") + root.findall(".//testcase/error"),
                         [])
        self.assertEqual(len(root.findall(".//testcase/skipped")), len(run.ids("SKIP")))
        for suite in root.iter("testsuite"):
            self.assertEqual((suite.get("failures"), suite.get("errors")), ("0", "0"))
        # Each test case is named by its check's id first.
        self.assertEqual(sorted(c.get("name").split()[0] for c in cases),
                         sorted(run.verdicts))


class Selection(CheckTestCase):
    """--only and --skip take ids and areas (the suite file's name without
    its number), comma-separated; --list needs no connection."""

    @classmethod
    def setUpClass(cls):
        cls.server = FakeSmtpd()
        cls.server.start()
        cls.addClassCleanup(cls.server.stop)
        listing = run_check("127.0.0.1:9", "--list", json_file=False, timeout=30)
        if listing.code != EXIT_OK:
            raise AssertionError(listing.describe())
        cls.entries = list_entries(listing.stdout)
        cls.listing = listing

    def area(self, name):
        return {i for i, (_, area, line) in self.entries.items()
                if area == name and not line.endswith("[slow]")}

    def selected(self, *args):
        run = self.check(plain_target(self.server), *args)
        return [r["id"] for r in run.check["results"]]

    def test_list_prints_every_check(self):
        self.assertEqual(len(self.entries), len(listed_ids(self.listing.stdout)),
                         "ids are unique")
        self.assertGreaterEqual(len(self.entries), 60)
        for check_id, (level, area, line) in self.entries.items():
            self.assertIn(level, ("MUST", "SHOULD", "INFO"), line)
            # ... title  (RFC ...) [oracle] [slow]
            self.assertRegex(line, r"\(RFC [^)]*\)( \[(oracle|slow)\])*$")
        self.assertTrue(self.entries["D2"][2].endswith("[oracle]"))
        self.assertEqual(self.entries["D3"][:2], ("MUST", "data"))
        self.assertEqual(self.entries["T6"][:2], ("INFO", "tls"))
        self.assertEqual(len({a for _, a, _ in self.entries.values()}), 13, "13 areas")

    def test_only_by_id(self):
        self.assertEqual(self.selected("--only", "D3"), ["D3"])
        self.assertEqual(self.selected("--only", "E7,C2"), ["E7", "C2"])

    def test_only_by_area(self):
        ids = self.selected("--only", "data")
        self.assertEqual(set(ids), self.area("data"))
        self.assertIn("D3", ids)

    def test_only_mixes_ids_and_areas(self):
        self.assertEqual(set(self.selected("--only", "D3,tls")), {"D3"} | self.area("tls"))

    def test_an_area_leaves_the_slow_check_out(self):
        ids = self.selected("--only", "limits")
        self.assertNotIn("L7", ids)
        self.assertEqual(set(ids), self.area("limits"))

    def test_skip_by_id_and_area(self):
        everything = {i for i, (_, _, line) in self.entries.items() if not line.endswith("[slow]")}
        self.assertEqual(set(self.selected("--skip", "tls,D3")),
                         everything - self.area("tls") - {"D3"})

    def test_only_and_skip_together(self):
        self.assertEqual(set(self.selected("--only", "data", "--skip", "D3")),
                         self.area("data") - {"D3"})

    def test_unknown_name_is_a_usage_error(self):
        run = self.check(plain_target(self.server), "--only", "nope", expect=EXIT_USAGE)
        self.assertIn("nope", run.stderr)
        self.assertIsNone(run.result)


class ImplicitTls(CheckTestCase):
    def test_implicit_tls_listener_passes_t6(self):
        server = self.start_fake()
        run = self.check(implicit_tls_target(server), "--profile", "implicit-tls")
        self.assertValid(run.result)
        self.assertEqual(run.check["profile"], "implicit-tls")
        self.assertEqual(run.verdicts["T6"], "PASS", run.results["T6"])
        self.assertEqual(run.reasons("FAIL"), {})
        self.assertEqual(run.reasons("ERROR"), {})
        musts = {r["id"]: r["verdict"] for r in run.check["results"] if r["level"] == "MUST"}
        self.assertEqual({i: v for i, v in musts.items() if v not in ("PASS", "SKIP")}, {})
        # Besides the runner's SKIPs, the STARTTLS checks, which cannot
        # apply to a session that is TLS from its first byte.
        others = {i: r for i, r in run.reasons("SKIP").items() if not runner_skip(r)}
        self.assertEqual(set(others), {"T1", "T2", "T3", "T4", "A1"})
        for check_id, reason in others.items():
            self.assertIn("TLS from the first byte", reason, check_id)

    def test_plain_port_is_recorded_by_t6(self):
        """The same profile against the plaintext listener: the greeting
        comes in clear text, which T6 records as INFO (RFC 8314 §3.3 describes
        the handshake; its MUST binds the client)."""
        server = self.start_fake()
        run = self.check(plain_target(server), "--profile", "implicit-tls", "--only", "T6")
        self.assertEqual(run.verdicts, {"T6": "INFO"})
        self.assertIn("clear text", run.results["T6"]["reason"])


class Submission(CheckTestCase):
    """fake-smtpd as a submission server: MAIL needs AUTH (530 before it),
    and only alice's password is accepted."""

    def start_submission(self):
        return self.start_fake("--require-auth", "--user", f"{USER}:{PASSWORD}")

    def test_starttls_and_auth_pass(self):
        server = self.start_submission()
        run = self.check(plain_target(server), "--profile", "submission", "--tls", "--auth",
                         f"{USER}:{PASSWORD}")
        self.assertValid(run.result)
        self.assertEqual(run.check["profile"], "submission")
        self.assertEqual(run.reasons("FAIL"), {})
        self.assertEqual(run.reasons("ERROR"), {})
        self.assertEqual(run.reasons("WARN"), {})
        musts = {r["id"]: r["verdict"] for r in run.check["results"] if r["level"] == "MUST"}
        self.assertEqual({i: v for i, v in musts.items() if v not in ("PASS", "SKIP")}, {})
        self.assertEqual({i: r for i, r in run.reasons("SKIP").items() if not runner_skip(r)}, {})
        # Made-up credentials got 535, --auth's 235.
        self.assertEqual(run.verdicts["A5"], "PASS", run.results["A5"])
        self.assertEqual(run.verdicts["A6"], "PASS", run.results["A6"])
        self.assertNoPassword(run, PASSWORD)

    def test_wrong_password_is_an_error_of_every_session(self):
        server = self.start_submission()
        wrong = f"not-{PASSWORD}"
        run = self.check(plain_target(server), "--profile", "submission", "--tls", "--auth",
                         f"{USER}:{wrong}", expect=EXIT_FAILED)
        errors = run.reasons("ERROR")
        self.assertGreater(len(errors), 40)
        for check_id, reason in errors.items():
            self.assertTrue(reason.startswith(f"AUTH as {USER}: 535"), f"{check_id}: {reason}")
        self.assertEqual(run.reasons("FAIL"), {})
        self.assertNoPassword(run, wrong)

    def assertNoPassword(self, run, password):
        """Credentials are redacted in the transcripts and never printed."""
        encoded = base64.b64encode(f"\0{USER}\0{password}".encode()).decode()
        for text in (run.stdout, run.stderr, json.dumps(run.result, ensure_ascii=False)):
            self.assertNotIn(password, text)
            self.assertNotIn(encoded, text)
            self.assertNotIn(base64.b64encode(password.encode()).decode(), text)


if __name__ == "__main__":
    unittest.main()
