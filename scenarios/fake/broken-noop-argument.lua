-- BROKEN ON PURPOSE: NOOP with an argument gets 500.
--
-- Breaks: RFC 5321 §4.1.1.9. NOOP may carry a parameter string, which the
-- server ignores, answering 250 all the same. This server answers
-- "NOOP xyz" with 500, as one real server does.
--
-- Warns: docs/CONFORMANCE.md C1 (the "NOOP xyz" half: "servers SHOULD ignore
-- it"). A bare NOOP, and NOOP with only trailing spaces (C9), still get 250.
-- L1's 512-octet line is a NOOP with an argument: it gets the same 500 as "NOOP
-- x", a refusal of the argument, not of the length, so L1 passes.
-- expect-warn: C1
--
-- Everything else is the default server. A hook rather than a rule: a glob
-- cannot tell "xyz" from trailing spaces.
function on_noop(session, cmd)
  if cmd.arg:find("%S") then
    return "500 5.5.2 NOOP takes no argument"
  end
end
