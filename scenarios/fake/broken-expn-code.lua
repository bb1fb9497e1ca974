-- BROKEN ON PURPOSE: EXPN is refused with a code §4.3.2 does not list for it.
--
-- Breaks: RFC 5321 §4.2.3 and §4.3.2. §4.3.2 lists the replies each command
-- may get, and they SHOULD be adhered to; for EXPN they are 250, 252, 550,
-- 500, 502, 504 (and 421). This server refuses EXPN with
-- "554 5.7.1 EXPN not permitted", a code listed for DATA, not for EXPN.
--
-- Warns: docs/CONFORMANCE.md G4 (a SHOULD). EXPN is still not advertised and
-- not carried out (E5).
--
-- Everything else is the default server.
-- expect-warn: G4
rule {
  name = "expn-refused-with-554",
  on = "EXPN",
  reply = "554 5.7.1 EXPN not permitted",
}
