-- BROKEN ON PURPOSE: QUIT is answered 221, but the connection stays open.
--
-- Breaks: RFC 5321 §4.1.1.10. After the 221 reply to QUIT the server must
-- close the transmission channel. This server says 221 and goes on reading
-- commands (they are answered as usual) until the client closes or the idle
-- timeout ends the session.
--
-- Fails: docs/CONFORMANCE.md C3.
-- expect-fail: C3
-- The same rule answers "QUIT x" with 221 too, so C4 (arguments to
-- commands that take none) WARNs as well.
-- expect-warn: C4
--
-- Everything else is the default server. `raw` answers without carrying the
-- command out, so the QUIT is never acted on.
rule {
  name = "quit-stays",
  on = "QUIT",
  raw = "221 2.0.0 Bye\r\n",
}
