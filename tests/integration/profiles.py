"""Helpers for the tests of the shipped fault profiles (scenarios/fake/):
where a profile and its rules are, and the assertions the fault-profile
tests make on the API side (rule sources, counters, transcript events) and
with swaks.
Standard library only; every loop is bounded.
"""

import os
import re
import subprocess

from fakesmtpd import ServerTestCase, require_tool

# The profiles shipped in scenarios/fake/.
SCENARIOS = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                          "scenarios", "fake"))


def scenario(name):
    """The absolute path of a shipped profile: scenario("greylist") is
    scenarios/fake/greylist.lua. Rules report their source as this path."""
    path = os.path.join(SCENARIOS, f"{name}.lua")
    if not os.path.isfile(path):
        raise AssertionError(f"no profile {path}")
    return path


RULE_CALL = re.compile(r"^\s*rule\s*\{")


def rule_line(path, name):
    """The line of the `rule {` that defines the rule named `name`: Lua
    reports a call at the line where it begins, so this is the line of the
    rule's "path:line" source in GET /api/rules and in transcripts."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    start = None
    for number, text in enumerate(lines, 1):
        if RULE_CALL.match(text):
            start = number
        if start is not None and re.search(r'\bname\s*=\s*"%s"' % re.escape(name), text):
            return start
    raise AssertionError(f"no rule named {name!r} in {path}")


class ProfileTestCase(ServerTestCase):
    """A test of one shipped profile, scenarios/fake/PROFILE.lua, with what
    the fault-profile tests check on the API side: rule sources and the
    transcript events of fired rules."""

    PROFILE = None

    def start_profile(self, *args):
        self.profile = scenario(self.PROFILE)
        return self.start_server(*args, profile=self.profile)

    def source(self, name):
        """The "path:line" GET /api/rules and the transcripts give the rule."""
        return f"{self.profile}:{rule_line(self.profile, name)}"

    def assertRuleStatus(self, server, name, seen=None, fired=None, **fields):
        """The rule's entry of GET /api/rules: its source and action text
        always, counters and other fields when given."""
        rule = server.rule(name)
        self.assertEqual(rule["source"], self.source(name), rule)
        if seen is not None:
            self.assertEqual(rule["seen"], seen, rule)
        if fired is not None:
            self.assertEqual(rule["fired"], fired, rule)
        for key, value in fields.items():
            self.assertEqual(rule[key], value, f"{key} of {rule}")
        return rule

    def rule_events(self, server, name):
        """[(session id, text)] of every transcript event of the rule `name`
        firing, in session order."""
        marker = f"rule '{name}' ("
        return [(sid, text) for sid, texts in sorted(server.all_events().items())
                for text in texts if text.startswith(marker)]

    def assertRuleEvents(self, server, name, on, count):
        """`count` events "rule 'NAME' (SOURCE) fired on ON: ACTION", where
        ACTION is the rule's action as GET /api/rules describes it."""
        rule = server.rule(name)
        expected = f"rule '{name}' ({self.source(name)}) fired on {on}: {rule['action']}"
        events = self.rule_events(server, name)
        self.assertEqual([text for _, text in events], [expected] * count)
        return events

    def swaks_process(self, server, *args, helo="swaks.test"):
        """swaks against the plain SMTP port: the finished process."""
        swaks = require_tool(self, "/usr/bin/swaks", "swaks")
        cmd = [swaks, "--server", f"{server.host}:{server.smtp_port}", "--helo", helo,
               "--timeout", "10", *args]
        return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=120)

    def run_swaks(self, server, *args, expect_rc=0, helo="swaks.test"):
        """swaks's transcript (stdout and stderr) after checking its exit
        code (`man swaks`, EXIT CODES: 24 no RCPT accepted, 26 refused after
        data, 29 TLS failed, ...)."""
        result = self.swaks_process(server, *args, helo=helo)
        self.assertEqual(result.returncode, expect_rc,
                         f"swaks exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result.stdout + result.stderr
