-- DATA, transparency, line endings, smuggling: checks D1-D7 of
-- docs/CONFORMANCE.md.
--
-- Only CRLF ends a line, and only CRLF "." CRLF ends the data (RFC 5321
-- §2.3.8, §4.1.1.4). A server that also accepts a look-alike ("\n.\n",
-- "\r.\r", ...) can be made to see two messages where the server in front of
-- it saw one: SMTP smuggling (CVE-2023-51764, -51765, -51766). These checks
-- send every look-alike and watch whether the data ends early; the ones
-- marked oracle judge the delivered message and need the delivery oracle.
--
-- Every check applies to every profile.

-- The header of a test message; the token makes it findable by the
-- delivery oracle.
local function header(id, to, token)
  return "From: <" .. id:lower() .. "@example.org>\r\nTo: <" .. to .. ">\r\n" ..
    "Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n" ..
    "Subject: smtp-harness check " .. id .. " " .. token .. "\r\n" ..
    "Message-ID: <" .. token .. "." .. id:lower() .. "@smtp-harness.invalid>\r\n\r\n"
end

-- "\r\n.\n" as text: CR, LF and NUL spelled out.
local function shown(bytes)
  return (bytes:gsub("\r", "\\r"):gsub("\n", "\\n"):gsub("\0", "\\0"))
end

local function texts(replies)
  local parts = {}
  for _, r in ipairs(replies) do parts[#parts + 1] = tostring(r) end
  return table.concat(parts, ", ")
end

-- Runs every probe on its own session at once: opens the sessions and starts
-- DATA on each, writes each probe's payload, waits `quiet` seconds for
-- replies that must not come yet, then sends the real terminator and
-- collects what follows. Fills p.early, p.after and p.closed.
local function race(t, id, probes, quiet)
  for i, p in ipairs(probes) do
    local c = t:session()
    t:begin(c, id:lower() .. "-" .. i .. "@example.org")
    t:recipient(c, t:postmaster())
    local d = t:answered(c:send("DATA"), "DATA")
    if d.code ~= 354 then t:error("DATA after an accepted RCPT got " .. tostring(d)) end
    p.c, p.early, p.after = c, {}, {}
  end
  for _, p in ipairs(probes) do p.c:write(p.payload) end
  t:sleep(quiet)
  local function drain(p, list)
    for _ = 1, 8 do
      local r = p.c:read(0.05)
      if r.closed then p.closed = true end
      if not r.ok then return end
      list[#list + 1] = r
    end
  end
  for _, p in ipairs(probes) do drain(p, p.early) end
  for _, p in ipairs(probes) do
    if not p.closed then
      p.c:write("\r\n.\r\n")
      local r = p.c:read()
      if r.ok then p.after[1] = r end
      if r.closed then p.closed = true end
      if r.timeout then p.silent = true end
    end
  end
  t:sleep(0.3)  -- a second message's replies would follow the first at once
  for _, p in ipairs(probes) do
    if not p.closed and not p.silent then drain(p, p.after) end
    p.c:close()
    -- A close in answer to a malformed probe is no early end of the data
    -- (docs/CONFORMANCE.md, policy defensive-close).
    if p.closed then t:policy("defensive-close", { closed = true }) end
  end
end

-- Whether the data ended before the real terminator: a positive reply
-- before it, or, from a server that holds its replies back until the input
-- stops, a message accepted and then more replies (the rest of the data
-- read as commands) after it. A refusal followed by a 421 is not that.
local function ended_early(p)
  for _, r in ipairs(p.early) do
    if r:class() == 2 or r:class() == 3 then
      return "got " .. texts(p.early) .. " before the real terminator"
    end
  end
  local positive = 0
  for _, r in ipairs(p.after) do
    if r.code == 354 then return "got " .. texts(p.after) .. ": the pipelined DATA was executed" end
    if r:class() == 2 then positive = positive + 1 end
  end
  if positive > 1 then return "got " .. texts(p.after) .. ": two messages accepted" end
  if #p.after > 1 and p.after[1]:class() == 2 then
    return "got " .. texts(p.after) .. " for one terminator"
  end
  return nil
end

-- "a, b: outcome X; c: outcome Y": the probes grouped by what happened.
local function grouped(probes, describe)
  local order, names = {}, {}
  for _, p in ipairs(probes) do
    local what = describe(p)
    if not names[what] then
      names[what] = {}
      order[#order + 1] = what
    end
    table.insert(names[what], p.name)
  end
  local parts = {}
  for _, what in ipairs(order) do
    parts[#parts + 1] = table.concat(names[what], ", ") .. ": " .. what
  end
  return table.concat(parts, "; ")
end

-- What the server did with a probe whose data did not end early.
local function outcome(p)
  if #p.early > 0 then return "refused at once (" .. texts(p.early) .. ")" end
  if p.closed and #p.after == 0 then return "the connection was closed" end
  if p.silent then return "no reply to the real terminator" end
  local r = p.after[1]
  if r:class() == 2 then
    return "one message, accepted at the real terminator (" .. tostring(r) .. ")"
  end
  return "refused at the real terminator (" .. tostring(r) .. ")"
end

check {
  id = "D1",
  title = "DATA gets 354, and the end of data one 250",
  rfc = "RFC 5321 §3.3, §4.1.1.4",
  level = "MUST",
  run = function(t)
    local c = t:session()
    t:begin(c, "d1@example.org")
    t:recipient(c, t:postmaster())
    -- §3.3: with an accepted recipient, DATA gets 354; the end of data then
    -- gets one reply, 250 when the message is taken.
    local data = t:definite(t:answered(c:send("DATA"), "DATA"), "DATA")
    if data.code ~= 354 then
      -- §3.3 describes when DATA fails ("should fail only if", lower case):
      -- no keyword (docs/CONFORMANCE.md D1).
      c:quit()
      t:unmet("INFO", "DATA after an accepted RCPT got " .. tostring(data) .. " (RFC 5321 " ..
        "§3.3 describes DATA failing only without MAIL or an accepted RCPT, without a keyword)")
    end
    c:write(header("D1", t:postmaster(), t:unique()) ..
      "A test message from smtp-harness check.\r\n.\r\n")
    local r = t:answered(c:read(), "the end of data")
    local extra = c:read(0.5)
    t:require(not extra.ok, "a second reply after the end of data: " .. tostring(r) .. ", then " ..
      tostring(extra) .. " (RFC 5321 §4.2: every command MUST generate exactly one reply)")
    c:quit()
    if not r:is("2xx") then
      -- §3.3 lets a server refuse a message for policy after the 354.
      t:unmet("INFO", "354, then the message was refused with one reply: " .. tostring(r))
    end
    t:pass("354, then " .. tostring(r))
  end,
}

check {
  id = "D2",
  title = "Dot-stuffed lines are delivered with the leading dot removed",
  rfc = "RFC 5321 §4.5.2",
  level = "MUST",
  oracle = true,
  run = function(t)
    local token = t:unique()
    local to = "d2-" .. token .. "@" .. t.domain
    local c = t:session()
    t:begin(c, "d2@example.org")
    t:recipient(c, to)
    t:answered(c:send("DATA"), "DATA"):expect(354, "DATA")
    -- Written as is, not stuffed again: §4.5.2 has the server delete the
    -- first character of a line that starts with "." and has more.
    c:write(header("D2", to, token) .. "before\r\n..\r\n..x\r\n.x\r\nafter\r\n.\r\n")
    t:answered(c:read(), "the end of data"):expect("2xx", "the end of data")
    c:quit()
    local got = t:delivered(token, 10)
    t:require(got, "the message was accepted but not delivered to the oracle")
    t:require(got:gsub("\r\n", "\n"):find("\nbefore\n.\n.x\nx\nafter\n", 1, true),
      "the lines '..', '..x', '.x' were not delivered as '.', '.x', 'x' (RFC 5321 §4.5.2)")
  end,
}

-- The look-alike ends of data of SMTP smuggling (SEC Consult, 2023), and one
-- with a NUL that a server stripping NULs would turn into the real one.
local look_alikes = {
  "\n.\n", "\n.\r\n", "\r\n.\n", "\r.\r", "\r.\r\n", "\r\n.\r", "\n.\r", "\r.\n", "\r\n\0.\r\n",
}

check {
  id = "D3",
  title = "No look-alike end of data ends the data (SMTP smuggling)",
  rfc = "RFC 5321 §4.1.1.4, §2.3.8; CVE-2023-51764, CVE-2023-51765, CVE-2023-51766",
  level = "MUST",
  run = function(t)
    -- Each look-alike on its own session, all at once: the message, the
    -- look-alike, a pipelined second transaction, then (after a second of
    -- silence) the real terminator. A server that takes the look-alike as
    -- the end answers 250 early and then runs MAIL, RCPT and DATA: a second,
    -- smuggled message.
    local probes = {}
    for i, fake in ipairs(look_alikes) do
      local smuggled = "MAIL FROM:<d3-smuggled@example.org>\r\nRCPT TO:<" .. t:postmaster() ..
        ">\r\nDATA\r\n" .. header("D3 smuggled", t:postmaster(), t:unique()) ..
        "If this arrived as a message of its own, the data ended at " .. shown(fake) .. "."
      probes[i] = {
        name = shown(fake),
        payload = header("D3", t:postmaster(), t:unique()) .. "Variant " .. shown(fake) ..
          " follows." .. fake .. smuggled,
      }
    end
    race(t, "D3", probes, 1)
    local broken = {}
    for _, p in ipairs(probes) do
      local early = ended_early(p)
      if early then broken[#broken + 1] = p.name .. " " .. early end
    end
    -- §4.1.1.4: the data ends at "<CRLF>.<CRLF>", and "<LF>.<LF>" MUST NOT be
    -- taken for it; §2.3.8: no other sequence is a line end.
    t:require(#broken == 0, table.concat(broken, "; ") .. ": only CRLF . CRLF ends the data " ..
      "(RFC 5321 §4.1.1.4, §2.3.8); taking a look-alike lets a message be smuggled " ..
      "(CVE-2023-51764/5/6)")
    t:pass(("none of the %d look-alikes ended the data. %s")
      :format(#probes, grouped(probes, outcome)))
  end,
}

check {
  id = "D4",
  title = "A bare LF or CR in the body is refused or kept, never taken as a line end",
  rfc = "RFC 5321 §2.3.8, §4.1.1.4",
  level = "MUST",
  run = function(t)
    -- On the wire a line end shows only where it changes the framing: a
    -- lone "." after a bare LF or CR that ended the data. The bare LF and CR
    -- inside a line show whether the server refuses such data; whether it
    -- keeps or normalises what it accepts, only the delivered message tells.
    local probes = {
      { name = "a bare LF inside a line", body = "A bare LF follows\nhere, inside the line." },
      { name = "a bare CR inside a line", body = "A bare CR follows\rhere, inside the line." },
      { name = "a bare LF before a lone dot", body = "A line\n.\nthat goes on after LF . LF." },
      { name = "a bare CR before a lone dot", body = "A line\r.\rthat goes on after CR . CR." },
    }
    for _, p in ipairs(probes) do p.payload = header("D4", t:postmaster(), t:unique()) .. p.body end
    race(t, "D4", probes, 1)
    local broken = {}
    for _, p in ipairs(probes) do
      local early = ended_early(p)
      if early then broken[#broken + 1] = p.name .. " " .. early end
    end
    t:require(#broken == 0, table.concat(broken, "; ") .. ": a bare LF or CR was taken as a " ..
      "line end, but only CRLF ends a line (RFC 5321 §2.3.8, §4.1.1.4)")
    t:pass(grouped(probes, function(p)
      local r = p.after[1]
      if #p.early == 0 and r and r:class() == 2 then
        return "accepted (kept or normalised: only the delivered message tells) " .. tostring(r)
      end
      return outcome(p)
    end))
  end,
}

check {
  id = "D5",
  title = "NOOP ended by a bare LF or CR is not answered as a complete command",
  rfc = "RFC 5321 §2.3.8, §2.4",
  level = "MUST",
  run = function(t)
    -- §2.4: the receiver takes no action until <CRLF> arrives. A second of
    -- silence after "NOOP\n" shows the LF did not end the line; the CRLF
    -- sent then gets the reply, 250 (tolerant) or an error (strict).
    local probes = { { ending = "\n" }, { ending = "\r" } }
    for _, p in ipairs(probes) do
      p.c = t:session()
      p.early, p.after = {}, {}
    end
    for _, p in ipairs(probes) do p.c:write("NOOP" .. p.ending) end
    t:sleep(1)
    local broken, seen = {}, {}
    for _, p in ipairs(probes) do
      local name = "NOOP" .. shown(p.ending)
      local early = p.c:read(0.05)
      if early.ok and early:class() == 2 then
        broken[#broken + 1] = name .. " got " .. tostring(early) .. " before any CRLF"
      elseif early.ok or early.closed then
        t:policy("defensive-close", early)
        seen[#seen + 1] = name .. ": strict, refused at once (" .. tostring(early) .. ")"
      else
        p.c:write("\r\n")
        local r = t:answered(p.c:read(), name .. " then CRLF")
        local extra = p.c:read(0.3)
        if extra.ok then
          broken[#broken + 1] = name .. " then CRLF got two replies (" .. tostring(r) .. ", " ..
            tostring(extra) .. "): the " .. shown(p.ending) .. " ended a line"
        else
          local kind = r:class() == 2 and "tolerant" or "strict"
          seen[#seen + 1] = name .. ": " .. kind .. ", " .. name .. "\\r\\n got " .. tostring(r)
        end
      end
      p.c:close()
    end
    t:require(#broken == 0, table.concat(broken, "; ") .. ": only CRLF ends a command line " ..
      "(RFC 5321 §2.3.8), and nothing is done before it arrives (§2.4)")
    t:pass(table.concat(seen, "; "))
  end,
}

check {
  id = "D6",
  title = "A delivered message has a Received: header prepended",
  rfc = "RFC 5321 §4.4",
  level = "MUST",
  oracle = true,
  run = function(t)
    local token = t:unique()
    local to = "d6-" .. token .. "@" .. t.domain
    local c = t:session()
    t:begin(c, "d6@example.org")
    t:recipient(c, to)
    t:answered(c:data(header("D6", to, token) .. "A message sent without any Received: header."),
      "the message"):expect("2xx", "the message")
    c:quit()
    local got = t:delivered(token, 10)
    t:require(got, "the message was accepted but not delivered to the oracle")
    -- §4.4: servers MUST prepend a Received: line, so one comes before the
    -- header fields the message was sent with.
    local head = got:gsub("\r\n", "\n"):match("^(.-)\n\n") or ""
    local received = ("\n" .. head:lower()):find("\nreceived:")
    local from = ("\n" .. head:lower()):find("\nfrom: <d6@example.org>")
    t:require(received and (not from or received < from), "the delivered message has no " ..
      "Received: header above the message's own header fields (RFC 5321 §4.4)")
  end,
}

check {
  id = "D7",
  title = "A connection dropped mid-DATA delivers nothing",
  rfc = "RFC 5321 §4.1.1.10",
  level = "MUST",
  oracle = true,
  run = function(t)
    local token = t:unique()
    local to = "d7-" .. token .. "@" .. t.domain
    local c = t:session()
    t:begin(c, "d7@example.org")
    t:recipient(c, to)
    t:answered(c:send("DATA"), "DATA"):expect(354, "DATA")
    c:write(header("D7", to, token) ..
      "The client drops the connection before the end of data.\r\n")
    c:close()
    -- §4.1.1.10: a connection closed prematurely MUST cancel the pending
    -- transaction.
    local got = t:delivered(token, 10)
    t:require(not got, "a message whose connection was dropped mid-DATA was delivered: the " ..
      "server MUST cancel the pending transaction (RFC 5321 §4.1.1.10)")
  end,
}
