-- BROKEN ON PURPOSE: verbs are matched case-sensitively.
--
-- Breaks: RFC 5321 §2.4. Command verbs are not case-sensitive: "mail from:",
-- "Mail From:" and "MAIL FROM:" are the same command. This server answers
-- every verb that is not written in upper case with 500, and does not carry
-- it out.
--
-- Fails: docs/CONFORMANCE.md E3. Upper-case commands work as usual.
-- expect-fail: E3
--
-- Everything else is the default server. One hook per verb the server knows
-- (SCRIPTING.md, hooks); each sees the command line as the client sent it.
local verbs = { "EHLO", "HELO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP", "QUIT", "VRFY",
                "EXPN", "HELP", "STARTTLS", "AUTH" }
for _, verb in ipairs(verbs) do
  _G["on_" .. verb:lower()] = function(session, cmd)
    if cmd.line:sub(1, #verb) ~= verb then
      return "500 5.5.2 Command unrecognized"
    end
  end
end
