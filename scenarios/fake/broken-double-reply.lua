-- BROKEN ON PURPOSE: a command is answered twice.
--
-- Breaks: RFC 5321 §4.2, "an SMTP server MUST generate exactly one reply
-- for each command it receives" (after the greeting, a command and its reply
-- are a strict pair). This server answers VRFY without an argument with two
-- "501 5.5.4" lines, each a complete reply: a client that reads one reply per
-- command is one reply behind from then on.
--
-- Fails: docs/CONFORMANCE.md G3 (the NOOP after the bare VRFY reads VRFY's
-- second reply). VRFY with an address is answered once, as usual (C6).
--
-- Everything else is the default server. A hook rather than a rule: a rule's
-- `arg` glob cannot single out an empty argument. `raw` sends the bytes
-- exactly; a `reply` is always one reply.
-- expect-fail: G3
function on_vrfy(session, cmd)
  if not cmd.arg:find("%S") then
    return { raw = "501 5.5.4 Syntax: VRFY <address>\r\n501 5.5.4 Syntax: VRFY <address>\r\n" }
  end
end
