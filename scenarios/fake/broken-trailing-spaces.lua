-- BROKEN ON PURPOSE: trailing white space before CRLF is refused.
--
-- Breaks: RFC 5321 §4.1.1, "receivers SHOULD tolerate trailing white space
-- before the terminating <CRLF>". This server answers any command line that
-- ends in a space with "501 5.5.2 Trailing white space", and does not carry
-- it out.
--
-- Warns: docs/CONFORMANCE.md C9 (a SHOULD). Commands without trailing spaces
-- work as usual.
--
-- Everything else is the default server. One hook per verb the server knows
-- (SCRIPTING.md, hooks); each sees the command line as the client sent it.
-- expect-warn: C9
local verbs = { "EHLO", "HELO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP", "QUIT", "VRFY",
                "EXPN", "HELP", "STARTTLS", "AUTH" }
for _, verb in ipairs(verbs) do
  _G["on_" .. verb:lower()] = function(session, cmd)
    if cmd.line:match("[ \t]$") then
      return "501 5.5.2 Trailing white space"
    end
  end
end
