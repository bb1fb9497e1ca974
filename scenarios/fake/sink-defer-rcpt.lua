-- A next hop that defers about one RCPT in five with
--
--   450 4.2.0 Mailbox busy, try again later
--
-- (RFC 5321 §4.2.2: 450 "mailbox unavailable", transient; RFC 3463 X.2.0
-- "other or undefined mailbox status"). Written for the sink of a relay's
-- load test, where the relay is the client that must try again:
--
--   smtp-harness load --target RELAY:PORT --sink 127.0.0.1:0 \
--       --sink-profile scenarios/fake/sink-defer-rcpt.lua --drain 60s
--
-- A relay that retries its deferred recipients (RFC 5321 §4.5.4.1) delivers
-- every message in the end: the result's delivery section then shows the
-- retries (counts.retried, attempts, retry_delay) and nothing lost. A relay
-- that gives up on a 450, or bounces it, loses or bounces those recipients.
-- The other recipients of the same transaction are accepted, so a relay
-- that sends several recipients at once must retry only the deferred ones.
--
-- As a fake-smtpd profile it does the same to any client:
--
--   fake-smtpd scenarios/fake/sink-defer-rcpt.lua --seed 42
--
-- The choice is random but reproducible: each session draws from its own
-- generator, seeded from --seed and the session number.
rule {
  name = "defer-rcpt",
  on = "RCPT",
  select = { chance = 0.2 },
  reply = "450 4.2.0 Mailbox busy, try again later",
}
