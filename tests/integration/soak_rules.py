"""The API side of the server soak (soak.py): while the clients run, the
rules are replaced again and again over PUT /api/rules, with valid bodies
(which must be answered 200) and invalid ones (400, the rules in force kept:
SCRIPTING.md, "Changing rules at run time"), removed with DELETE, and the
other endpoints are read (GET /api/rules, /api/stats, /api/sessions and one
session's transcript). Any other answer, or none, is an API failure.

The valid rules match only the hostile clients (127.0.0.1, EHLO names under
hostile.test); the well-behaved ones come from 127.0.0.2, so their success
rate measures the server, not the rules. No greylist { } for that reason:
it would defer every first RCPT.
"""

import collections
import random
import threading
import time

VALID = (
    # Slow, refused, broken and cut-off answers for the hostile clients.
    """rule { name = "slow-ehlo", on = "EHLO", helo = "*.hostile.test",
       select = { chance = 0.5 }, delay = "200ms" }
rule { name = "refuse-mail", on = "MAIL", ip = "127.0.0.1", select = { every = 3 },
       reply = "451 4.3.0 soak: try again later" }""",
    """rule { name = "endless-data", on = "DATA", ip = "127.0.0.1", select = { chance = 0.3 },
       malformed = "endless" }
rule { name = "tls-alert", on = "tls", ip = "127.0.0.1", select = { chance = 0.5 },
       fail_tls = "alert" }""",
    """rule { name = "bdat-refused", on = "BDAT", ip = "127.0.0.1", select = { chance = 0.5 },
       reply = "552 5.3.4 soak: too big" }
rule { name = "reset-some", on = "*", helo = "*.hostile.test", select = { chance = 0.05 },
       reset = true }""",
    """rule { name = "stall-rcpt", on = "RCPT", ip = "127.0.0.1", select = { chance = 0.2 },
       stall = true }
rule { name = "trickle", on = "EHLO", ip = "127.0.0.1", bandwidth = 300 }
rule { name = "half-noop", on = "NOOP", ip = "127.0.0.1", partial = 3 }""",
    """rule { name = "rate", on = "MAIL", ip = "127.0.0.1",
       select = { bucket = { rate = "5/s", burst = 2 }, per = "session" },
       reply = "421 4.7.0 soak: slow down" }
rule { name = "after-rate", on = "RCPT", ip = "127.0.0.1", after_rule = "rate",
       malformed = "bare-lf" }""",
    # Nothing at all: every rule removed, by PUT.
    "",
)

INVALID = (
    'rule { on = "MAIL", reply = "999 not a reply code" }',
    'rule { on = "MAIL"',
    'server { max_size = 1 }',
    'violate "starttls-twice"',
    'rule { on = "MAIL" }',
    'rule { on = "tls", reply = "421 4.3.2 no" }',
    'greylist { delay = "soon" }',
    'error("soak: a body that fails")',
    # Runaway bodies: the instruction and the memory limit must stop them.
    'while true do end',
    'local s = string.rep("x", 1 << 30)',
    b"\x00\x01\x02 not Lua \xff\xfe",
)


class ApiChurn(threading.Thread):
    """Every api_every seconds, one of: PUT a valid body, PUT an invalid one,
    DELETE the rules, or read an endpoint. Counts each by its answer."""

    def __init__(self, server, plan, stop, deadline, api_failures):
        super().__init__(name="api-churn", daemon=True)
        self.server = server
        self.plan = plan
        self.stop = stop
        self.deadline = deadline
        self.api_failures = api_failures
        self.rng = random.Random(plan.seed)
        self.requests = collections.Counter()

    def run(self):
        steps = (self.put_valid, self.put_invalid, self.put_valid, self.put_invalid,
                 self.delete, self.read)
        for _ in range(10000000):
            if self.stop.wait(self.plan.api_every) or time.monotonic() >= self.deadline:
                return
            step = self.rng.choice(steps)
            try:
                step()
            except Exception as e:  # no answer at all
                self.api_failures.append(f"{step.__name__}: {type(e).__name__}: {e}"[:300])

    def expect(self, what, response, status):
        self.requests[f"{what} -> {response.status}"] += 1
        if response.status != status:
            self.api_failures.append(f"{what}: HTTP {response.status}, expected {status}: "
                                     f"{response.body[:200]!r}")

    def put(self, body, status, what):
        response = self.server.api("/api/rules", method="PUT", body=body,
                                   timeout=self.plan.timeout)
        self.expect(what, response, status)

    def put_valid(self):
        self.put(self.rng.choice(VALID), 200, "PUT /api/rules (valid)")

    def put_invalid(self):
        self.put(self.rng.choice(INVALID), 400, "PUT /api/rules (invalid)")

    def delete(self):
        self.expect("DELETE /api/rules",
                    self.server.api("/api/rules", method="DELETE", timeout=self.plan.timeout),
                    200)

    def read(self):
        for path in ("/api/rules", "/api/stats", "/api/sessions"):
            response = self.server.api(path, timeout=self.plan.timeout)
            self.expect(f"GET {path}", response, 200)
        sessions = self.server.api_json("/api/sessions", timeout=self.plan.timeout)["sessions"]
        if sessions:
            sid = self.rng.choice(sessions)["id"]
            response = self.server.api(f"/api/sessions/{sid}", timeout=self.plan.timeout)
            # 404: the session was forgotten (sessions_kept) in between.
            self.requests[f"GET /api/sessions/ID -> {response.status}"] += 1
            if response.status not in (200, 404):
                self.api_failures.append(f"GET /api/sessions/{sid}: HTTP {response.status}")
