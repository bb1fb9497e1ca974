-- Many recipients per message, spread over a few domains given once by
-- init() and shared read-only with every worker. The reply hook counts the
-- recipients the server refused for being too many (452, RFC 5321 §4.5.3.1.8).
--
--   fake-smtpd --max-recipients 100 &
--   smtp-harness load scenarios/load/many-recipients.lua
return {
  target = "127.0.0.1:2525",
  connections = 8,
  duration = "20s",

  init = function()
    return { domains = { "a.example", "b.example", "c.example", "d.example" } }
  end,

  message = function(ctx)
    local to = {}
    for i = 1, 120 do
      local domain = ctx.shared.domains[(i % #ctx.shared.domains) + 1]
      to[#to + 1] = ("user%d.%d@%s"):format(ctx.seq, i, domain)
    end
    return { to = to, size = 4096, subject = "fan-out " .. ctx.seq }
  end,

  reply = function(ctx, phase, reply)
    if phase == "rcpt" and reply.code == 452 then ctx:count("rcpt_too_many") end
  end,

  done = function(summary)
    print(("refused for too many recipients: %d"):format(summary.counters.rcpt_too_many or 0))
  end,
}
