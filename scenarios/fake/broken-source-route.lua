-- BROKEN ON PURPOSE: a source route in RCPT is a syntax error.
--
-- Breaks: RFC 5321 §4.1.1.3: "Servers MUST be prepared to encounter a list
-- of source routes in the forward-path, but they SHOULD ignore the routes or
-- MAY decline to support the relaying they imply." This server does not
-- parse "<@a,@b:user@domain>" and answers "501 5.1.3 Bad recipient address
-- syntax", as if the route were not SMTP syntax.
--
-- Fails: docs/CONFORMANCE.md R4. A recipient without a route is accepted as
-- usual.
--
-- Everything else is the default server. A hook rather than a rule: the
-- server tolerates a space after the colon (docs/ARCHITECTURE.md, deviation
-- 5), which a glob would have to spell out.
-- expect-fail: R4
function on_rcpt(session, cmd)
  if cmd.arg:find("<%s*@") then
    return "501 5.1.3 Bad recipient address syntax"
  end
end
