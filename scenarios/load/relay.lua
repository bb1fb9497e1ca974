-- A relay's load test, end to end: the load goes to the relay, the relay
-- passes it on to smtp-harness's own sink (--sink), and the result's
-- delivery section says, per message and recipient, what arrived, how late,
-- after how many attempts, and what was lost, duplicated or changed.
--
--   smtp-harness load scenarios/load/relay.lua --target RELAY:25 \
--       --sink 127.0.0.1:2526 --drain 60s --json result.json
--
-- The relay must route the recipients' domain, example.test, to the sink
-- (Postfix: relayhost = [127.0.0.1]:2526). Each message has one to three
-- recipients, in turn, so that a relay that splits or merges transactions
-- shows in the sink's recipients per transaction; its body has a line that
-- starts with a dot, which a relay must dot-stuff again on its way out
-- (RFC 5321 §4.5.2), or the body arrives changed ("corrupted").
local BODY = table.concat({
  "A message of a relay's load test.",
  ".This line starts with a dot.",
  "..And this one with two.",
  "The end.",
}, "\n")

return {
  rate = 200,
  duration = "60s",

  message = function(ctx)
    local to = {}
    for i = 1, 1 + ctx.seq % 3 do
      to[i] = ("rcpt%d.%d@example.test"):format(ctx.seq, i)
    end
    return { to = to, subject = "relay load " .. ctx.seq, body = BODY }
  end,
}
