-- A relay with intermittent trouble: about one RCPT in five is refused with
--
--   451 4.3.0 Temporary local problem, try again later
--
-- (RFC 5321 §4.2.2: 451 "local error in processing", transient; RFC 3463
-- X.3.0 "other or undefined mail system status"), and about one MAIL in
-- twenty is answered
--
--   421 4.3.2 System not accepting messages, closing connection
--
-- after which the connection is closed (RFC 5321 §3.8; RFC 3463 X.3.2
-- "system not accepting network messages").
--
--   fake-smtpd scenarios/fake/flaky-relay.lua --seed 42
--
-- What a client sees: most messages go through; some recipients are
-- deferred (a good client sends to the others and retries the deferred ones
-- later); now and then the session drops in the middle and the client must
-- reconnect. The failures are random but reproducible: each session draws
-- from its own generator, seeded from --seed (printed at start and written
-- to the ports file) and the session number, so the same seed and the same
-- client behaviour give exactly the same failures.
--
-- What the HTTP API shows: GET /api/rules gives the seed and, per rule, how
-- many events it saw and how many it failed; the transcripts name the rule
-- at each failure.
rule {
  name = "flaky-rcpt",
  on = "RCPT",
  select = { chance = 0.2 },
  reply = "451 4.3.0 Temporary local problem, try again later",
}

rule {
  name = "flaky-drop",
  on = "MAIL",
  select = { chance = 0.05 },
  reply = "421 4.3.2 System not accepting messages, closing connection",
}
