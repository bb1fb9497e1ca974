-- BROKEN ON PURPOSE: RCPT without MAIL gets 550 instead of 503.
--
-- Breaks: RFC 5321 §3.3 and §4.1.4. RCPT before MAIL is a command out of
-- sequence: "If ... the RCPT command appears without a previous MAIL
-- command, the server MUST return a 503 'Bad sequence of commands'
-- response". This server answers it "550 5.5.1 No sender given", a
-- permanent refusal of the recipient.
--
-- Fails: docs/CONFORMANCE.md S1. (S5's RCPT after a refused MAIL gets the 550
-- too, but a refusal shows no transaction was opened: S5 passes.)
--
-- Everything else is the default server. A hook rather than a rule: a rule
-- cannot tell that no transaction is open.
-- expect-fail: S1
function on_rcpt(session, cmd)
  if session.from == nil then
    return "550 5.5.1 No sender given"
  end
end
