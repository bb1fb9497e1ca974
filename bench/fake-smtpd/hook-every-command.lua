-- Benchmark profile for bench/fake-smtpd-rules.sh: a Lua hook on every
-- command (bench/README.md: throughput within 25% of no rules with a Lua hook
-- on every command). Each hook does a little real work on its arguments, the
-- kind of check a profile would make, and returns nil: smtp-source exits
-- non-zero on any reply it does not expect, so nothing here may refuse its
-- traffic.
--
-- smtp-source sends HELO, then MAIL, RCPT, DATA and the message per message,
-- then QUIT (no EHLO, no RSET with -d); on_connect runs before the greeting
-- and on_message at each final dot. on_ehlo and on_rset are defined too, so
-- that a client that sends them also finds a hook on every command.
--
-- A hook costs a Lua call with a session view and a fresh cmd table built by
-- fake-smtpd (SCRIPTING.md, Hooks); the work inside is small on purpose.

local SPAM_DOMAIN = "@spam.example"
local BLOCKED_DOMAIN = "@blocked.example"
local MAX_RECIPIENTS = 100
local MAX_MESSAGE = 10 * 1024 * 1024

-- Commands the hooks have looked at (an upvalue, as a profile keeping a
-- count would have).
local commands_seen = 0

-- A network the server does not serve (RFC 5321 §3.1: 554 for a greeting).
function on_connect(session)
  if session.ip:find("^10%.") then return "554 5.7.1 No SMTP service for this network" end
  return nil
end

-- A tarpit for one client name.
local function greet(session, cmd)
  commands_seen = commands_seen + 1
  if cmd.arg:lower():find("never.example", 1, true) then return { delay = "2s" } end
  return nil
end
on_ehlo = greet
on_helo = greet

function on_mail(session, cmd)
  commands_seen = commands_seen + 1
  if cmd.arg:lower():find(SPAM_DOMAIN .. ">", 1, true) then return "550 5.7.1 Sender refused" end
  return nil
end

function on_rcpt(session, cmd)
  commands_seen = commands_seen + 1
  -- RFC 5321 §4.5.3.1.10: past the recipient limit, 452.
  if #session.to >= MAX_RECIPIENTS then return "452 4.5.3 Too many recipients" end
  if cmd.arg:lower():find(BLOCKED_DOMAIN .. ">", 1, true) then
    return "550 5.1.1 No such mailbox"
  end
  return nil
end

function on_data(session, cmd)
  commands_seen = commands_seen + 1
  for _, to in ipairs(session.to) do
    if to:find(BLOCKED_DOMAIN, 1, true) then return "554 5.7.1 No valid recipients" end
  end
  return nil
end

function on_message(session, message)
  -- RFC 3463 X.3.4: message too big for the system.
  if message.size > MAX_MESSAGE then return "552 5.3.4 Message too big" end
  return nil
end

function on_rset(session, cmd)
  commands_seen = commands_seen + 1
  return nil
end

function on_quit(session, cmd)
  commands_seen = commands_seen + 1
  return nil
end
