-- BROKEN ON PURPOSE: only 50 recipients per message.
--
-- Breaks: RFC 5321 §4.5.3.1.8. A server must accept at least 100
-- recipients in one transaction. This server answers the 51st and every
-- later RCPT with "452 4.5.3 Too many recipients" (the §4.5.3.1.10 reply,
-- at the wrong count); the first 50 are kept.
--
-- Fails: docs/CONFORMANCE.md L6.
-- expect-fail: L6
--
-- Everything else is the default server: a setting, no violation needed.
server {
  max_recipients = 50,
}
