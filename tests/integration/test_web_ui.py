"""The web UI of fake-smtpd and its safety when exposed (README "Web UI"):
the pages answer with a strict Content-Security-Policy; a state change from
another origin is refused (403: CSRF), a request naming a foreign Host is
refused (403: DNS rebinding), and with --api-token a request without the
token gets 401, with it 200: the JSON API and the pages alike. The rules
form replaces the rules, and a bad rule leaves the old ones in force."""

import re
import smtplib
import subprocess
import unittest

from fakesmtpd import ServerTestCase, binary
from webui import origin, request

PROFILE = 'rule { name = "first-mail", on = "MAIL", select = { first = 1 }, ' \
          'reply = "451 4.3.0 Try again later" }\n'
NEW_RULES = 'rule { name = "rcpt-full", on = "RCPT", reply = "452 4.2.2 Mailbox full" }\n'
BAD_RULES = 'rule { name = "bad", on = "MAIL", reply = "299 not an error" }\n'
TOKEN = "t0k3n-for.tests"


def rule_names(server):
    return [r["name"] for r in server.rules()["rules"]]


class Pages(ServerTestCase):
    def setUp(self):
        self.server = self.start_server(profile=self.profile_file(PROFILE))

    def test_pages_answer_html_with_a_strict_policy(self):
        for path in ("/", "/sessions", "/messages", "/rules", "/stats"):
            with self.subTest(path=path):
                res = request(self.server, "GET", path)
                self.assertEqual(res.status, 200, res.body[:300])
                self.assertEqual(res.headers["Content-Type"], "text/html; charset=utf-8")
                csp = res.headers["Content-Security-Policy"]
                self.assertIn("default-src 'none'", csp)
                self.assertIn("frame-ancestors 'none'", csp)
                self.assertNotIn("script-src", csp)
                self.assertEqual(res.headers["X-Content-Type-Options"], "nosniff")
                self.assertNotIn("<script", res.text)
        refresh = '<meta http-equiv="refresh" content="5">'
        self.assertIn(refresh, request(self.server, "GET", "/sessions?live=1").text)
        self.assertNotIn(refresh, request(self.server, "GET", "/sessions").text)
        self.assertEqual(request(self.server, "GET", "/sessions/999").status, 404)
        self.assertEqual(request(self.server, "DELETE", "/sessions").status, 405)

    def test_message_download_is_an_attachment(self):
        with smtplib.SMTP(self.server.host, self.server.smtp_port, timeout=10) as smtp:
            smtp.ehlo("ui.test")
            with self.assertRaises(smtplib.SMTPSenderRefused):  # first = 1
                smtp.sendmail("a@ui.test", ["b@ui.test"], "Subject: one\r\n\r\nbody\r\n")
            smtp.sendmail("a@ui.test", ["b@ui.test"], "Subject: two\r\n\r\nbody\r\n")
        (message,) = self.server.expect_messages(1)
        res = request(self.server, "GET", f"/messages/{message['id']}.eml")
        self.assertEqual(res.status, 200)
        self.assertEqual(res.headers["Content-Type"], "message/rfc822")
        self.assertEqual(res.headers["Content-Disposition"],
                         f'attachment; filename="message-{message["id"]}.eml"')
        self.assertEqual(res.body, self.server.raw(message["id"]))
        page = request(self.server, "GET", f"/messages/{message['id']}").text
        self.assertIn(f'href="/sessions/{message["session_id"]}"', page)
        self.assertIn("Subject: two\\r\\n", page)
        # The session list filters by the rule that fired.
        listed = request(self.server, "GET", "/sessions?rule=first-mail").text
        self.assertEqual(len(re.findall(r'<tr><td class="num"><a href="/sessions/', listed)), 1)

    def test_rules_form_replaces_the_rules_and_keeps_them_on_error(self):
        own = {"Origin": origin(self.server)}
        res = request(self.server, "POST", "/rules", own, {"rules": NEW_RULES})
        self.assertEqual(res.status, 303, res.body[:300])
        self.assertEqual(res.headers["Location"], "/rules")
        self.assertEqual(rule_names(self.server), ["rcpt-full"])
        res = request(self.server, "POST", "/rules", own, {"rules": BAD_RULES})
        self.assertEqual(res.status, 400)
        self.assertRegex(res.text, r'id="rules-error".*rules:1: ')
        self.assertIn("rule { name = &quot;bad&quot;", res.text, "the text stays to be fixed")
        self.assertEqual(rule_names(self.server), ["rcpt-full"], "the old rules stay")


class Refusals(ServerTestCase):
    def setUp(self):
        self.server = self.start_server(profile=self.profile_file(PROFILE))

    def test_cross_origin_post_to_the_rules_form_is_refused(self):
        for headers in ({"Origin": "http://evil.example"}, {"Origin": "null"},
                        {"Referer": "http://evil.example/attack.html"}):
            with self.subTest(headers=headers):
                res = request(self.server, "POST", "/rules", headers, {"rules": NEW_RULES})
                self.assertEqual(res.status, 403, res.body[:300])
                self.assertIn("cross-origin POST refused", res.text)
        self.assertEqual(rule_names(self.server), ["first-mail"], "nothing changed")
        # The JSON API's state changes as well.
        res = request(self.server, "PUT", "/api/rules", {"Origin": "http://evil.example"},
                      NEW_RULES)
        self.assertEqual(res.status, 403)
        self.assertIn("cross-origin PUT refused", res.text)
        res = request(self.server, "DELETE", "/api/messages", {"Origin": "http://evil.example"})
        self.assertEqual(res.status, 403)
        self.assertEqual(rule_names(self.server), ["first-mail"])

    def test_a_foreign_host_is_refused(self):
        for path in ("/", "/api/stats", "/api/messages"):
            with self.subTest(path=path):
                res = request(self.server, "GET", path,
                              {"Host": f"rebound.example:{self.server.api_port}"})
                self.assertEqual(res.status, 403)
                self.assertIn("rebound.example", res.text)
        ok = request(self.server, "GET", "/api/stats",
                     {"Host": f"localhost:{self.server.api_port}"})
        self.assertEqual(ok.status, 200)

    def test_api_host_names_an_allowed_host(self):
        server = self.start_server("--api-host", "smtp-test.internal")
        res = request(server, "GET", "/api/stats", {"Host": "smtp-test.internal:8025"})
        self.assertEqual(res.status, 200)
        res = request(server, "GET", "/api/stats", {"Host": "other.internal"})
        self.assertEqual(res.status, 403)


class Token(ServerTestCase):
    def setUp(self):
        self.server = self.start_server("--api-token", TOKEN)

    def test_without_the_token_401_with_it_200(self):
        for path in ("/", "/rules", "/api/stats", "/api/sessions", "/metrics"):
            with self.subTest(path=path):
                res = request(self.server, "GET", path)
                self.assertEqual(res.status, 401)
                self.assertTrue(res.headers["WWW-Authenticate"].startswith("Bearer"))
                bearer = {"Authorization": f"Bearer {TOKEN}"}
                self.assertEqual(request(self.server, "GET", path, bearer).status, 200)
                wrong = {"Authorization": f"Bearer {TOKEN}x"}
                self.assertEqual(request(self.server, "GET", path, wrong).status, 401)
        self.assertIn('action="/login"', request(self.server, "GET", "/").text)

    def test_login_form_sets_an_httponly_strict_cookie(self):
        own = {"Origin": origin(self.server)}
        bad = request(self.server, "POST", "/login", own, {"token": "guess"})
        self.assertEqual(bad.status, 401)
        self.assertIsNone(bad.headers["Set-Cookie"])
        res = request(self.server, "POST", "/login", own, {"token": TOKEN})
        self.assertEqual(res.status, 303)
        cookie = res.headers["Set-Cookie"]
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        pair = cookie.split(";")[0]
        self.assertEqual(request(self.server, "GET", "/sessions", {"Cookie": pair}).status, 200)
        # Logging in from another site is a cross-origin POST like any other.
        res = request(self.server, "POST", "/login", {"Origin": "http://evil.example"},
                      {"token": TOKEN})
        self.assertEqual(res.status, 403)


class Usage(unittest.TestCase):
    def test_a_token_a_cookie_cannot_carry_is_a_usage_error(self):
        result = subprocess.run([binary(), "--listen", "127.0.0.1:0", "--api", "127.0.0.1:0",
                                 "--api-token", "a b;c"], capture_output=True, text=True,
                                timeout=30)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertEqual(result.stderr,
                         "fake-smtpd: --api-token: use only letters, digits and -._~+/\n")

    def test_help_names_the_flags(self):
        result = subprocess.run([binary(), "--help"], capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 0)
        self.assertIn("--api-host", result.stdout)
        self.assertIn("--api-token", result.stdout)


if __name__ == "__main__":
    unittest.main()
