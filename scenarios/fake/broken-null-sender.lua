-- BROKEN ON PURPOSE: the null reverse-path is refused.
--
-- Breaks: RFC 1123 §5.2.9 and RFC 5321 §4.5.5. A server must accept
-- MAIL FROM:<>, the sender of delivery status notifications; refusing it
-- makes bounces undeliverable. This server refuses it with 550.
--
-- Fails: docs/CONFORMANCE.md R1. Any other sender is accepted as usual,
-- including MAIL FROM:<a@b> AUTH=<> (A8), which names <> only as a parameter.
-- expect-fail: R1
--
-- Everything else is the default server. Two rules, because the server
-- tolerates a space after the colon (docs/ARCHITECTURE.md, deviation 5).
rule {
  name = "refuse-null-sender",
  on = "MAIL",
  arg = "FROM:<>*",
  reply = "550 5.7.1 Null sender not accepted",
}
rule {
  name = "refuse-null-sender-after-space",
  on = "MAIL",
  arg = "FROM: <>*",
  reply = "550 5.7.1 Null sender not accepted",
}
