-- BROKEN ON PURPOSE: NOOP, HELP, RSET, VRFY and EXPN need EHLO first.
--
-- Breaks: RFC 5321 §4.1.4, "the NOOP, HELP, EXPN, VRFY, and RSET commands
-- can be used at any time during a session, or without previously
-- initializing a session. SMTP servers SHOULD process these normally (that
-- is, not return a 503 code) even if no EHLO command has yet been received".
-- This server answers each of them "503 5.5.1 Send EHLO first" until the
-- client has sent EHLO or HELO.
--
-- Warns: docs/CONFORMANCE.md S4 (a SHOULD). After EHLO every command works as
-- usual.
--
-- Everything else is the default server. One hook per verb; `session.helo`
-- is nil until EHLO or HELO.
-- expect-warn: S4
for _, verb in ipairs({ "noop", "help", "rset", "vrfy", "expn" }) do
  _G["on_" .. verb] = function(session, cmd)
    if session.helo == nil then
      return "503 5.5.1 Send EHLO first"
    end
  end
end
