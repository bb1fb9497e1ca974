"""fake-smtpd's web UI in headless Chromium (README "Web UI").

A fake-smtpd with a `first = 1` rule on MAIL meets two swaks sessions: the
first is refused by the rule, the second delivers. In the browser:
  - the first session's page shows the transcript, the fired rule in its own
    row between the client's MAIL line and the server's 451, and the seed;
  - the message's page shows its envelope and raw source;
  - the rules editor shows the loader's rules:LINE error for a bad rule and
    the old rules stay in force;
  - no page makes a request other than its own, or a console message;
    screenshots are saved ($REPORT_ARTIFACTS/ui-*.png, printed);
  - a hostile client's session and message (<script>, quotes, NUL, ESC,
    bytes that are not UTF-8, U+202E) render as text with JavaScript ON: no
    script runs, no dialog opens (Page.javascriptDialogOpening never fires).
The pages are also read with JavaScript off: they need none.
"""

import os
import subprocess
import tempfile
import unittest

import chromium
from fakesmtpd import FakeSmtpd, require_tool

ARTIFACTS = os.environ.get("REPORT_ARTIFACTS") or tempfile.gettempdir()
PROFILE = ('rule { name = "first-mail", on = "MAIL", select = { first = 1 }, '
           'reply = "451 4.3.0 Try again later" }\n')
BAD_RULES = 'rule { name = "bad", on = "MAIL", reply = "299 not an error" }\n'
HOSTILE = (b'<script>alert(1)</script>"\'&<img src=x onerror=alert(2)>'
           b"\x00\x1b[31m\xff\xfe\xe2\x80\xae")
# The same octets as the one escaper shows them (proto/escape.hpp).
HOSTILE_SHOWN = ('<script>alert(1)</script>"\'&<img src=x onerror=alert(2)>'
                 '\\x00\\x1b[31m\\xff\\xfe\\xe2\\x80\\xae')

ROWS = ("[...document.querySelectorAll('table.transcript tbody tr')]"
        ".map(r => [r.className, r.cells[4].textContent])")


def expect(reply, code):
    if reply.code != code:
        raise AssertionError(f"expected {code}, got {reply.raw!r}")


def lines(text):
    """The lines of `text`, each with its LF."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def escaped(ascii_text):
    """What proto/escape.hpp makes of printable ASCII with CR, LF and TAB."""
    return (ascii_text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")
            .replace("\t", "\\t"))


class WebUiInChromium(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="web-ui-browser-")
        profile = os.path.join(cls.tmp, "first-mail.lua")
        with open(profile, "w", encoding="utf-8") as f:
            f.write(PROFILE)
        cls.server = FakeSmtpd(profile=profile).start()
        cls.browser = chromium.Chromium()
        cls.base = f"http://{cls.server.host}:{cls.server.api_port}"
        try:
            cls.refused = cls.swaks(expect_rc=23)  # 23: the server refused MAIL
            cls.delivered = cls.swaks(expect_rc=0)
            cls.hostile_session = cls.hostile_client()
            cls.browser.start()
        except BaseException:
            cls.browser.stop()
            cls.server.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.browser.stop()
        cls.server.stop()

    @classmethod
    def swaks(cls, expect_rc):
        swaks = require_tool(unittest.TestCase(), "swaks", "swaks")
        result = subprocess.run(
            [swaks, "--server", f"{cls.server.host}:{cls.server.smtp_port}", "--helo",
             "swaks.test", "--timeout", "10", "--from", "sender@swaks.test", "--to",
             "rcpt@fake.test", "--header", "Subject: seen in the browser", "--body",
             "body marker 41c9"], stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        if result.returncode != expect_rc:
            raise AssertionError(f"swaks exited {result.returncode}, expected {expect_rc}:\n"
                                 f"{result.stdout!r}\n{result.stderr!r}")
        (session,) = [s for s in cls.server.sessions()["sessions"]
                      if s["helo"] == "swaks.test" and s["id"] not in cls.seen_sessions()]
        return session["id"]

    @classmethod
    def seen_sessions(cls):
        return {getattr(cls, name, None) for name in ("refused", "delivered")}

    @classmethod
    def hostile_client(cls):
        """A session whose every line carries HOSTILE, with a message whose
        header and body do too."""
        with cls.server.connect() as client:
            client.cmd(b"EHLO " + HOSTILE)  # refused, but in the transcript
            client.ehlo("hostile.test")
            # A quoted local part may hold markup (RFC 5321 §4.1.2), not a '"'.
            expect(client.cmd(b'MAIL FROM:<"' + HOSTILE[:25] + b'"@hostile.test>'), 250)
            expect(client.cmd(b"RCPT TO:<rcpt@fake.test>"), 250)
            expect(client.cmd(b"DATA"), 354)
            expect(client.cmd(b"Subject: " + HOSTILE + b"\r\n\r\nbody " + HOSTILE + b"\r\n."),
                   250)
            expect(client.cmd(b"QUIT"), 221)
            peer = "%s:%d" % client.local
        (session,) = [s for s in cls.server.sessions()["sessions"] if s["peer"] == peer]
        return session["id"]

    def page(self, path, javascript=True):
        page = self.browser.new_page(javascript=javascript).open_url(self.base + path)
        self.assertEqual(page.problems(), [], path)
        return page

    def screenshot(self, page, name):
        path = page.screenshot(os.path.join(ARTIFACTS, f"ui-{name}.png"))
        print(f"screenshot: {path}")

    def test_session_page_shows_the_fired_rule_where_it_happened(self):
        page = self.page(f"/sessions/{self.refused}")
        rows = page.evaluate(ROWS)
        texts = [text for _, text in rows]
        mail = next(i for i, t in enumerate(texts) if t.startswith("MAIL FROM:<sender@swaks.test>"))
        self.assertEqual(rows[mail][0], "client")
        self.assertEqual(rows[mail + 1][0], "event rule", rows[mail:mail + 3])
        self.assertTrue(rows[mail + 1][1].startswith("rule 'first-mail' ("), rows[mail + 1])
        self.assertIn("fired on MAIL: reply 451 4.3.0 Try again later", rows[mail + 1][1])
        self.assertEqual(rows[mail + 2][0], "server")
        self.assertTrue(rows[mail + 2][1].startswith("451 4.3.0 Try again later"))
        self.assertEqual(texts[0][:4], "220 ")
        self.assertEqual(page.count("tr.event.rule"), 1)
        body = page.evaluate("document.body.innerText")
        self.assertIn(f"fake-smtpd --seed {self.server.ports['seed']}", body)
        self.screenshot(page, "session")
        # Without script it is the same page.
        self.assertEqual(self.page(f"/sessions/{self.refused}", javascript=False)
                         .count("tr.event.rule"), 1)

    def test_sessions_list_filters_by_rule(self):
        page = self.page("/sessions?rule=first-mail")
        links = page.evaluate("[...document.querySelectorAll('table.sessions tbody tr td a')]"
                              ".map(a => a.textContent)")
        self.assertEqual(links, [str(self.refused)])
        self.screenshot(self.page("/sessions"), "sessions")

    def test_message_page_shows_the_raw_source(self):
        (message,) = [m for m in self.server.messages()["messages"]
                      if m["session_id"] == self.delivered]
        page = self.page(f"/messages/{message['id']}")
        source = page.evaluate("document.querySelector('pre.source').textContent")
        raw = self.server.raw(message["id"]).decode()
        self.assertTrue(source.startswith("Received: from swaks.test"), source[:200])
        self.assertIn("Subject: seen in the browser\\r\\n", source)
        self.assertIn("body marker 41c9", source)
        # Every line of the stored octets, in order, as the one escaper writes it.
        self.assertEqual(source, "".join(escaped(line) + "\n" for line in lines(raw)))
        self.assertEqual(page.count(f"a[href='/sessions/{self.delivered}']"), 1)
        self.assertEqual(page.count(f"a[href='/messages/{message['id']}.eml']"), 1)
        self.screenshot(page, "message")

    def test_rules_editor_shows_the_error_and_keeps_the_old_rules(self):
        page = self.page("/rules")
        fill = ("document.querySelector('textarea[name=rules]').value = " + repr(BAD_RULES) +
                "; document.querySelector('form[action=\"/rules\"]').submit()")
        page.submit(fill, self.base + "/rules")
        # The refusal is a 400 (scripts that post the form see it), which
        # Chromium logs for the page's own answer; nothing else may appear.
        status_400 = ("log error (network): Failed to load resource: the server responded "
                      "with a status of 400 (Bad Request)")
        self.assertEqual([p for p in page.problems() if p != status_400], [])
        self.assertEqual(page.problems().count(status_400), 1)
        error = page.evaluate("document.getElementById('rules-error').textContent")
        self.assertRegex(error, r"rules:1: .*299")
        names = page.evaluate("[...document.querySelectorAll("
                              "'table.rules tbody tr td:nth-child(2)')].map(td => td.textContent)")
        self.assertEqual(names, ["first-mail"])
        self.assertEqual([r["name"] for r in self.server.rules()["rules"]], ["first-mail"])
        self.assertEqual(page.evaluate("document.querySelector('textarea').value"), BAD_RULES)
        self.screenshot(page, "rules-error")

    def test_hostile_transcript_renders_as_text_with_script_on(self):
        for path in (f"/sessions/{self.hostile_session}", "/sessions", "/messages"):
            with self.subTest(path=path):
                page = self.page(path)
                self.assertEqual(page.count("script"), 0)
                self.assertEqual(page.count("img"), 0)
                self.assertNotIn("Page.javascriptDialogOpening",
                                 [m.get("method") for m in page.events])
        page = self.page(f"/sessions/{self.hostile_session}")
        texts = [text for _, text in page.evaluate(ROWS)]
        self.assertIn("EHLO " + HOSTILE_SHOWN + "\\r\\n", texts)
        self.screenshot(page, "hostile-session")
        (message,) = [m for m in self.server.messages()["messages"]
                      if m["session_id"] == self.hostile_session]
        page = self.page(f"/messages/{message['id']}")
        self.assertEqual(page.count("script"), 0)
        source = page.evaluate("document.querySelector('pre.source').textContent")
        self.assertIn("Subject: " + HOSTILE_SHOWN + "\\r\\n", source)
        self.assertIn("body " + HOSTILE_SHOWN + "\\r\\n", source)
        self.screenshot(page, "hostile-message")


if __name__ == "__main__":
    unittest.main()
