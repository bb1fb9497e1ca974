"""Headless Chromium driven over the DevTools protocol, standard library only.

Chromium is started with --remote-debugging-pipe: it reads protocol messages
(JSON, each ended by a NUL byte) from file descriptor 3 and writes replies
and events to descriptor 4, so no WebSocket and no port are needed. A
Chromium gets a temporary profile directory and is killed at the end.

Page.open() loads a file (open_url() a URL, submit() a form) and records
what a report or a page of fake-smtpd's web UI must never do:
  - a network request other than the pages it was sent to
    (Network.requestWillBeSent),
    or one that failed (Network.loadingFailed);
  - a console message (Runtime.consoleAPICalled), an uncaught exception
    (Runtime.exceptionThrown), a browser log entry of level warning or error
    (Log.entryAdded: failed loads, Content-Security-Policy violations);
  - a JavaScript dialog (Page.javascriptDialogOpening: an injected alert()).

Every wait is bounded by a deadline; every loop by a count.
"""

import base64
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CALL_TIMEOUT = 20.0
LOAD_TIMEOUT = 30.0
SETTLE_SECONDS = 1.0
MAX_MESSAGES = 200000


class ChromiumError(AssertionError):
    pass


class Chromium:
    """Use as a context manager: starts Chromium, kills it at the end."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="report-browser-profile-")
        self.stderr_path = os.path.join(self.profile, "stderr.txt")
        self.proc = None
        self.next_id = 0
        self.buffer = b""
        self.pending = []  # events read while waiting for a reply

    def start(self):
        if not os.access(CHROMIUM, os.X_OK):
            raise ChromiumError(f"{CHROMIUM} not found: install the Debian package 'chromium' "
                                f"(scripts/deps.sh installs it)")
        to_chromium_read, self.to_chromium = os.pipe()
        self.from_chromium, from_chromium_write = os.pipe()

        def descriptors_3_and_4():
            # dup first: a pipe end may already be 3 or 4.
            read_end, write_end = os.dup(to_chromium_read), os.dup(from_chromium_write)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
             "--remote-debugging-pipe", f"--user-data-dir={self.profile}", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--disable-sync",
             "--disable-background-networking", "--disable-component-update",
             "--hide-scrollbars", "--mute-audio", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.stderr,
            pass_fds=(3, 4), preexec_fn=descriptors_3_and_4, start_new_session=True)
        os.close(to_chromium_read)
        os.close(from_chromium_write)
        self.call("Browser.getVersion")
        return self

    def stop(self):
        if self.proc is None:
            return
        try:
            if self.proc.poll() is None:
                try:
                    self.send("Browser.close")
                except OSError:
                    pass
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait(timeout=5)
        finally:
            # Helpers Chromium started in its session (the zygote, renderers).
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            for fd in (self.to_chromium, self.from_chromium):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self.stderr.close()
            shutil.rmtree(self.profile, ignore_errors=True)
            self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- the protocol ----------------------------------------------------

    def send(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self.to_chromium, data):]
        return self.next_id

    def read(self, deadline):
        """The next message, or None when the deadline passes."""
        for _ in range(MAX_MESSAGES):
            if b"\0" in self.buffer:
                message, _, self.buffer = self.buffer.partition(b"\0")
                return json.loads(message)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            readable, _, _ = select.select([self.from_chromium], [], [], left)
            if not readable:
                return None
            chunk = os.read(self.from_chromium, 1 << 20)
            if not chunk:
                raise ChromiumError("Chromium closed the DevTools pipe; stderr:\n" +
                                    self.stderr_text())
            self.buffer += chunk
        raise ChromiumError("too many DevTools messages")

    def call(self, method, params=None, session=None, timeout=CALL_TIMEOUT):
        request = self.send(method, params, session)
        deadline = time.monotonic() + timeout
        for _ in range(MAX_MESSAGES):
            message = self.read(deadline)
            if message is None:
                raise ChromiumError(f"no reply to {method} within {timeout}s")
            if message.get("id") == request:
                if "error" in message:
                    raise ChromiumError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.pending.append(message)
        raise ChromiumError("too many DevTools messages")

    def stderr_text(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode(errors="replace")[-4000:]
        except OSError:
            return ""

    def new_page(self, javascript=True, width=1280, height=900):
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
        return Page(self, session, javascript, width, height)


class Page:
    """One tab. open() navigates and collects the problems listed above."""

    def __init__(self, browser, session, javascript, width, height):
        self.browser = browser
        self.session = session
        self.url = None
        self.expected = set()  # the URLs this page was sent to (open_url, submit)
        self.events = []
        for domain in ("Page", "Network", "Runtime", "Log", "DOM"):
            self.call(f"{domain}.enable")
        # With script off, the report must still read (README, "Reports").
        self.call("Emulation.setScriptExecutionDisabled", {"value": not javascript})
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def call(self, method, params=None, timeout=CALL_TIMEOUT):
        return self.browser.call(method, params, self.session, timeout)

    def _take_events(self):
        mine = [m for m in self.browser.pending if m.get("sessionId") == self.session]
        self.browser.pending = [m for m in self.browser.pending
                                if m.get("sessionId") != self.session]
        self.events += mine
        for message in mine:
            if message.get("method") == "Page.javascriptDialogOpening":
                # Close it, or the page would wait for a click forever.
                self.browser.send("Page.handleJavaScriptDialog", {"accept": True}, self.session)

    def open(self, path):
        return self.open_url("file://" + os.path.abspath(path))

    def open_url(self, url):
        """Navigates to `url` (a file or a page of a server under test)."""
        self.url = url
        self.expected.add(url)
        start = len(self.events)
        self.call("Page.navigate", {"url": url})
        return self._wait_for_load(start, url)

    def submit(self, expression, target_url):
        """Runs `expression`, which submits a form to `target_url`, and waits
        for the page the answer loads (after a redirect, the final one)."""
        self.expected.add(target_url)
        start = len(self.events)
        self.call("Runtime.evaluate", {"expression": expression})
        self._wait_for_load(start, target_url)
        self.url = self.evaluate("location.href")
        self.expected.add(self.url)
        return self

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page (DevTools runs it
        whatever the page's Content-Security-Policy says)."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise ChromiumError(f"{expression}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def _wait_for_load(self, start, what):
        deadline = time.monotonic() + LOAD_TIMEOUT
        loaded = False
        for _ in range(MAX_MESSAGES):
            self._take_events()
            if any(m.get("method") == "Page.loadEventFired" for m in self.events[start:]):
                loaded = True
                break
            message = self.browser.read(deadline)
            if message is None:
                break
            self.browser.pending.append(message)
        if not loaded:
            raise ChromiumError(f"{what} did not load within {LOAD_TIMEOUT}s")
        # What arrives just after the load event (a late console message, a
        # request from a timer): wait until the page has been quiet.
        quiet_until = time.monotonic() + SETTLE_SECONDS
        for _ in range(MAX_MESSAGES):
            message = self.browser.read(quiet_until)
            if message is None:
                break
            self.browser.pending.append(message)
            quiet_until = time.monotonic() + SETTLE_SECONDS
        self._take_events()
        return self

    def problems(self):
        """What the page did that a report must not do, one line each."""
        found = []
        for message in self.events:
            method = message.get("method")
            params = message.get("params", {})
            if (method == "Network.requestWillBeSent"
                    and params["request"]["url"] not in self.expected):
                found.append(f"request: {params['request']['url']}")
            elif method == "Network.loadingFailed":
                found.append(f"failed load: {params.get('errorText')}")
            elif method == "Runtime.consoleAPICalled":
                text = " ".join(str(a.get("value", a.get("description", "")))
                                for a in params.get("args", []))
                found.append(f"console.{params.get('type')}: {text}")
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {params['exceptionDetails'].get('text')}")
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("warning", "error"):
                entry = params["entry"]
                found.append(f"log {entry['level']} ({entry['source']}): {entry['text']}")
            elif method == "Page.javascriptDialogOpening":
                found.append(f"dialog {params.get('type')}: {params.get('message')}")
        return found

    # --- the document ----------------------------------------------------

    def count(self, selector):
        root = self.call("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        return len(self.call("DOM.querySelectorAll",
                             {"nodeId": root, "selector": selector})["nodeIds"])

    def html(self):
        root = self.call("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        return self.call("DOM.getOuterHTML", {"nodeId": root})["outerHTML"]

    def screenshot(self, path, max_height=16000):
        """The whole page (at most max_height CSS pixels) as a PNG file."""
        size = self.call("Page.getLayoutMetrics")["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"],
                "height": min(size["height"], max_height), "scale": 1}
        data = self.call("Page.captureScreenshot",
                         {"format": "png", "captureBeyondViewport": True, "clip": clip},
                         timeout=60)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return path
