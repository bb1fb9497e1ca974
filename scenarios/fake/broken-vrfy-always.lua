-- BROKEN ON PURPOSE: VRFY confirms any user.
--
-- Breaks: RFC 5321 §3.5.3. A 250 to VRFY says the string names a mailbox the
-- server knows; a server that cannot or will not verify answers 252 (or
-- 550/551/553 for a user it knows not to exist). This server answers 250 to
-- every VRFY, whatever the user: a false 250.
--
-- Fails: docs/CONFORMANCE.md C6. VRFY is still advertised, as by the default
-- server.
-- expect-fail: C6
--
-- Everything else is the default server. `raw` sends the bytes exactly; a
-- `reply` to a command must be 4xx or 5xx.
rule {
  name = "vrfy-says-yes",
  on = "VRFY",
  raw = "250 2.1.5 User exists\r\n",
}
