-- BROKEN ON PURPOSE: DSN is advertised, but NOTIFY=SUCCESS is refused.
--
-- Breaks: RFC 3461 §5.1(b): a server that issues the DSN keyword "MUST
-- return the same response as it would to the same RCPT command without
-- those NOTIFY and/or ORCPT parameters", and "MUST NOT refuse a RCPT command
-- based on the presence or absence of any of these parameters". This server
-- refuses a RCPT whose NOTIFY asks for success notifications, as a site
-- that does not want to confirm deliveries might: "550 5.7.1 Success
-- notifications are not given".
--
-- Fails: docs/CONFORMANCE.md X4 (its RCPT half). The same RCPT without NOTIFY,
-- and NOTIFY=FAILURE or NEVER alone, are accepted as usual.
--
-- Everything else is the default server.
-- expect-fail: X4
rule {
  name = "no-success-notifications",
  on = "RCPT",
  arg = "*NOTIFY=SUCCESS*",
  reply = "550 5.7.1 Success notifications are not given",
}
