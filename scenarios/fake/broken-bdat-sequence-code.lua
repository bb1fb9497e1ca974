-- BROKEN ON PURPOSE: BDAT after BDAT LAST gets 554 instead of 503.
--
-- Breaks: RFC 3030 §2: "Any BDAT command sent after the BDAT LAST is
-- illegal and MUST be replied to with a 503 "Bad sequence of commands"
-- reply code." This server refuses a BDAT outside a transaction as if the
-- transaction had no recipient: "554 5.5.1 No valid recipients". The chunk
-- is still read and discarded, and the client is still protected: only the
-- code is wrong, and RFC 3030 names that code.
--
-- Fails: docs/CONFORMANCE.md K3 (its "BDAT after BDAT LAST" half). E4's BDAT
-- outside a transaction gets the 554 too, which is not 500 or 502: E4 passes.
--
-- Everything else is the default server. A hook rather than a rule: a rule
-- cannot tell that no transaction is open.
-- expect-fail: K3
function on_bdat(session, cmd)
  if session.from == nil then
    return "554 5.5.1 No valid recipients"
  end
end
