-- BROKEN ON PURPOSE: AUTH PLAIN and LOGIN are offered before STARTTLS.
--
-- Breaks: RFC 4954 §4 (and its Security Considerations, §9): a server
-- SHOULD NOT offer mechanisms that send the password in the clear, PLAIN
-- and LOGIN, on a connection that is not encrypted. This server advertises
-- "AUTH PLAIN LOGIN" in the clear-text EHLO reply.
--
-- Warns: docs/CONFORMANCE.md A1 (a SHOULD). AUTH itself works as usual, in
-- clear text and inside TLS.
--
-- Everything else is the default server: a setting, no violation needed.
-- expect-warn: A1
server {
  auth_cleartext = true,
}
