-- BROKEN ON PURPOSE: MAIL inside a transaction gets 501, not 503.
--
-- Breaks: RFC 5321 §4.1.4, "If the commands in a transaction are out of
-- order to the degree that they cannot be processed by the server, a 503
-- failure reply MUST be returned and the SMTP server MUST stay in the same
-- state". MAIL while a transaction is open is such a command. This server
-- answers it "501 5.5.1 Sender already specified", as if the argument were
-- wrong. The transaction is kept: the RCPT that follows still gets 250.
--
-- Fails: docs/CONFORMANCE.md S3.
--
-- Everything else is the default server. A hook rather than a rule: a rule
-- cannot tell that a transaction is open. `session.from` is "" for <>.
-- expect-fail: S3
function on_mail(session, cmd)
  if session.from ~= nil then
    return "501 5.5.1 Sender already specified"
  end
end
