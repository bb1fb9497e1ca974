-- The demo's server (scripts/demo.sh, the README's first command): a relay
-- on a bad day, with one real flaw.
--
-- The bulk sender (the load run's default sender, load@harness.test) meets
-- what a busy relay does to bulk mail:
--   * a per-sender rate limit: beyond 400 messages a second (bursts of 40)
--     a MAIL gets
--       451 4.7.1 Sender rate limit exceeded, try again later
--     (RFC 5321 §4.2.2 451 transient; RFC 3463 X.7.1 "delivery not
--     authorized", the code big providers use for rate limits);
--   * about one RCPT in fifty deferred with 450 4.2.1 (RFC 3463 X.2.1
--     "mailbox disabled, not accepting messages", transient);
--   * about one message in a hundred refused at the end of data with
--     554 5.6.0 (RFC 3463 X.6.0 "other or undefined media error");
--   * a slow disk: every end of data waits 15 ms, so the latency chart has
--     a floor to see;
--   * now and then (one session start in a hundred) 421 4.3.2 and the
--     connection is closed (RFC 5321 §3.8).
--
-- The flaw, for everyone: plaintext pipelined behind STARTTLS is kept and
-- run inside TLS (RFC 3207 §4.2, CVE-2011-0411). The compliance suite finds
-- it (check T4 FAILs); everything else about the server is correct, so the
-- other checks pass.
--
--   fake-smtpd scenarios/fake/demo-relay.lua --seed 42
violate "starttls-keeps-plaintext"

rule {
  name = "sender-rate-limit",
  on = "MAIL",
  from = "load@harness.test",
  select = { bucket = { rate = "400/s", burst = 40 }, per = "sender" },
  reply = "451 4.7.1 Sender rate limit exceeded, try again later",
}

rule {
  name = "mailbox-disabled",
  on = "RCPT",
  from = "load@harness.test",
  select = { chance = 0.02 },
  reply = "450 4.2.1 Mailbox temporarily disabled",
}

rule {
  name = "content-refused",
  on = ".",
  from = "load@harness.test",
  select = { chance = 0.01 },
  reply = "554 5.6.0 Message content refused",
}

rule {
  name = "slow-disk",
  on = ".",
  from = "load@harness.test",
  delay = "15ms",
}

rule {
  name = "overloaded",
  on = "EHLO",
  helo = "localhost",
  select = { chance = 0.01 },
  reply = "421 4.3.2 System not accepting messages, closing connection",
}
