"""HTTP requests to fake-smtpd's web UI with every header under the test's
control (Host, Origin, Referer, Authorization, Cookie) and no redirect
followed, so that a test sees the 303 and its Set-Cookie itself. Standard
library only; each request has a timeout."""

import http.client
import urllib.parse

TIMEOUT = 10.0


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # http.client.HTTPMessage
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8")


def request(server, method, path, headers=None, body=None):
    """One request to `server`'s API port; `body` a str, bytes or a dict
    sent as an HTML form would send it."""
    headers = dict(headers or {})
    if isinstance(body, dict):
        body = urllib.parse.urlencode(body)
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    if isinstance(body, str):
        body = body.encode()
    conn = http.client.HTTPConnection(server.host, server.api_port, timeout=TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers)
        res = conn.getresponse()
        return Answer(res.status, res.headers, res.read())
    finally:
        conn.close()


def origin(server):
    """This server's own origin, as a browser names it."""
    return f"http://{server.host}:{server.api_port}"
