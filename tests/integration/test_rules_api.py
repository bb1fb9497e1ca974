"""Rules as SCRIPTING.md defines them, beyond the shipped profiles: `select`
counting (a retrying client and `first = 2`), profiles refused at start
(exit 2, "fake-smtpd: bad profile: PATH:LINE: reason"), rules replaced at
run time with PUT and DELETE /api/rules, and Lua hooks, including hooks that
fail. Each test checks the client's side and the API's."""

import smtplib
import subprocess
import time
import unittest

from fakesmtpd import plain_b64, ServerTestCase, binary

EXIT_USAGE = 2
EPHEMERAL = ("--listen", "127.0.0.1:0", "--api", "127.0.0.1:0")
RULE_STATUS_FIELDS = {"index", "name", "source", "on", "action", "seen", "fired", "remaining",
                      "keys"}


def smtp_client(server, helo="client.test"):
    return smtplib.SMTP(server.host, server.smtp_port, local_hostname=helo, timeout=10)


class FirstTwoAttempts(ServerTestCase):
    PROFILE = 'rule { on = "MAIL", select = { first = 2 }, reply = "451 4.3.0 Try again later" }\n'

    def retrying_client(self, server, attempts=5):
        """A client that retries on a new connection after a transient
        failure, as a queue runner does: the outcome of every attempt."""
        outcomes = []
        for _ in range(attempts):
            try:
                with smtp_client(server, helo="retry.test") as smtp:
                    smtp.sendmail("queue@sender.test", ["r@fake.test"],
                                  "Subject: retried\r\n\r\nretried\r\n")
            except smtplib.SMTPSenderRefused as e:
                outcomes.append((e.smtp_code, e.smtp_error))
                time.sleep(0.05)  # backoff
                continue
            outcomes.append((250, b""))
            break
        return outcomes

    def run_fresh_server(self, profile):
        server = self.start_server(profile=profile)
        outcomes = self.retrying_client(server)
        (message,) = server.expect_messages(1)
        self.assertEqual(message["from"], "queue@sender.test")
        rules = server.rules()
        self.assertIsNone(rules["greylist"])
        self.assertEqual(rules["hooks"], [])
        (rule,) = rules["rules"]
        events = [t for texts in server.all_events().values() for t in texts]
        self.assertEqual(events.count(f"rule 'rule 1' ({profile}:1) fired on MAIL: "
                                      "reply 451 4.3.0 Try again later"), 2, events)
        self.assertEqual(server.stats()["rules_fired"], 2)
        server.stop()
        return outcomes, rule

    def test_fails_twice_then_succeeds_the_same_way_every_run(self):
        profile = self.profile_file(self.PROFILE)
        outcomes, rule = self.run_fresh_server(profile)
        self.assertEqual(outcomes, [(451, b"4.3.0 Try again later")] * 2 + [(250, b"")])
        self.assertEqual(set(rule), RULE_STATUS_FIELDS)
        self.assertEqual({k: v for k, v in rule.items() if k != "keys"}, {
            "index": 1, "name": "rule 1", "source": f"{profile}:1", "on": ["MAIL"],
            "action": "reply 451 4.3.0 Try again later", "seen": 3, "fired": 2, "remaining": 0})
        again, rule_again = self.run_fresh_server(profile)
        self.assertEqual(again, outcomes)
        self.assertEqual(rule_again, rule)


class Selection(ServerTestCase):
    """Each `select` on NOOP, put in at run time (PUT resets the counters),
    against the same sequence of commands."""

    def noop_codes(self, server, n, sessions=1):
        codes = []
        for _ in range(sessions):
            c = self.client(server)
            codes.append([c.cmd("NOOP").code for _ in range(n)])
            c.close()
        return codes

    def test_counting_fields(self):
        server = self.start_server()
        refuse = 'reply = "451 4.3.0 Selected"'
        cases = {
            "{ nth = 2 }": [[250, 451, 250, 250, 250, 250, 250]],
            "{ first = 2 }": [[451, 451, 250, 250, 250, 250, 250]],
            "{ every = 3 }": [[250, 250, 451, 250, 250, 451, 250]],
            "{ after = 5 }": [[250, 250, 250, 250, 250, 451, 451]],
        }
        for select, expected in cases.items():
            with self.subTest(select=select):
                put = server.put_rules(f'rule {{ on = "NOOP", select = {select}, {refuse} }}\n')
                self.assertEqual((put["rules"][0]["seen"], put["rules"][0]["fired"]), (0, 0))
                self.assertEqual(self.noop_codes(server, 7), expected)
                (rule,) = server.rules()["rules"]
                self.assertEqual((rule["seen"], rule["fired"]), (7, expected[0].count(451)))

    def test_per_session_and_per_server(self):
        server = self.start_server()
        refuse = 'reply = "451 4.3.0 Selected"'
        server.put_rules(f'rule {{ on = "NOOP", select = {{ first = 1 }}, {refuse} }}\n')
        self.assertEqual(self.noop_codes(server, 2, sessions=2), [[451, 250], [250, 250]])
        self.assertEqual(server.rules()["rules"][0]["remaining"], 0)
        server.put_rules(f'rule {{ on = "NOOP", select = {{ first = 1, per = "session" }}, '
                         f'{refuse} }}\n')
        self.assertEqual(self.noop_codes(server, 2, sessions=2), [[451, 250], [451, 250]])
        (rule,) = server.rules()["rules"]
        self.assertEqual((rule["seen"], rule["fired"], rule["remaining"]), (4, 2, None))

    def test_chance_extremes(self):
        server = self.start_server()
        server.put_rules('rule { on = "NOOP", select = { chance = 0 }, reply = "451 4.3.0 x" }\n'
                         'rule { on = "RSET", select = { chance = 1 }, reply = "451 4.3.0 y" }\n')
        c = self.client(server)
        self.assertEqual([c.cmd("NOOP").code for _ in range(5)], [250] * 5)
        self.assertEqual([c.cmd("RSET").code for _ in range(5)], [451] * 5)
        self.assertEqual([(r["seen"], r["fired"]) for r in server.rules()["rules"]],
                         [(5, 0), (5, 5)])


class BadProfiles(ServerTestCase):
    """A bad profile never starts a server: exit 2, nothing on stdout, and
    one stderr line "fake-smtpd: bad profile: PATH:LINE: reason"."""

    def assertBadProfile(self, text, line, *needles):
        path = self.profile_file(text)
        result = subprocess.run([binary(), path, *EPHEMERAL], stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=20)
        self.assertEqual(result.returncode, EXIT_USAGE, result.stderr)
        self.assertEqual(result.stdout, "")
        first = result.stderr.splitlines()[0] if result.stderr else ""
        prefix = f"fake-smtpd: bad profile: {path}:{line}: "
        self.assertTrue(first.startswith(prefix), f"{first!r} does not start with {prefix!r}")
        self.assertGreater(len(first), len(prefix), "no reason given")
        for needle in needles:
            self.assertIn(needle, first[len(prefix):])

    def test_lua_syntax_error(self):
        self.assertBadProfile('-- a rule with a missing comma\nrule {\n  on = "MAIL"\n'
                              '  reply = "451 4.3.0 Try again later",\n}\n', 4, "expected")

    def test_unknown_rule_field(self):
        self.assertBadProfile('-- a typo\nrule {\n  on = "MAIL",\n  replly = "451 4.3.0 x",\n}\n',
                              2, "replly")

    def test_invalid_reply_code(self):
        self.assertBadProfile('rule { on = "MAIL", reply = "612 nope" }\n', 1, "612")

    def test_mismatched_enhanced_code(self):
        # RFC 3463 §2: the enhanced code's class is the reply's class.
        self.assertBadProfile('\n\nrule { on = "MAIL", reply = "451 5.3.0 Try again later" }\n',
                              3, "5.3.0")

    def test_other_mistakes(self):
        cases = [
            ('rule { on = "MAIL", malformed = "sideways" }', "sideways"),
            ('rule { on = "MAIL", fail_tls = "alert" }', "fail_tls"),
            ('rule { on = "tls", reply = "451 4.3.0 x" }', "tls"),
            ('rule { on = "MAIL", reply = "250 2.0.0 fine" }', "250"),
            ('rule { on = "MAIL" }', ""),
            ('rule { reply = "451 4.3.0 x" }', "on"),
            ('rule { on = "MAIL", select = { first = 1, nth = 2 }, reply = "451 4.3.0 x" }', ""),
            ('rule { on = "MAIL", select = { chance = 1.5 }, reply = "451 4.3.0 x" }', "chance"),
            ('rule { on = "MAIL", select = { bucket = { rate = "fast" } }, close = true }',
             "fast"),
            ('rule { on = "MAIL", select = { per = "planet" }, close = true }', "planet"),
            ('rule { on = "MAIL", delay = "soon" }', "delay"),
            ('greylist { delay = "1s", colour = "grey" }', "colour"),
            ('greylist { reply = "250 2.0.0 not a deferral" }', "4xx"),
        ]
        for text, needle in cases:
            with self.subTest(profile=text):
                self.assertBadProfile(f"-- line 1\n{text}\n", 2, needle)


class RulesAtRunTime(ServerTestCase):
    PROFILE = """rule { name = "noop-delay", on = "NOOP", delay = "10ms" }

function on_rcpt(session, cmd)
  if cmd.arg:find("hooked", 1, true) then return "550 5.1.1 No such user here" end
end
"""
    BLOCK = """rule {
  name = "no-mail",
  on = "MAIL",
  arg = "FROM:<*@blocked.test>*",
  reply = "451 4.3.0 Not now",
}
"""

    def test_put_replaces_the_rules_and_keeps_the_hooks(self):
        profile = self.profile_file(self.PROFILE)
        server = self.start_server("--seed", "99", profile=profile)
        before = server.rules()
        self.assertEqual(before["seed"], 99)
        self.assertEqual([(r["name"], r["source"]) for r in before["rules"]],
                         [("noop-delay", f"{profile}:1")])
        self.assertEqual(before["hooks"], ["on_rcpt"])

        put = server.put_rules(self.BLOCK)
        self.assertEqual(put, server.rules())
        (rule,) = put["rules"]
        self.assertEqual({k: v for k, v in rule.items() if k != "keys"}, {
            "index": 1, "name": "no-mail", "source": "rules:1", "on": ["MAIL"],
            "action": "reply 451 4.3.0 Not now", "seen": 0, "fired": 0, "remaining": None})
        self.assertEqual((put["hooks"], put["greylist"], put["seed"]), (["on_rcpt"], None, 99))

        c = self.client(server)
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<x@blocked.test>"), 451, "4.3.0")
        self.assertReply(c.cmd("MAIL FROM:<x@fine.test>"), 250)
        self.assertReply(c.cmd("RCPT TO:<hooked@fake.test>"), 550, "5.1.1")  # hooks stay
        events = server.events(server.session_of(c)["id"])
        self.assertIn("rule 'no-mail' (rules:1) fired on MAIL: reply 451 4.3.0 Not now", events)
        self.assertEqual(len([t for t in events if t.startswith("hook on_rcpt: ")]), 1, events)
        after = server.rules()
        self.assertEqual((after["rules"][0]["seen"], after["rules"][0]["fired"]), (1, 1))
        self.assertEqual(server.stats()["rules_fired"], 1)

        # A bad body is refused with its line, and changes nothing.
        bad_bodies = [
            ('rule { on = "MAIL", reply = "612 nope" }\n', "rules:1: ", "612"),
            ('-- fine\nrule { on = "MAIL" reply = "451 4.3.0 x" }\n', "rules:2: ", "expected"),
            ('server { hostname = "other.test" }\n', "rules:1: ", "server"),
        ]
        for body, prefix, needle in bad_bodies:
            with self.subTest(body=body):
                res = server.api("/api/rules", method="PUT", body=body)
                self.assertEqual(res.status, 400, res.body)
                error = res.json()["error"]
                self.assertTrue(error.startswith(prefix), error)
                self.assertIn(needle, error)
        self.assertEqual(server.rules(), after)
        self.assertReply(c.cmd("RSET"), 250)
        self.assertReply(c.cmd("MAIL FROM:<y@blocked.test>"), 451, "4.3.0")

        # PUT again: the same rule, counters from zero.
        self.assertEqual(server.put_rules(self.BLOCK)["rules"][0]["seen"], 0)

        deleted = server.delete_rules()
        self.assertEqual((deleted["rules"], deleted["greylist"], deleted["hooks"]),
                         ([], None, ["on_rcpt"]))
        self.assertEqual(server.rules(), deleted)
        self.assertReply(c.cmd("MAIL FROM:<z@blocked.test>"), 250)
        self.assertReply(c.cmd("RCPT TO:<hooked@fake.test>"), 550, "5.1.1")

    def test_from_condition_on_mail(self):
        # SCRIPTING.md's own example: on MAIL, `from` is the sender MAIL names.
        server = self.start_server()
        server.put_rules('rule {\n  name = "try-later",\n  on = "MAIL",\n'
                         '  from = "*@example.org",\n  select = { first = 2 },\n'
                         '  reply = "451 4.3.0 Try again later",\n}\n')
        c = self.client(server)
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<a@elsewhere.test>"), 250)
        self.assertReply(c.cmd("RSET"), 250)
        codes = []
        for _ in range(3):
            codes.append(c.cmd("MAIL FROM:<a@example.org>").code)
            self.assertReply(c.cmd("RSET"), 250)
        self.assertEqual(codes, [451, 451, 250])
        (rule,) = server.rules()["rules"]
        self.assertEqual((rule["seen"], rule["fired"], rule["remaining"]), (3, 2, 0))

    def test_put_greylist(self):
        server = self.start_server()
        put = server.put_rules('greylist {\n  delay = "1h",\n'
                               '  reply = "451 4.7.1 Greylisted, come back in an hour",\n}\n')
        self.assertEqual(put["rules"], [])
        self.assertEqual(put["greylist"], {"delay_ms": 3600000, "expire_ms": 4 * 3600000,
                                           "entries": 0, "passed": 0, "deferred_total": 0,
                                           "passed_total": 0, "source": "rules:1"})
        c = self.client(server)
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<a@sender.test>"), 250)
        r = c.cmd("RCPT TO:<r@fake.test>")
        self.assertReply(r, 451, "4.7.1")
        self.assertEqual(r.text, "4.7.1 Greylisted, come back in an hour")
        (event,) = [t for t in server.events(server.session_of(c)["id"])
                    if t.startswith("greylist: ")]
        self.assertRegex(event, r"^greylist: deferred \(127\.0\.0\.1, a@sender\.test, "
                                r"r@fake\.test\), retry in 3600(\.0)?s$")
        greylist = server.rules()["greylist"]
        self.assertEqual((greylist["entries"], greylist["deferred_total"]), (1, 1))
        self.assertEqual(server.stats()["greylist_deferred"], 1)
        self.assertIsNone(server.delete_rules()["greylist"])
        self.assertReply(c.cmd("RCPT TO:<r@fake.test>"), 250)


class Hooks(ServerTestCase):
    PROFILE = r"""
function on_mail(session, cmd)
  if cmd.arg:find("boom", 1, true) then error("boom in on_mail") end
  if cmd.arg:find("invalid", 1, true) then return "612 nope" end
  if cmd.arg:find("slow", 1, true) then
    return { reply = "451 4.3.0 Slowly refused", delay = "200ms" }
  end
end

-- Shows the session and command tables in the reply text.
function on_rcpt(session, cmd)
  if cmd.arg:find("whoami", 1, true) then
    return string.format("550 5.1.1 helo=%s from=%s to=%d messages=%d tls=%s verb=%s arg=%s",
      session.helo, session.from, #session.to, session.messages, tostring(session.tls),
      cmd.verb, cmd.arg)
  end
end

function on_message(session, message)
  if message.data and message.data:find("EICAR", 1, true) then
    return "554 5.7.1 Message refused: infected"
  end
end

function on_vrfy(session, cmd)
  while true do end
end

function on_noop(session, cmd)
  if cmd.arg == "random" then return "451 4.3.0 " .. math.random(1000000000) end
end

-- Shows what a hook is given for AUTH.
function on_auth(session, cmd)
  return "454 4.7.0 " .. cmd.line .. " / " .. cmd.arg
end
"""

    def start(self, *args):
        self.profile = getattr(self, "profile", None) or self.profile_file(self.PROFILE)
        return self.start_server(*args, profile=self.profile)

    def hook_events(self, server, client):
        return [t for t in server.events(server.session_of(client)["id"])
                if t.startswith("hook ")]

    def test_hooks_answer_and_fail_safely(self):
        server = self.start()
        self.assertEqual(sorted(server.rules()["hooks"]),
                         ["on_auth", "on_mail", "on_message", "on_noop", "on_rcpt", "on_vrfy"])
        c = self.client(server)
        c.ehlo("hooks.test")

        # A hook that raises: 451 4.3.0, the error in the transcript and on stderr.
        self.assertReply(c.cmd("MAIL FROM:<boom@sender.test>"), 451, "4.3.0")
        (event,) = self.hook_events(server, c)
        self.assertTrue(event.startswith("hook on_mail failed: "), event)
        self.assertIn("boom in on_mail", event)
        self.assertIn(f"{self.profile}:3:", event)
        self.assertIn("boom in on_mail", server.read_stderr())
        # An invalid return value is a failure too.
        self.assertReply(c.cmd("MAIL FROM:<invalid@sender.test>"), 451, "4.3.0")
        self.assertTrue(self.hook_events(server, c)[-1].startswith("hook on_mail failed: "))
        self.assertIn("612", self.hook_events(server, c)[-1])
        self.assertEqual(server.stats()["hook_errors"], 2)

        # A table of action fields: reply and delay.
        start = time.monotonic()
        r = c.cmd("MAIL FROM:<slow@sender.test>")
        self.assertGreaterEqual(time.monotonic() - start, 0.2 - 0.02)
        self.assertReply(r, 451, "4.3.0")
        self.assertEqual(r.text, "4.3.0 Slowly refused")
        self.assertTrue(self.hook_events(server, c)[-1].startswith("hook on_mail: "))

        # The tables a hook is given.
        self.assertReply(c.cmd("MAIL FROM:<a@sender.test>"), 250)
        self.assertReply(c.cmd("RCPT TO:<r@fake.test>"), 250)
        r = c.cmd("RCPT TO:<whoami@fake.test>")
        self.assertReply(r, 550, "5.1.1")
        self.assertEqual(r.text, "5.1.1 helo=hooks.test from=a@sender.test to=1 messages=0 "
                                 "tls=false verb=RCPT arg=TO:<whoami@fake.test>")

        # on_message refuses by content; a clean message is stored.
        self.assertReply(c.cmd("DATA"), 354)
        c.send("Subject: x\r\n\r\nEICAR test string\r\n.\r\n")
        self.assertReply(c.reply(), 554, "5.7.1")
        self.assertEqual(c.send_message("a@sender.test", ["r@fake.test"], "Subject: ok\r\n\r\nok")
                         .code, 250)
        (message,) = server.expect_messages(1)
        self.assertEqual(message["to"], ["r@fake.test"])
        # Only a hook that decides the answer leaves a "hook NAME: ..." event.
        (refusal,) = [t for t in self.hook_events(server, c) if t.startswith("hook on_message")]
        self.assertTrue(refusal.startswith("hook on_message: "), refusal)
        self.assertIn("554 5.7.1", refusal)

        # A runaway hook is stopped by the instruction limit; the server goes on.
        self.assertReply(c.cmd("VRFY someone"), 451, "4.3.0")
        event = self.hook_events(server, c)[-1]
        self.assertTrue(event.startswith("hook on_vrfy failed: "), event)
        self.assertIn("instruction limit exceeded", event)
        self.assertReply(c.cmd("NOOP"), 250)
        self.assertEqual(server.stats()["hook_errors"], 3)

    def test_auth_hook_never_sees_credentials(self):
        # ARCHITECTURE.md §6: credentials never appear in transcripts or
        # reports; a hook is given AUTH redacted, as the transcript shows it.
        server = self.start("--auth-cleartext")
        c = self.client(server)
        c.ehlo()
        secret = plain_b64("alice", "wonderland")
        r = c.cmd("AUTH PLAIN " + secret)
        self.assertReply(r, 454, "4.7.0")
        self.assertEqual(r.text, "4.7.0 AUTH PLAIN <redacted> / PLAIN <redacted>")
        self.assertNotIn(secret, r.text)

    def random_reply(self, seed):
        server = self.start("--seed", str(seed))
        c = self.client(server)
        c.ehlo()  # for the enhanced code
        text = c.cmd("NOOP random").text
        c.close()
        server.stop()
        return text

    def test_math_random_replays_with_the_seed(self):
        first = self.random_reply(1234)
        self.assertRegex(first, r"^4\.3\.0 \d+$")
        self.assertEqual(self.random_reply(1234), first)
        self.assertNotEqual(self.random_reply(4321), first)


if __name__ == "__main__":
    unittest.main()
