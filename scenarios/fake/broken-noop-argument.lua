-- BROKEN ON PURPOSE: NOOP with an argument gets 501.
--
-- Breaks: RFC 5321 §4.1.1.9. NOOP may carry a parameter string, which the
-- server ignores, answering 250 all the same. This server answers
-- "NOOP xyz" with 501.
--
-- Fails: CONFORMANCE C1 (the "NOOP xyz" half). A bare NOOP, and NOOP with
-- only trailing spaces (C9), still get 250.
-- expect-fail: C1
--
-- Everything else is the default server. A hook rather than a rule: a glob
-- cannot tell "xyz" from trailing spaces.
function on_noop(session, cmd)
  if cmd.arg:find("%S") then
    return "501 5.5.4 NOOP takes no argument"
  end
end
