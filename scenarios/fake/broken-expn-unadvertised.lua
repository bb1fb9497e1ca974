-- BROKEN ON PURPOSE: EXPN answers 250 although it is not advertised.
--
-- Breaks: RFC 5321 §3.5.2. A server that supports EXPN must list it as an
-- extension in its EHLO reply. This server does not list EXPN, yet answers
-- it with 250 and a made-up expansion (the default server answers 502).
--
-- Fails: docs/CONFORMANCE.md E5. VRFY still answers 252 (C6).
-- expect-fail: E5
--
-- Everything else is the default server. `raw` sends the bytes exactly; a
-- `reply` to a command must be 4xx or 5xx.
rule {
  name = "expn-says-yes",
  on = "EXPN",
  raw = "250 2.1.5 <list@fake-smtpd.test>\r\n",
}
