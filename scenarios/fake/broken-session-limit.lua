-- BROKEN ON PURPOSE: sessions over the limit are dropped without a word.
--
-- Breaks: RFC 5321 §3.8. A server may close a connection only after a 421
-- (or a QUIT, or a timeout); one that cannot take another session says
-- "421" in place of the greeting, and the client knows to come back later.
-- This server serves 10 sessions at once and closes the 11th and later
-- connections at once, without a reply: the client cannot tell a busy
-- server from a broken one.
--
-- INFO: docs/CONFORMANCE.md O1 (no sentence requires a reply at connection
-- time), whose 20 sessions at once reach the limit. Without the violation,
-- max_sessions = 10 gives each of them "421 4.3.2 ... Too many sessions".
--
-- Only O1 is run against it: the suite runs 8 checks at once, and a check
-- that lost a session to the limit would end in ERROR for no fault of its
-- own.
-- only: O1
-- expect-info: O1
server {
  max_sessions = 10,
}
violate "drops-sessions-over-limit"
