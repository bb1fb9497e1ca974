-- BROKEN ON PURPOSE: a refused SIZE sticks until RSET.
--
-- A real server keeps the size a refused MAIL declared: after
-- "MAIL FROM:<a@b> SIZE=<over the limit>" got 552, the next MAIL without SIZE
-- gets 552 too, until RSET. docs/CONFORMANCE.md X1 runs each of its parts on a
-- fresh session, so it passes; on one session its plain MAIL would have been
-- refused and the check would have ended in ERROR.
--
-- The limit is Postfix's default, 10240000 octets.
-- expect-pass: X1
server { max_size = 10240000 }

local sticky = {}

function on_mail(session, cmd)
  local size = tonumber(cmd.arg:upper():match("SIZE=(%d+)"))
  if size and size > 10240000 then sticky[session.id] = true end
  if sticky[session.id] then return "552 5.3.4 Message size exceeds fixed limit" end
end

function on_rset(session, cmd)
  sticky[session.id] = nil
end
