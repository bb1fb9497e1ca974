-- BROKEN ON PURPOSE: a second EHLO or HELO in a session is refused.
--
-- RFC 5321 §4.1.4 resets the session for an EHLO "acceptable to the SMTP
-- server" and lets a server find one not acceptable: this server answers
-- any EHLO or HELO after the first (until STARTTLS resets the session)
-- "503 5.5.1 Duplicate EHLO". The refused EHLO leaves the transaction as it
-- was, as §4.1.4 requires.
--
-- INFO: docs/CONFORMANCE.md E7 (no reset to judge). E6 judges its bare EHLO on
-- a fresh session and only the state after the refused repeat, and E3 sends
-- each form of EHLO on its own session: both pass. G4 sends EHLO and HELO each
-- on a session of its own: it passes too.
-- expect-info: E7
-- expect-pass: E3, E6, G4

-- Sessions that said EHLO or HELO, per TLS state (the handshake resets the
-- session, RFC 3207 §4.2). session.helo cannot tell: inside the hook it is
-- already the argument of the EHLO being answered.
local greeted = {}

local function once(session)
  local key = session.id .. (session.tls and "/tls" or "")
  if greeted[key] then return "503 5.5.1 Duplicate EHLO" end
  greeted[key] = true
end

function on_ehlo(session, cmd) return once(session) end
function on_helo(session, cmd) return once(session) end
