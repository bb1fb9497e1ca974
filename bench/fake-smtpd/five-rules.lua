-- Benchmark profile for bench/fake-smtpd-rules.sh: a handful of realistic
-- fault-injection rules (the target, bench/README.md, is stated for "about
-- five") that fake-smtpd really evaluates on smtp-source's traffic, but that
-- never fire on it: smtp-source exits non-zero on any reply it does not
-- expect, which would fail the run.
--
-- smtp-source sends, on each of its connections (smtp-source(1) and what it
-- puts on the wire with the benchmark's options):
--   HELO <machine host name>
--   then per message: MAIL FROM:<foo@host>, RCPT TO:<foo@host>, DATA, the
--   message and its final dot; no RSET between messages (-d)
--   QUIT
-- So every condition below is tested and comes out false, and every counter
-- or token bucket below moves, on every event of its kind:
--   connect   1 rule  (an address match)
--   HELO      1 rule  (a glob)
--   MAIL      2 rules (a token bucket kept per client address, a glob)
--   RCPT      3 rules (two globs on the sender and the recipient, a glob)
--   DATA      1 rule  (a glob)
--   "."       1 rule  (a server-wide counter)
--   QUIT      1 rule  (a glob)
-- The rules being looked at for every command, with the "*" rule among them,
-- is the worst case for the per-command pre-check (RuleEngine::watches).

-- A network the server does not serve: RFC 5321 §3.1 allows 554 instead of
-- the greeting; every command but QUIT then gets 503.
rule {
  name = "no-service-for-10/8",
  on = "connect",
  ip = "10.0.0.0/8",
  reply = "554 5.7.1 No SMTP service for this network",
}

-- A rate limit per client address (as scenarios/fake/rate-limited.lua), set
-- far above what one machine's loopback can reach, so that every MAIL takes
-- a token and none ever finds the bucket empty.
rule {
  name = "mail-rate-limit",
  on = "MAIL",
  select = { bucket = { rate = "1000000/s" }, per = "ip" },
  reply = "421 4.7.0 Too many messages, slow down",
}

-- A sender refused at RCPT time, the way many servers judge the sender once
-- the recipient is known (RFC 5321 §3.3 lets a server refuse either).
rule {
  name = "spam-sender",
  on = "RCPT",
  from = "*@spam.example",
  reply = "550 5.7.1 Sender refused",
}

-- A mailbox that does not exist (RFC 3463 X.1.1).
rule {
  name = "blocked-mailbox",
  on = "RCPT",
  to = "*@blocked.example",
  reply = "550 5.1.1 No such mailbox",
}

-- A queue that fails now and then: every billionth message is refused with
-- a temporary error. The server-wide counter moves on every message; a
-- benchmark run sends far fewer than 10^9.
rule {
  name = "queue-hiccup",
  on = ".",
  select = { every = 1000000000 },
  reply = "451 4.3.0 Queue write failed, try again",
}

-- A tarpit for one client name: every answer to it is slowed down. Looked at
-- for every command (HELO, MAIL, RCPT, DATA, QUIT).
rule {
  name = "tarpit-one-client",
  on = "*",
  helo = "never.example",
  delay = "2s",
}
