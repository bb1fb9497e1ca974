-- BROKEN ON PURPOSE: mail is refused until the client starts TLS.
--
-- Breaks: RFC 3207 §4: "a publicly-referenced SMTP server MUST NOT require
-- use of the STARTTLS extension in order to deliver mail locally". This
-- server answers MAIL in clear text with "530 5.7.0 Must issue a STARTTLS
-- command first"; inside TLS, MAIL works as usual.
--
-- Fails: docs/CONFORMANCE.md T5. Checks that open a transaction in clear text
-- take the 530 as a server that wants authentication first and SKIP, as they do
-- for a submission port.
--
-- Everything else is the default server.
-- expect-fail: T5
rule {
  name = "starttls-first",
  on = "MAIL",
  tls = false,
  reply = "530 5.7.0 Must issue a STARTTLS command first",
}
