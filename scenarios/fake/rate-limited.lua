-- A rate limit per client address: each address may start 2 transactions a
-- second, with bursts of up to 3. A MAIL over the limit is answered
--
--   421 4.7.0 Too many messages, slow down
--
-- and the connection is closed (RFC 5321 §3.8: a server that must stop
-- serving a client answers 421 and closes; fake-smtpd also puts its host name
-- first, §4.2). 4.7.0 is RFC 3463's "other or undefined security status",
-- the code large providers use for rate limiting.
--
--   fake-smtpd scenarios/fake/rate-limited.lua
--
-- What a client sees: its first 3 quick messages are accepted; the next MAIL
-- gets 421 and the connection drops. Once the bucket has refilled (half a
-- second per token), a new connection is accepted again. A client that
-- reconnects at once and hammers the server keeps getting 421; a good one
-- backs off.
--
-- What the HTTP API shows: GET /api/rules counts how many MAIL commands the
-- rule saw and how many it refused ("fired"); "keys" is the number of client
-- addresses it is tracking. The transcript names the rule at each refusal.
rule {
  name = "rate-limit",
  on = "MAIL",
  -- The bucket holds `burst` tokens and refills at `rate`; a MAIL that finds
  -- it empty is over the limit (SCRIPTING.md, select.bucket).
  select = { bucket = { rate = "2/s", burst = 3 }, per = "ip" },
  reply = "421 4.7.0 Too many messages, slow down",
}
