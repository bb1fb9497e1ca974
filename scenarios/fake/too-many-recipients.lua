-- A server that accepts at most 3 recipients per message, written as a Lua
-- hook to show how hooks work. Every RCPT past the third of a transaction
-- is answered
--
--   452 4.5.3 Too many recipients, send the rest in another transaction
--
--   fake-smtpd scenarios/fake/too-many-recipients.lua
--
-- RFC 5321 §4.5.3.1.10 says a server that runs out of recipient slots MUST
-- answer 452, and the client should send the message to the recipients
-- accepted so far and the others in a later transaction; RFC 3463 X.5.3 is
-- "too many recipients". (The built-in `server { max_recipients = 3 }` does
-- the same; a hook can decide per sender, per client or per anything else.)
--
-- What a client sees: RCPT 1 to 3 get 250, RCPT 4 and later get 452 4.5.3;
-- the message is stored for the first three. A correct client then sends a
-- second transaction for the rest, which is accepted again: the limit is per
-- message.
--
-- What the HTTP API shows: GET /api/rules lists "on_rcpt" among the hooks;
-- the transcript has a "hook on_rcpt: ..." event for each refusal.

local MAX_RECIPIENTS = 3

-- session.to is the list of recipients accepted so far in this transaction
-- (it starts empty again after MAIL or RSET); returning nil lets the server
-- answer as usual.
function on_rcpt(session, cmd)
  if #session.to >= MAX_RECIPIENTS then
    return "452 4.5.3 Too many recipients, send the rest in another transaction"
  end
  return nil
end
