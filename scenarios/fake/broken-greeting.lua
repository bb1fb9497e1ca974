-- BROKEN ON PURPOSE: the greeting names no domain.
--
-- Breaks: RFC 5321 §4.2, "An SMTP server SHOULD use the text shown in the
-- examples whenever appropriate", with §4.2.2's "220 <domain> Service
-- ready": a 220 greeting starts with the server's Domain or address-literal,
-- "220 mx.example.org ESMTP". This server greets with "220 *** fake-smtpd ready": "***" is
-- neither a Domain (a sub-domain starts with a letter or digit) nor an
-- address-literal (in brackets).
--
-- Warns: docs/CONFORMANCE.md G1 (a SHOULD). The code is still
-- 220 and the session works as usual after it.
-- expect-warn: G1
--
-- Everything else is the default server. `raw` sends the bytes exactly; a
-- `reply` of 220 would put the host name first.
rule {
  name = "greeting-without-domain",
  on = "connect",
  raw = "220 *** fake-smtpd ready\r\n",
}
