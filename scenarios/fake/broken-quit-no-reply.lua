-- BROKEN ON PURPOSE: QUIT closes the connection without a reply.
--
-- Breaks: RFC 5321 §4.1.1.10, "the receiver MUST send a "221 OK" reply, and
-- then close the transmission channel". This server closes at once.
--
-- Fails: docs/CONFORMANCE.md C3 (a FAIL of that sentence, not an ERROR).
-- INFO: O1, whose greeted sessions get no reply to QUIT.
-- expect-fail: C3
-- expect-info: O1
-- A hook rather than a rule: "QUIT x" keeps its usual 501 (C4).
function on_quit(session, cmd)
  if not cmd.arg:find("%S") then return { close = true } end
end
