"""smtp-harness check against every broken fake-smtpd profile (the proof
that the checks can fail): each scenarios/fake/broken-*.lua breaks one
requirement on purpose, and the whole suite, run against it, must report
exactly what the profile declares, and nothing else may go wrong.

A profile declares what it breaks in header lines of its comment, which
this test reads (new profiles are found by the glob and need no change
here):

    -- expect-fail: ID[, ID...]    exactly these checks FAIL (exit code 1)
    -- expect-warn: ID[, ID...]    exactly these checks WARN besides the ones
                                   that WARN against the default server (a
                                   broken SHOULD, or a SHOULD that a broken
                                   MUST breaks too; exit code 0 without FAIL)
    -- expect-info: ID[, ID...]    exactly these checks end in INFO besides
                                   the ones that do against the default
                                   server: a deviation the RFC states no
                                   requirement for, or a listed policy
                                   (docs/CONFORMANCE.md)
    -- expect-pass: ID[, ID...]    these checks PASS: behaviour a check once
                                   misjudged (a quirk of a real server) that
                                   the profile reproduces
    -- expect-error: sessions      the profile breaks the session setup
                                   itself: checks that need a usable
                                   greeting, EHLO or STARTTLS end in ERROR,
                                   and every ERROR says so
    -- only: ID[, ID...]           run only these checks (--only): for a
                                   profile whose breakage would spill into
                                   many other checks (DATA refused, TLS
                                   broken, a session limit) or that a slow
                                   check (L7) needs; its expect-fail and
                                   expect-warn ids must be among them, and
                                   the default server's WARNs are compared
                                   within them

A profile needs an expect-fail, expect-warn, expect-info or expect-pass line. Without
expect-error no check may end in ERROR.

The profiles run 4 at a time, each with its own fake-smtpd; every run and
every server stop is bounded in time.
"""

import concurrent.futures
import glob
import os
import re
import unittest

from checkharness import (EXIT_FAILED, EXIT_OK, CheckTestCase, plain_target, run_check)
from fakesmtpd import FakeSmtpd
from loadharness import FAKE_SCENARIOS

PARALLEL = 4
# The pool's results are waited for with this bound each: a run is bounded
# by RUN_TIMEOUT, a fake-smtpd start and stop by 10 s each.
JOB_TIMEOUT = 180.0

EXPECT_LINE = re.compile(r"^--\s*expect-([a-z]+):(.*)$")
ONLY_LINE = re.compile(r"^--\s*only:(.*)$")
CHECK_ID = re.compile(r"^[A-Za-z0-9._-]+$")
ERROR_KINDS = {"sessions"}

# An ERROR of a profile that breaks the session setup: what failed is named
# before the first colon (the prelude's t:session() and the checks that set
# up their own sessions): "EHLO: ...", "EHLO c.example: ...", "EHLO after
# STARTTLS: ...", "the reply to the early EHLO: ...", "no usable greeting:
# ...", "TLS handshake after STARTTLS: ...".
SESSION_SETUP = re.compile(r"^(no usable greeting|the greeting|the reply to the early EHLO"
                           r"|EHLO( [^:]*)?|STARTTLS|TLS handshake after STARTTLS): ")


def broken_profiles():
    return sorted(glob.glob(os.path.join(FAKE_SCENARIOS, "broken-*.lua")))


def profile_name(path):
    return os.path.basename(path)[:-len(".lua")]


def id_list(where, header, text):
    """The ids of "ID[, ID...]"; anything else is an AssertionError."""
    values = [v.strip() for v in text.split(",")]
    if not values or any(not CHECK_ID.match(v) for v in values):
        raise AssertionError(f"{where}: {header}: expected ID[, ID...], got {text.strip()!r}")
    return set(values)


def declarations(path):
    """{"fail": set, "warn": set, "error": set, "only": set or None} from
    the profile's expect-* and only lines; a malformed or repeated line is
    an AssertionError."""
    declared = {}
    only = None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            where = f"{path}:{number}"
            o = ONLY_LINE.match(line.rstrip("\n"))
            if o:
                if only is not None:
                    raise AssertionError(f"{where}: a second only line")
                only = id_list(where, "only", o.group(1))
                continue
            m = EXPECT_LINE.match(line.rstrip("\n"))
            if not m:
                continue
            kind, values = m.group(1), [v.strip() for v in m.group(2).split(",")]
            if kind not in ("fail", "warn", "info", "pass", "error"):
                raise AssertionError(f"{where}: expect-{kind}: expected expect-fail, "
                                     f"expect-warn, expect-info, expect-pass or expect-error")
            if kind in declared:
                raise AssertionError(f"{where}: a second expect-{kind} line")
            values = id_list(where, f"expect-{kind}", m.group(2))
            if kind == "error" and not values <= ERROR_KINDS:
                raise AssertionError(f"{where}: expect-error: only {sorted(ERROR_KINDS)}")
            declared[kind] = values
    if not {"fail", "warn", "info", "pass"} & set(declared):
        raise AssertionError(f"{path}: no '-- expect-fail: ID[, ID...]' line (or expect-warn for "
                             f"a broken SHOULD, expect-info for a deviation without a "
                             f"requirement): declare the checks the profile breaks")
    result = {kind: declared.get(kind, set())
              for kind in ("fail", "warn", "info", "pass", "error")}
    if only is not None:
        outside = (result["fail"] | result["warn"] | result["info"] | result["pass"]) - only
        if outside:
            raise AssertionError(f"{path}: expected {sorted(outside)} to fail or warn, but the "
                                 f"only line leaves them out: {sorted(only)}")
    result["only"] = only
    return result


def judge(profile):
    """The suite against fake-smtpd with `profile` (None: the default
    server): the whole of it, or the checks of the profile's only line.
    The server's stop() asserts its clean exit."""
    only = declarations(profile)["only"] if profile else None
    server = FakeSmtpd(profile=profile)
    server.start()
    try:
        if only:
            return run_check(plain_target(server), "--only", ",".join(sorted(only)))
        return run_check(plain_target(server))
    finally:
        server.stop()


class BrokenProfiles(CheckTestCase):
    def test_every_profile_declares_what_it_breaks(self):
        profiles = broken_profiles()
        self.assertGreaterEqual(len(profiles), 25)
        listing = run_check("127.0.0.1:9", "--list", json_file=False, timeout=30)
        self.assertEqual(listing.code, EXIT_OK, listing.describe())
        known = {line.split()[0] for line in listing.stdout.splitlines() if line.strip()}
        for path in profiles:
            with self.subTest(profile=profile_name(path)):
                declared = declarations(path)
                self.assertEqual(declared["fail"] - known, set(), "ids no check has")
                self.assertEqual(declared["warn"] - known, set(), "ids no check has")
                self.assertEqual(declared["info"] - known, set(), "ids no check has")
                self.assertEqual(declared["pass"] - known, set(), "ids no check has")
                self.assertEqual((declared["only"] or set()) - known, set(), "ids no check has")
                self.assertEqual(declared["fail"] & declared["warn"], set())
                judged = [declared[kind] for kind in ("fail", "warn", "info", "pass")]
                self.assertEqual(sum(len(ids) for ids in judged), len(set().union(*judged)),
                                 "an id declared under two verdicts")

    def test_each_profile_fails_exactly_its_declared_checks(self):
        profiles = broken_profiles()
        with concurrent.futures.ThreadPoolExecutor(max_workers=PARALLEL) as pool:
            baseline = pool.submit(judge, None)
            runs = {path: pool.submit(judge, path) for path in profiles}
            default = baseline.result(timeout=JOB_TIMEOUT)
            self.assertNoCrash(default)
            self.assertEqual(default.code, EXIT_OK, default.describe())
            default_warns = default.ids("WARN")
            default_infos = default.ids("INFO")
            table = []
            for path, future in runs.items():
                name = profile_name(path)
                with self.subTest(profile=name):
                    run = future.result(timeout=JOB_TIMEOUT)
                    table.append(self.summary(name, run, default_warns, default_infos))
                    self.assertProfileVerdicts(path, run, default_warns, default_infos)
        print("\nprofile: FAIL / WARN beyond the default server's "
              f"{sorted(default_warns)} / INFO beyond its {sorted(default_infos)} / ERROR count, "
              "elapsed\n" + "\n".join(table), flush=True)

    @staticmethod
    def baseline(path, default_ids):
        """The default server's WARNs (or INFOs) among the checks the profile
        runs."""
        only = declarations(path)["only"]
        return default_ids if only is None else default_ids & only

    def summary(self, name, run, default_warns, default_infos):
        if run.result is None:
            return f"  {name}: exit {run.code}, no result"
        only = declarations(os.path.join(FAKE_SCENARIOS, name + ".lua"))["only"]
        ran = f" (only {','.join(sorted(only))})" if only else ""
        return (f"  {name}{ran}: FAIL {sorted(run.ids('FAIL'))} / WARN "
                f"{sorted(run.ids('WARN') - default_warns)} / INFO "
                f"{sorted(run.ids('INFO') - default_infos)} / ERROR {len(run.ids('ERROR'))}, "
                f"{run.check['elapsed_seconds']:.1f} s")

    def assertProfileVerdicts(self, path, run, default_warns, default_infos):
        declared = declarations(path)
        default_warns = self.baseline(path, default_warns)
        default_infos = self.baseline(path, default_infos)
        self.assertNoCrash(run)
        if declared["only"] is not None:
            self.assertEqual(set(run.verdicts), declared["only"], "the checks that ran")
        breaks_must = bool(declared["fail"] or declared["error"])
        self.assertEqual(run.code, EXIT_FAILED if breaks_must else EXIT_OK, run.not_passed())
        self.assertEqual(run.ids("FAIL"), declared["fail"],
                         f"FAIL ids; reasons: {run.reasons('FAIL')}")
        # Every WARN beyond the default server's is declared, also next to a
        # FAIL: a side effect of the breakage is part of what it shows.
        self.assertEqual(run.ids("WARN") - default_warns, declared["warn"],
                         f"WARN ids beyond the default server's; reasons: "
                         f"{run.reasons('WARN')}")
        passed = {i for i, v in run.verdicts.items() if v == "PASS"}
        self.assertEqual(declared["pass"] - passed, set(),
                         f"expect-pass ids that did not PASS: "
                         f"{ {i: run.verdicts.get(i) for i in declared['pass']} }")
        # Likewise every INFO: a deviation without a requirement, or a policy.
        self.assertEqual(run.ids("INFO") - default_infos, declared["info"],
                         f"INFO ids beyond the default server's; reasons: "
                         f"{run.reasons('INFO')}")
        errors = run.reasons("ERROR")
        if "sessions" in declared["error"]:
            self.assertTrue(errors, "expect-error: sessions, but no check ended in ERROR")
            unexplained = {i: r for i, r in errors.items() if not SESSION_SETUP.match(r)}
            self.assertEqual(unexplained, {}, "ERRORs that do not say the session setup failed")
        else:
            self.assertEqual(errors, {}, "ERROR verdicts (declare expect-error if the profile "
                                         "breaks the session setup)")


if __name__ == "__main__":
    unittest.main()
