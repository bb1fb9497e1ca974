-- BROKEN ON PURPOSE: AUTH without a mechanism gets 500, and AUTH is offered
-- in clear text.
--
-- A real server answers a bare AUTH (no mechanism: a malformed command) "500
-- Unrecognized command". That says nothing about whether AUTH is recognised:
-- with a mechanism it works. docs/CONFORMANCE.md E4 probes AUTH with an
-- advertised mechanism, so it passes; a bare probe would have taken the 500 for
-- "advertised but not recognised" (RFC 5321 §4.2.4).
--
-- Warns: docs/CONFORMANCE.md A1 (PLAIN and LOGIN offered before STARTTLS, which
-- E4's plain sessions need to see AUTH at all).
-- expect-warn: A1
-- expect-pass: E4
server { auth_cleartext = true }

function on_auth(session, cmd)
  if not cmd.arg:find("%S") then return "500 5.5.1 Unrecognized command" end
end
