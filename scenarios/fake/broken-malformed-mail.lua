-- BROKEN ON PURPOSE: a MAIL with bad syntax is refused as a policy matter.
--
-- Breaks: RFC 5321 §4.1.4, "If the transaction beginning command argument
-- is not acceptable, a 501 failure reply MUST be returned and the SMTP
-- server MUST stay in the same state". This server answers a MAIL whose path
-- is not closed by ">" (MAIL FROM:<a@b) with "550 5.1.7 Invalid sender", a
-- refusal of the sender rather than of the syntax. No transaction is opened:
-- the RCPT that follows still gets 503.
--
-- Fails: docs/CONFORMANCE.md S5.
--
-- Everything else is the default server. A hook rather than a rule: a glob
-- cannot say "no closing bracket".
-- expect-fail: S5
function on_mail(session, cmd)
  if not cmd.arg:find("<[^>]*>") then
    return "550 5.1.7 Invalid sender"
  end
end
