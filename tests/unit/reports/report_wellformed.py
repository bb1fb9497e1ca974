#!/usr/bin/python3
"""Check the HTML report and the load JUnit as real parsers read them.

usage: report_wellformed.py DIRECTORY     (what write_sample_reports wrote)
       report_wellformed.py --self-test   (the checks catch broken pages)

HTML (html.parser): every element closed in order (void elements aside), no
<script>, no event-handler attribute, no src, no link that leaves the page
(href only "#id", and every such id exists), ids unique, the
Content-Security-Policy meta before anything else can load, charts (<svg>)
and the checks table present; in hostile.html, the hostile strings arrive as
text: "<script>alert(1)</script>" is in the page's text, not its markup.
JUnit (xml.etree via junit_wellformed.check_layout): well-formed, counts
agree. Exit status 0 when all is well, 1 otherwise (each problem printed).
"""

import html.parser
import os
import sys
import xml.etree.ElementTree as ElementTree

import junit_wellformed

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
# Elements that can load or run something, which the policy must precede.
LOADING = {"style", "link", "script", "img", "svg", "iframe", "object", "embed", "video",
           "audio", "source", "body"}
# SVG elements this report writes self-closed.
SELF_CLOSED = {"line", "circle", "rect", "polyline", "path"}


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.problems = []
        self.ids = []
        self.links = []
        self.counts = {}
        self.classes = set()
        self.text = []
        self.csp_first = None

    def handle_starttag(self, tag, attrs):
        self.counts[tag] = self.counts.get(tag, 0) + 1
        attributes = dict(attrs)
        is_csp = (tag == "meta" and
                  attributes.get("http-equiv") == "Content-Security-Policy" and
                  "default-src 'none'" in attributes.get("content", ""))
        if self.csp_first is None and (is_csp or tag in LOADING):
            self.csp_first = is_csp
        if tag in ("script", "iframe", "object", "embed", "img", "link", "base", "form"):
            self.problems.append(f"<{tag}> element at {self.getpos()}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}> at {self.getpos()}")
            if name in ("src", "srcset", "action", "formaction", "background", "poster"):
                self.problems.append(f"{name}= on <{tag}> at {self.getpos()}")
            if name == "href" and not (value or "").startswith("#"):
                self.problems.append(f"href={value!r} leaves the page at {self.getpos()}")
            if name == "href":
                self.links.append(value[1:])
            if name == "id":
                self.ids.append(value)
            if name == "class":
                self.classes.update((value or "").split())
            if name == "style" and "url(" in (value or ""):
                self.problems.append(f"url() in a style attribute at {self.getpos()}")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            if tag not in SELF_CLOSED:
                self.problems.append(f"<{tag}/> is not an element written self-closed")
            self.stack.pop()

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> at {self.getpos()} closes {self.stack[-1:]}")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def check_page(text):
    """The problems of one HTML page, and the parser (for content checks)."""
    page = Page()
    page.feed(text)
    page.close()
    problems = list(page.problems)
    if page.stack:
        problems.append(f"elements left open: {page.stack}")
    if not page.csp_first:
        problems.append("the Content-Security-Policy meta is not the first thing that can load")
    duplicates = {i for i in page.ids if page.ids.count(i) > 1}
    if duplicates:
        problems.append(f"ids used twice: {sorted(duplicates)[:5]}")
    missing = set(page.links) - set(page.ids)
    if missing:
        problems.append(f"links to ids that do not exist: {sorted(missing)[:5]}")
    if "url(" in text or "@import" in text:
        problems.append("url() or @import in the page")
    return problems, page


def check_report(directory):
    problems = []
    for name, results in (("report.html", 2), ("hostile.html", 2)):
        with open(os.path.join(directory, name), encoding="utf-8", errors="strict") as f:
            text = f.read()
        page_problems, page = check_page(text)
        problems += [f"{name}: {p}" for p in page_problems]
        if page.counts.get("section", 0) != results:
            problems.append(f"{name}: {page.counts.get('section', 0)} sections, expected {results}")
        if page.counts.get("svg", 0) < 4:
            problems.append(f"{name}: {page.counts.get('svg', 0)} charts, expected at least 4")
        if "checks" not in page.classes:
            problems.append(f"{name}: no checks table")
        if page.counts.get("details", 0) < 4:
            problems.append(f"{name}: transcripts are not expandable (<details>)")
        text_content = "".join(page.text)
        if name == "hostile.html":
            for expected in ("Load run: <script>alert(1)</script>:25",
                             "<img src=x onerror=alert(1)>",
                             "</style> ]]> \"dq\" 'sq' &",
                             "250 ok <script>alert(1)</script> ]]> & \"q\" 'a'\\r\\n",
                             "250-bad \\xff, \\xc3(, \\xc0\\xaf, \\xed\\xa0\\x80"):
                if expected not in text_content:
                    problems.append(f"{name}: the text lacks {expected!r}")
    for name in ("load.xml", "hostile_load.xml"):
        path = os.path.join(directory, name)
        try:
            root = ElementTree.parse(path).getroot()
        except (OSError, ElementTree.ParseError) as error:
            problems.append(f"{name}: not well-formed: {error}")
            continue
        layout = []
        junit_wellformed.check_layout(root, layout)
        problems += [f"{name}: {p}" for p in layout]
    return problems


def self_test():
    """Each kind of broken page must be caught."""
    head = ("<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" "
            "content=\"default-src 'none'\"></head><body>")
    broken = {
        "script": head + "<script>alert(1)</script></body></html>",
        "handler": head + "<p onclick=\"x()\">x</p></body></html>",
        "image": head + "<img src=\"http://127.0.0.1:9/x.png\"></body></html>",
        "unclosed": head + "<table><tr><td>x</table></body></html>",
        "external link": head + "<a href=\"https://example.org/\">x</a></body></html>",
        "dangling link": head + "<a href=\"#nowhere\">x</a></body></html>",
        "no csp": "<!DOCTYPE html><html><head><style>p{}</style></head><body></body></html>",
        "css url": head + "<p style=\"background:url(http://x/)\">x</p></body></html>",
    }
    failures = []
    for what, text in broken.items():
        problems, _ = check_page(text)
        if not problems:
            failures.append(f"self-test: a page with {what} passed")
    good, _ = check_page(head + "<p id=\"a\"><a href=\"#a\">ok</a></p></body></html>")
    if good:
        failures.append(f"self-test: a good page was refused: {good}")
    return failures


def main(argv):
    if len(argv) != 2:
        print("usage: report_wellformed.py DIRECTORY | --self-test", file=sys.stderr)
        return 2
    problems = self_test() if argv[1] == "--self-test" else check_report(argv[1])
    for problem in problems:
        print(problem)
    if not problems:
        print("well-formed" if argv[1] != "--self-test" else "self-test: every broken page caught")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
