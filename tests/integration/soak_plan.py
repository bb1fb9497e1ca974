"""The soaks' plans and pass marks, in one place: how long they run, how many
clients of each kind they start, and what they must show. scripts/soak.sh
and the ctest entries (test_soak_server.py, test_soak_reversed.py) pick a
plan here; a lead who wants other numbers changes them here only.

Two plans of the server soak (soak.py):
  LONG   on demand (scripts/soak.sh, 10 minutes by default): 10,000 idle
         sessions, the RSS judged (on any build; it means most on release).
  SHORT  CI (integration.soak.server, against the asan build): 50 s, 1,000
         idle sessions and fewer clients of each kind, so that it costs
         little CPU beside the other tests; the RSS is reported, not judged
         (ASan's quarantine inflates it, and a minute cannot show a plateau).
"""

import dataclasses

# --- pass marks ------------------------------------------------------------------

# Every message a well-behaved client sends must come back from the API,
# byte for byte: a share of 1.0.
REQUIRED_SUCCESS_RATE = 1.0
# ASan/UBSan/LSan reports in fake-smtpd's (or smtp-harness's) stderr.
SANITIZER_REPORTS_ALLOWED = 0
# Requests to the HTTP API that got no answer, or not the one expected.
API_FAILURES_ALLOWED = 0
# The RSS is sampled from the start. The first minute is a warm-up: the
# idle sessions are opened and the bounded structures (the message store,
# the kept transcripts: store_limit and sessions_kept below) fill, so the
# RSS climbs. The baseline is the minute after it; the RSS plateaus when the
# median of the last minute's samples is at most this much above the
# baseline's median. What grows past that is a leak or a bound that does not
# hold.
RSS_WARMUP_SECONDS = 60
RSS_GROWTH_ALLOWED = 0.10
RSS_SLACK_KB = 8 * 1024
# A run shorter than this reports its RSS but does not judge it: the
# baseline and the last minute would overlap.
RSS_JUDGED_FROM_SECONDS = 180

# --- the server soak -------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Workers:
    """`count` clients of one kind at once; each waits `pause` seconds
    between the end of a session and the start of its next."""
    count: int
    pause: float


@dataclasses.dataclass(frozen=True)
class ServerSoakPlan:
    name: str
    seconds: float
    idle_sessions: int
    # The hostile kinds (soak_hostile.KINDS) and how many of each.
    hostile: dict
    # Well-behaved smtplib clients, and the pause after each message.
    senders: Workers
    # One byte every `drip` seconds from each slowloris client, for at most
    # `slowloris_seconds` per session.
    drip: float = 0.3
    slowloris_seconds: float = 20.0
    # PUT/DELETE /api/rules and a read of the other endpoints, every so often.
    api_every: float = 0.5
    rss_every: float = 5.0
    verify_every: float = 0.5
    # fake-smtpd's --store-limit and --sessions-kept: small enough that the
    # store and the kept transcripts are full within the first minute.
    store_limit: int = 500
    sessions_kept: int = 200
    seed: int = 5321
    # Per-request and per-reply bound of the well-behaved clients and the
    # API requests: generous, since a timeout is a failure of the soak.
    timeout: float = 30.0
    # The same bound for the hostile clients, whose outcome is only counted;
    # short, so that the soak's end does not wait long for one a rule stalls.
    hostile_timeout: float = 5.0

    def with_seconds(self, seconds):
        return dataclasses.replace(self, seconds=seconds)

    def with_idle_sessions(self, count):
        return dataclasses.replace(self, idle_sessions=count)


LONG = ServerSoakPlan(
    name="long",
    seconds=600,
    idle_sessions=10000,
    hostile={
        "garbage": Workers(1, 0.2),
        "long_line": Workers(1, 0.5),
        "slowloris": Workers(16, 0.0),
        "tls_garbage": Workers(2, 0.2),
        "vanish_mid_data": Workers(2, 0.1),
        "vanish_mid_bdat": Workers(1, 0.2),
        "bdat_huge": Workers(1, 0.5),
    },
    senders=Workers(4, 0.02),
)

SHORT = ServerSoakPlan(
    name="short",
    seconds=50,
    idle_sessions=1000,
    hostile={
        "garbage": Workers(1, 0.5),
        "long_line": Workers(1, 1.0),
        "slowloris": Workers(4, 0.0),
        "tls_garbage": Workers(1, 0.5),
        "vanish_mid_data": Workers(1, 0.3),
        "vanish_mid_bdat": Workers(1, 0.5),
        "bdat_huge": Workers(1, 1.0),
    },
    senders=Workers(2, 0.1),
    slowloris_seconds=10.0,
    api_every=1.0,
    rss_every=2.0,
)

PLANS = {plan.name: plan for plan in (LONG, SHORT)}

# --- the reversed soak -------------------------------------------------------------

# smtp-harness load and check against each hostile server (rawserver.py) of
# soak_reversed.py: how long a load run lasts, the timeouts both are given,
# and how long either may take before it counts as a hang. The dripped
# greeting is there to meet the short timeout (the check's ~80 probes wait
# it out one after another); the other servers end each session by what
# they do, and the long one only keeps a test server that a loaded machine
# makes late from looking like a timeout. The RSS bound is
# loadharness.RSS_LIMIT_KB, the one the load failure tests use.
REVERSED_LOAD_SECONDS = 2
REVERSED_SHORT_TIMEOUT = "1s"
REVERSED_TIMEOUT = "5s"
REVERSED_LOAD_HANG_SECONDS = 60.0
REVERSED_CHECK_HANG_SECONDS = 240.0
