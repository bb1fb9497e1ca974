-- Robustness: checks O1-O2 of docs/CONFORMANCE.md.
--
-- How a server behaves under load and under abuse: many sessions at once,
-- and a client that keeps sending recipients it cannot take. Refusing is
-- the server's right (a 421 "service not available" greeting, closing after
-- repeated errors); resetting connections or hanging is not.

local sessions = 20

check {
  id = "O1",
  title = "20 simultaneous sessions each get a greeting or a 421",
  rfc = "RFC 5321 §3.1, §3.8",
  -- A session dropped without a word at connection time breaks no sentence
  -- that requires a reply there (docs/CONFORMANCE.md O1, rule 7): recorded.
  level = "INFO",
  run = function(t)
    local open, busy = {}, {}
    local problem = nil
    -- One after the other, each kept open: 20 sessions at once.
    for i = 1, sessions do
      local c = t:connect()
      local b = c.banner
      if b:is("2xx") then
        open[#open + 1] = c
      elseif b:is(421, 554) then
        -- §3.1: 554 (no service) and 421 (not now) are greetings too; with
        -- 421 the server closes (§3.8).
        busy[#busy + 1] = "session " .. i .. ": " .. tostring(b)
        c:close()
      elseif i == 1 then
        -- Not even one session is greeted: that says nothing about
        -- concurrency (G1 judges the greeting itself).
        t:error("the first session got no greeting: " .. tostring(b))
      else
        -- A reset, a close without a word, a hang or garbage.
        problem = "session " .. i .. " of " .. sessions .. " got no greeting: " .. tostring(b)
        c:close()
        break
      end
    end
    -- The greeted sessions are all still being served.
    for i, c in ipairs(open) do
      local r = c:quit()
      if not r.ok and not problem then
        problem = "greeted session " .. i .. " got no reply to QUIT: " .. tostring(r)
      end
    end
    if #busy > 0 then t:note(#busy .. " refused at connection time: " .. table.concat(busy, "; ")) end
    t:note(#open .. " of " .. sessions .. " sessions greeted with 2xx")
    t:require(problem == nil, (problem or "") .. " (RFC 5321 §3.8 lets a server that must " ..
      "shut down answer 421 and close)")
  end,
}

local most_errors = 30

check {
  id = "O2",
  title = "How many bad RCPTs in a row the server takes before it closes",
  rfc = "RFC 5321 §7.8",
  level = "INFO",
  run = function(t)
    local c = t:session()
    local m = c:mail("o2@example.org")
    t:auth_first(m)
    if not m:is("2xx") then t:error("MAIL FROM:<o2@example.org> was refused: " .. tostring(m)) end
    -- A lone "@" is no path (RFC 5321 §4.1.2): every one is an error.
    for i = 1, most_errors do
      local r = c:rcpt("@")
      if t:policy("defensive-close", r) then
        local how = r.code == 421 and "answered bad RCPT " .. i .. " with " .. tostring(r) .. " and closed"
          or "closed the session after " .. (i - 1) .. " refused RCPTs, without a reply to the next"
        if i <= 2 then
          -- §7.8 lets a server close "after generating an appropriate
          -- number of 5yz (normally 550) replies": one is not a number.
          how = how .. "; RFC 5321 §7.8 allows closing after repeated errors, not after one"
        end
        t:info(how)
        return
      end
      if not r.ok then t:error("bad RCPT " .. i .. ": " .. tostring(r)) end
      if r:is("2xx") then t:note("RCPT TO:<@> was accepted: " .. tostring(r)) end
    end
    t:info("still open after " .. most_errors .. " bad RCPTs")
    c:send("RSET")
  end,
}
