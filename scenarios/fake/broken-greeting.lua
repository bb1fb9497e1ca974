-- BROKEN ON PURPOSE: the greeting names no domain.
--
-- Breaks: RFC 5321 §4.2 (the Greeting grammar) and §4.3.1: a 220 greeting
-- starts with the server's Domain or address-literal, "220 mx.example.org
-- ESMTP". This server greets with "220 *** fake-smtpd ready": "***" is
-- neither a Domain (a sub-domain starts with a letter or digit) nor an
-- address-literal (in brackets).
--
-- Fails: CONFORMANCE G1. The code is still 220 and the session works as
-- usual after it.
-- expect-fail: G1
--
-- Everything else is the default server. `raw` sends the bytes exactly; a
-- `reply` of 220 would put the host name first.
rule {
  name = "greeting-without-domain",
  on = "connect",
  raw = "220 *** fake-smtpd ready\r\n",
}
