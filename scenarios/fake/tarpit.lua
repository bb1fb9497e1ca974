-- A tarpit: a server that is slow on purpose, as some receivers are with
-- clients they distrust. The greeting comes after 1 s and every later reply
-- after 300 ms; the replies themselves are the correct ones.
--
--   fake-smtpd scenarios/fake/tarpit.lua
--
-- What a client sees: a slow but successful session. A message costs about
-- 1 s + 6 x 300 ms (greeting; EHLO, MAIL, RCPT, DATA, the final dot, QUIT).
-- A client with too short a timeout gives up; RFC 5321 §4.5.3.2 asks a
-- client to wait at least 5 minutes for the greeting, MAIL and RCPT replies,
-- 2 for DATA and 10 for the reply to the final dot.
--
-- What the HTTP API shows: GET /api/rules counts each delayed event; the
-- transcripts have an event per delay, naming the rule.
--
-- To make it nastier: raise the delays towards those limits
-- (delay = "4m"), drip the replies with `bandwidth = 1` (one octet a
-- second), or delay only some events (`select = { chance = 0.3 }`).
rule {
  name = "slow-greeting",
  on = "connect",
  delay = "1s",
}

rule {
  name = "slow-replies",
  -- "*" is every command; "." is the end of a message, a pseudo-command.
  on = { "*", "." },
  delay = "300ms",
}
