-- BROKEN ON PURPOSE: an ENVID with an xtext escape is refused.
--
-- Breaks: RFC 3461 §5.1(a): a server that issues the DSN keyword "MUST
-- return the same reply-code as it would to the same MAIL command without
-- the ENVID and/or RET parameters". ENVID is xtext (§4, §4.4), where "+2B"
-- stands for "+"; this server does not decode xtext and refuses any ENVID
-- holding a "+" as a syntax error: "501 5.5.4 Bad ENVID syntax".
--
-- Fails: docs/CONFORMANCE.md X4 (its MAIL half). An ENVID without "+" is
-- accepted as usual.
--
-- Everything else is the default server.
-- expect-fail: X4
rule {
  name = "envid-without-xtext",
  on = "MAIL",
  arg = "*ENVID=*+*",
  reply = "501 5.5.4 Bad ENVID syntax",
}
