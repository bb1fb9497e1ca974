"""The HTML report in headless Chromium.

A load result and a check result from real runs of this build are rendered
into one page by `smtp-harness report`, opened with JavaScript off, and must
make no network request and no console message while showing its charts
(<svg>) and the check table; a PNG screenshot is saved as an artifact
($REPORT_ARTIFACTS/report.png, printed). The sample of a run with --sink is
rendered too, its delivery section under the same rules (sink.png). Results from a hostile server
(markup, quotes, bytes that are not UTF-8 in its banner and replies) are
rendered too and opened with JavaScript ON: nothing may run, the hostile
text must be in the page as text. A negative test proves the detector: a
page with console.error() and an <img> from the network is caught, and so
is an image blocked by a Content-Security-Policy.
"""

import html.parser
import os
import shutil
import tempfile
import unittest

import chromium
import png
import results

ARTIFACTS = os.environ.get("REPORT_ARTIFACTS") or tempfile.gettempdir()


class Text(html.parser.HTMLParser):
    """The text of a document and the attributes of its elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.handlers = []

    def handle_starttag(self, tag, attrs):
        self.handlers += [f"<{tag} {name}=...>" for name, _ in attrs if name.startswith("on")]

    def handle_data(self, data):
        self.parts.append(data)


def text_of(document):
    parser = Text()
    parser.feed(document)
    parser.close()
    return "".join(parser.parts), parser.handlers


class ReportInChromium(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="report-browser-")
        check, load = results.real_results(cls.tmp)
        cls.page_path = results.report([load, check], os.path.join(cls.tmp, "report.html"))
        hostile_check, hostile_load = results.hostile_results(cls.tmp)
        cls.hostile_path = results.report([hostile_check, hostile_load],
                                          os.path.join(cls.tmp, "hostile.html"))
        cls.sink_path = results.report([results.sink_result(cls.tmp)],
                                       os.path.join(cls.tmp, "sink.html"))
        cls.browser = chromium.Chromium().start()

    @classmethod
    def tearDownClass(cls):
        cls.browser.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_report_renders_without_script_requests_or_console_errors(self):
        page = self.browser.new_page(javascript=False).open(self.page_path)
        self.assertEqual(page.problems(), [])
        # Two results, each a section; the load section's four charts.
        self.assertEqual(page.count("section.result"), 2)
        self.assertGreaterEqual(page.count("section.load svg.chart"), 4)
        self.assertGreaterEqual(page.count("svg.chart polyline"), 4, "throughput lines drawn")
        self.assertGreater(page.count("svg.chart rect"), 0, "histogram bars drawn")
        # The check table, a row per check, transcripts behind <details>.
        self.assertGreater(page.count("section.check table.checks tbody tr"), 40)
        self.assertGreater(page.count("section.check details > summary"), 40)
        self.assertEqual(page.count("script"), 0)
        # The first screens (what a README shows), and the whole page.
        path = page.screenshot(os.path.join(ARTIFACTS, "report.png"), max_height=2600)
        full = page.screenshot(os.path.join(ARTIFACTS, "report-full.png"), max_height=30000)
        print(f"\nscreenshots: {path}, {full}")
        width, height, colours = png.describe(path, rows=200)
        self.assertEqual((width, height), (1280, 2600))
        self.assertGreater(colours, 8, "the screenshot is not blank")
        self.assertGreater(png.describe(full, rows=1)[1], 2600)

    def test_delivery_section_renders_without_script_requests_or_console_errors(self):
        page = self.browser.new_page(javascript=False).open(self.sink_path)
        self.assertEqual(page.problems(), [])
        # The load section's four charts and the delivery's three: two
        # latency distributions and delivered beside accepted per second.
        self.assertEqual(page.count("section.load svg.chart"), 7)
        self.assertEqual(page.count("#r1-delivery"), 1)
        self.assertEqual(page.count("#r1-delivery-latency"), 1)
        self.assertEqual(page.count("table.delivery tbody tr"), 9)
        self.assertGreater(page.count("table.attempts tbody tr"), 0)
        self.assertGreaterEqual(page.count("svg.chart polyline"), 7, "delivery lines drawn")
        self.assertEqual(page.count("script"), 0)
        path = page.screenshot(os.path.join(ARTIFACTS, "sink.png"), max_height=30000)
        print(f"\nscreenshot: {path}")
        self.assertGreater(png.describe(path, rows=200)[2], 8, "the screenshot is not blank")

    def test_hostile_result_is_shown_as_text_and_nothing_runs(self):
        # JavaScript on: if any markup slipped through, it would run here.
        page = self.browser.new_page(javascript=True).open(self.hostile_path)
        self.assertEqual(page.problems(), [])
        self.assertEqual(page.count("script"), 0)
        self.assertEqual(page.count("img"), 0)
        self.assertEqual(page.count("iframe, object, embed, link, style"), 1, "one <style> only")
        text, handlers = text_of(page.html())
        self.assertEqual(handlers, [])
        for expected in ("220 hostile.test ESMTP <script>alert(1)</script> \"dq\" 'sq' & "
                         "</style> ]]> \u2028 \\xe2\\x80\\xae\\r\\n",
                         "250-hostile.test <img src=x onerror=alert(2)>\\r\\n",
                         "500 5.5.1 <script>alert(4)</script> \\x00 \\x1b[31m \\xff\\xfe\\xc3( "):
            self.assertIn(expected, text)
        page.screenshot(os.path.join(ARTIFACTS, "hostile.png"), max_height=3000)

    def test_detector_catches_console_errors_and_requests(self):
        negative = os.path.join(self.tmp, "negative.html")
        with open(negative, "w", encoding="utf-8") as f:
            f.write("<!DOCTYPE html><html><head><title>negative</title></head><body><p>x</p>"
                    "<script>console.error('boom')</script>"
                    "<img src=\"http://127.0.0.1:9/x.png\"></body></html>")
        problems = self.browser.new_page(javascript=True).open(negative).problems()
        self.assertIn("console.error: boom", problems)
        self.assertIn("request: http://127.0.0.1:9/x.png", problems)

    def test_detector_catches_what_a_content_security_policy_blocks(self):
        blocked = os.path.join(self.tmp, "blocked.html")
        with open(blocked, "w", encoding="utf-8") as f:
            f.write("<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" "
                    "content=\"default-src 'none'\"><title>blocked</title></head><body>"
                    "<img src=\"http://127.0.0.1:9/y.png\"></body></html>")
        problems = self.browser.new_page(javascript=False).open(blocked).problems()
        self.assertTrue(any("y.png" in p for p in problems), problems)


if __name__ == "__main__":
    unittest.main()
