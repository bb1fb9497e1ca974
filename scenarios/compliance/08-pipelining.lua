-- PIPELINING (RFC 2920): checks P1-P5 of docs/CONFORMANCE.md.
--
-- A server that advertises PIPELINING must read several commands from one
-- write, answer every one of them in order, and send what it has as soon as
-- its input runs dry. Each check writes a group of commands with one
-- c:write and then reads the replies one by one. P5 records what a server
-- does with a group it never offered to take.

-- Reads up to n replies. Returns the replies that came and, when fewer than
-- n came, the reply object that says why the next did not.
local function read_replies(c, n)
  local replies = {}
  for i = 1, n do
    local r = c:read()
    if not r.ok then return replies, r end
    replies[i] = r
  end
  return replies, nil
end

local function codes(replies)
  local list = {}
  for i, r in ipairs(replies) do list[i] = tostring(r.code) end
  return table.concat(list, ", ")
end

-- The replies every check needs before it can judge anything: MAIL refused
-- for want of AUTH (a submission port without --auth) or the postmaster
-- recipient refused (a wrong --domain) leave nothing to judge.
local function usable(t, mail, rcpt)
  t:auth_first(mail)
  if not mail:is("2xx") then t:error("MAIL was refused: " .. tostring(mail)) end
  if rcpt and not rcpt:is("2xx") then
    t:skip("RCPT TO:<" .. t:postmaster() .. "> was refused (" .. tostring(rcpt) ..
      "); give --domain a domain the target accepts mail for")
  end
end

local message = "Subject: pipelining check\r\n\r\nSent by smtp-harness check.\r\n"

check {
  id = "P1",
  title = "MAIL, two RCPTs and DATA in one write get four replies, in order",
  rfc = "RFC 2920 §3.2",
  level = "MUST",
  needs = { "PIPELINING" },
  run = function(t)
    local c = t:session()
    -- A good recipient, then one no server can take (a lone "@" is not a
    -- path, RFC 5321 §4.1.2); DATA ends the group, as RFC 2920 §3.1 asks.
    c:write("MAIL FROM:<p1@example.org>\r\n" ..
            "RCPT TO:<" .. t:postmaster() .. ">\r\n" ..
            "RCPT TO:<@>\r\n" ..
            "DATA\r\n")
    local replies, missing = read_replies(c, 4)
    -- §3.2: the server "MUST NOT flush or otherwise lose the contents of the
    -- TCP input buffer" and "MUST respond to commands in the order they are
    -- received".
    t:require(#replies == 4, ("only %d of 4 pipelined commands were answered (%s), then %s: " ..
      "RFC 2920 §3.2, a server offering PIPELINING MUST NOT lose the rest of the group")
      :format(#replies, codes(replies), tostring(missing)))
    local mail, good, bad, data = replies[1], replies[2], replies[3], replies[4]
    usable(t, mail, good)
    for i = 1, 3 do
      t:require(replies[i].code ~= 354, "reply " .. i .. " of 4 is 354, DATA's answer: " ..
        "the replies are out of order (" .. codes(replies) .. "; RFC 2920 §3.2)")
    end
    if data.code == 354 then
      c:write(message .. ".\r\n")
      c:read()
    else
      -- With one recipient accepted, 503 ("bad sequence") can only mean the
      -- RCPTs were not taken before DATA.
      if data.code == 503 then
        t:warn("DATA got 503 although RCPT TO:<" .. t:postmaster() .. "> was accepted (" ..
          codes(replies) .. "): RFC 2920 §3.2, the server SHOULD issue a positive response " ..
          "to DATA if one or more valid RCPT TO addresses were received")
      end
      t:note("DATA was refused: " .. tostring(data))
    end
    if bad:is("2xx") then t:note("RCPT TO:<@> was accepted: " .. tostring(bad)) end
    c:send("RSET")
  end,
}

check {
  id = "P2",
  title = "Every reply of a group is sent without waiting for more input",
  rfc = "RFC 2920 §3.2",
  level = "MUST",
  needs = { "PIPELINING" },
  run = function(t)
    local c = t:session()
    -- The group ends with RCPT, after which a client may well send more: a
    -- server that holds its replies until the next command arrives deadlocks
    -- a client that waits for them.
    c:write("MAIL FROM:<p2@example.org>\r\nRCPT TO:<" .. t:postmaster() .. ">\r\n")
    local replies, missing = read_replies(c, 2)
    t:require(#replies == 2, ("%d of 2 replies came (%s), then %s: RFC 2920 §3.2, the server " ..
      "MUST send all pending responses as soon as its input buffer is empty")
      :format(#replies, codes(replies), tostring(missing)))
    usable(t, replies[1])
    c:send("RSET")
  end,
}

local many = 200

check {
  id = "P3",
  title = "200 RCPTs in one write: every reply comes, in order",
  rfc = "RFC 2920 §3.2",
  level = "MUST",
  needs = { "PIPELINING" },
  run = function(t)
    local c = t:session()
    local group = { "MAIL FROM:<p3@example.org>\r\n" }
    local rcpt = "RCPT TO:<" .. t:postmaster() .. ">\r\n"
    for i = 1, many do group[#group + 1] = rcpt end
    -- NOOP closes the group (RFC 2920 §3.1); its 250 must come last.
    group[#group + 1] = "NOOP\r\n"
    c:write(table.concat(group))
    local replies, missing = read_replies(c, many + 2)
    if #replies >= 2 then usable(t, replies[1], replies[2]) end
    t:require(#replies == many + 2, ("%d of %d replies came, then %s: RFC 2920 §3.2, a server " ..
      "offering PIPELINING MUST NOT lose commands from its input buffer")
      :format(#replies, many + 2, tostring(missing)))
    -- Over a recipient limit the answer is 452 (RFC 5321 §4.5.3.1.10), still
    -- one reply per RCPT; a 354 or 221 would be another command's.
    local accepted, limited = 0, 0
    for i = 2, many + 1 do
      local r = replies[i]
      t:require(r:is("2xx", "4xx", "5xx") and not r:is(221), "reply " .. i ..
        " answers no RCPT: " .. tostring(r) .. " (the replies are out of order)")
      if r:is("2xx") then accepted = accepted + 1 else limited = limited + 1 end
    end
    local noop = replies[many + 2]
    t:require(noop:is(250), "the last reply should be NOOP's 250, got " .. tostring(noop) ..
      ": the replies are out of order")
    t:note(("%d recipients accepted, %d refused (a recipient limit)"):format(accepted, limited))
    c:send("RSET")
  end,
}

check {
  id = "P4",
  title = "Message, end of data and the next transaction in one write",
  rfc = "RFC 2920 §3.1, §3.2",
  level = "MUST",
  needs = { "PIPELINING" },
  run = function(t)
    local c = t:session()
    c:write("MAIL FROM:<p4@example.org>\r\nRCPT TO:<" .. t:postmaster() .. ">\r\nDATA\r\n")
    local first = read_replies(c, 3)
    if #first < 3 then
      t:fail(("%d of 3 replies to MAIL, RCPT, DATA came (%s): RFC 2920 §3.2, a server " ..
        "offering PIPELINING MUST NOT lose commands"):format(#first, codes(first)))
    end
    usable(t, first[1], first[2])
    if first[3].code ~= 354 then t:error("DATA was refused: " .. tostring(first[3])) end
    -- §3.1: "The actual transfer of message content is explicitly allowed
    -- to be the first "command" in a group." Here it ends one message and
    -- the next transaction follows in the same write.
    c:write(message .. ".\r\n" ..
            "MAIL FROM:<p4@example.org>\r\nRCPT TO:<" .. t:postmaster() .. ">\r\nDATA\r\n")
    local second, missing = read_replies(c, 4)
    t:require(#second == 4, ("%d of 4 replies came after the message and the next " ..
      "transaction (%s), then %s: RFC 2920 §3.2, a server offering PIPELINING MUST NOT lose " ..
      "commands"):format(#second, codes(second), tostring(missing)))
    -- The first reply answers the end of data: accepting or refusing the
    -- message is the server's business, a 354 there is not.
    t:require(second[1].code ~= 354 and second[2].code ~= 354 and second[3].code ~= 354,
      "the replies after the message are out of order: " .. codes(second) .. " (RFC 2920 " ..
      "§3.2: responses in the order the commands were received)")
    if second[4].code == 354 then
      c:write(message .. ".\r\n")
      c:read()
    else
      -- Nothing may follow the fourth reply: a fifth answers no command.
      local extra = c:read(0.5)
      t:require(not extra.ok, "five replies for four commands (" .. codes(second) .. ", " ..
        tostring(extra) .. "): every command MUST generate exactly one reply (RFC 5321 §4.2)")
    end
    c:send("RSET")
    if second[2]:is("2xx") and second[3]:is("2xx") and second[4].code == 354 then
      t:pass("the message and the next transaction were processed in order: " .. codes(second))
    end
    -- Refused, not lost: §3.1 allows the client to pipeline behind the end
    -- of data, but no sentence requires the server to carry the commands out
    -- (docs/CONFORMANCE.md P4).
    local after = { second[2], second[3], second[4] }
    local texts = {}
    for _, r in ipairs(after) do texts[#texts + 1] = tostring(r) end
    if t:policy("pipelined-after-data", after, 3) then
      t:unmet("INFO", "policy pipelined-after-data: the commands pipelined after the end of " ..
        "data were each refused (" .. table.concat(texts, " | ") .. "); nothing was lost, but a " ..
        "client that pipelines as RFC 2920 §3.1 allows has its next message refused")
    end
    t:unmet("INFO", "the commands pipelined after the end of data were answered in order but " ..
      "not all accepted (" .. table.concat(texts, " | ") .. "); no listed policy matched, and " ..
      "no sentence requires the server to carry them out")
  end,
}

check {
  id = "P5",
  title = "A pipelined group sent to a server that did not offer PIPELINING",
  rfc = "RFC 2920 §3.1",
  level = "INFO",
  run = function(t)
    local c = t:session()
    local how = "PIPELINING is not advertised"
    if c:has("PIPELINING") then
      -- The offer is made in the EHLO reply; a client that said HELO was
      -- never offered it.
      c:close()
      c = t:session { ehlo = false }
      c:helo():expect(250, "HELO")
      how = "after HELO (PIPELINING is offered only after EHLO)"
    end
    c:write("MAIL FROM:<p5@example.org>\r\nRCPT TO:<" .. t:postmaster() .. ">\r\nRSET\r\n")
    local replies, missing = read_replies(c, 3)
    if replies[1] and replies[1].code == 530 then
      t:info(how .. ": MAIL needs AUTH first (" .. tostring(replies[1]) .. "), so the group " ..
        "shows nothing (AUTH is an EHLO extension; give --auth when PIPELINING is not offered)")
      return
    end
    local words = {}
    for _, r in ipairs(replies) do words[#words + 1] = tostring(r) end
    if #replies == 3 and replies[1]:is("2xx") and replies[3]:is(250) then
      t:info(how .. ": the group was answered in order (" .. codes(replies) .. "), tolerated")
    elseif #replies == 3 then
      t:info(how .. ": the group was refused or answered with errors: " .. table.concat(words, " | "))
    else
      t:info(how .. (": %d of 3 replies (%s), then %s"):format(#replies, table.concat(words, " | "),
        tostring(missing)))
    end
  end,
}
