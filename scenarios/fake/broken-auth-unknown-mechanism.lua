-- BROKEN ON PURPOSE: AUTH with an unknown mechanism gets 535.
--
-- Breaks: RFC 4954 §4: "If the requested authentication mechanism is
-- invalid (e.g., is not supported or requires an encryption layer), the
-- server rejects the AUTH command with a 504 reply." This server answers
-- "535 5.7.8 Authentication credentials invalid", as if a login had failed.
--
-- INFO: docs/CONFORMANCE.md A2. The sentence is descriptive ("rejects ... with
-- a 504 reply", no requirement keyword). PLAIN and LOGIN work as usual.
--
-- Everything else is the default server: AUTH (PLAIN, LOGIN; any
-- credentials) is offered only inside TLS. A hook rather than a rule: a glob
-- cannot say "neither PLAIN nor LOGIN".
-- expect-info: A2
function on_auth(session, cmd)
  local mechanism = (cmd.arg:match("^(%S+)") or ""):upper()
  if mechanism ~= "PLAIN" and mechanism ~= "LOGIN" then
    return "535 5.7.8 Authentication credentials invalid"
  end
end
