-- A server that dies in the middle: the third message it receives (counted
-- over all connections) is answered, after its final dot,
--
--   421 4.3.2 Shutting down, closing connection
--
-- and not stored. From then on the server is "down": every new connection
-- gets a 421 greeting and is closed (RFC 5321 §3.1, §3.8), and sessions that
-- were already open get 421 to their next command.
--
--   fake-smtpd scenarios/fake/dying-server.lua
--
-- 421 is "service not available, closing transmission channel" (RFC 5321
-- §4.2.2; fake-smtpd puts its host name first, §4.2); RFC 3463 X.3.2 is
-- "system not accepting network messages".
--
-- What a client sees: two messages accepted; the third gets 421 at the end
-- of DATA (a client must keep it queued: nothing was delivered), then every
-- attempt to reconnect is refused at the greeting. Restart fake-smtpd, or
-- DELETE /api/rules, to bring it back.
--
-- What the HTTP API shows: two messages; GET /api/rules shows "die" fired
-- once and the others counting the refusals since; the transcripts name the
-- rules.
rule {
  name = "die",
  on = ".",
  select = { nth = 3 },
  reply = "421 4.3.2 Shutting down, closing connection",
}

rule {
  name = "dead",
  on = "connect",
  after_rule = "die",
  reply = "421 4.3.2 Service not available, closing connection",
}

rule {
  name = "dead-sessions",
  on = "*",
  after_rule = "die",
  reply = "421 4.3.2 Service not available, closing connection",
}
