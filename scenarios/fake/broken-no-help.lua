-- BROKEN ON PURPOSE: HELP is not supported.
--
-- Breaks: RFC 5321 §4.1.1.8, "SMTP servers SHOULD support HELP without
-- arguments" (the reply is 211 or 214, §4.3.2). This server does not offer
-- HELP: it is not advertised in EHLO, and HELP gets "502 5.5.1".
--
-- Warns: docs/CONFORMANCE.md C5 (a SHOULD). As HELP is no longer advertised, E4
-- (no advertised verb answered 502) still passes.
--
-- Everything else is the default server: a setting, no violation needed.
-- expect-warn: C5
server {
  disable = { "HELP" },
}
