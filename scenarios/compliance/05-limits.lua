-- Limits: checks L1-L7 of docs/CONFORMANCE.md.
--
-- RFC 5321 §4.5.3.1 sets sizes every server MUST be able to receive: 64
-- octets of local part, 255 of domain, 256 of path, 512 of command line,
-- 1000 of text line, 64K of message, 100 recipients. These checks send
-- objects of exactly those sizes, record what happens far beyond them, and
-- (opt-in, five minutes and more) how long an idle session is kept.
--
-- Every check applies to every profile.

-- A complete RFC 5322 message: the token makes it findable (Subject,
-- Message-ID) by the delivery oracle.
local function message(id, to, token, body)
  return "From: <" .. id:lower() .. "@example.org>\r\nTo: <" .. to .. ">\r\n" ..
    "Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n" ..
    "Subject: smtp-harness check " .. id .. " " .. token .. "\r\n" ..
    "Message-ID: <" .. token .. "." .. id:lower() .. "@smtp-harness.invalid>\r\n\r\n" .. body
end

-- Letters, digits and dots, exactly n octets, with labels of at most 63
-- octets (RFC 1035 §2.3.4): the filler of the long domains below.
local function labels(n, letter)
  local parts = {}
  while n > 64 do
    parts[#parts + 1] = string.rep(letter, 63)
    n = n - 64
  end
  if n == 64 then
    parts[#parts + 1] = string.rep(letter, 62)
    n = 1
  end
  parts[#parts + 1] = string.rep(letter, n)
  return table.concat(parts, ".")
end

-- Refused as too long or as bad syntax. 553 is also "mailbox name not
-- allowed" for reasons other than syntax; an enhanced code tells them apart
-- (RFC 3463: X.1.1 no such mailbox, X.1.2 bad system, X.1.8 bad sender
-- system, X.7.x policy).
local function syntax_refused(r)
  local text = r.text:lower()
  if text:find("too long", 1, true) or text:find("too big", 1, true) then return true end
  if r:is(500, 501) then return true end
  if r.code ~= 553 then return false end
  local e = r.enhanced or ""
  return not (e:match("^%d%.1%.[1268]$") or e:match("^%d%.7%."))
end

-- A refusal that says the line was too long (§4.2.2: 500 "may include errors
-- such as command line too long").
local function says_too_long(r)
  local text = r.text:lower()
  return text:find("too long", 1, true) ~= nil or text:find("too big", 1, true) ~= nil
end

check {
  id = "L1",
  title = "A 512-octet command line is not refused as too long",
  rfc = "RFC 5321 §4.5.3.1.4, §4.3.2",
  level = "MUST",
  run = function(t)
    local c = t:session()
    -- The control: the same command with a short argument. A server may
    -- refuse NOOP's argument (C1 judges that); only a refusal the short
    -- line does not get is about the length (docs/CONFORMANCE.md L1).
    local short = t:answered(c:send("NOOP x"), "NOOP x")
    -- 512 octets with the CRLF: the longest command line every server MUST
    -- receive (§4.5.3.1.4); "command too long" for it violates §4.3.2.
    local r = c:send("NOOP " .. string.rep("x", 505))
    if r.closed then t:fail("the server closed the connection on a 512-octet command line " ..
      "(RFC 5321 §4.5.3.1: every implementation MUST be able to receive it)") end
    t:answered(r, "a 512-octet NOOP")
    -- A line read in two pieces gets two replies.
    local extra = c:read(0.3)
    t:require(not extra.ok, "a 512-octet command line got two replies (" .. tostring(r) .. ", " ..
      tostring(extra) .. "): it was not received as one line (RFC 5321 §4.5.3.1.4)")
    local refused_for_length = says_too_long(r) or
      (r:class() == 5 and not (short:class() == 5 and short.code == r.code))
    t:require(not refused_for_length, "a 512-octet command line (NOOP, CRLF included) got " ..
      tostring(r) .. " while NOOP x got " .. tostring(short) .. ": lines up to 512 octets " ..
      "MUST be received, and \"command too long\" for them violates RFC 5321 §4.3.2 " ..
      "(§4.5.3.1, §4.5.3.1.4)")
    c:quit()
    if r:class() == 5 then
      t:pass("a 512-octet NOOP got " .. tostring(r) .. ", as NOOP x did (" .. tostring(short) ..
        "): refused for the argument, not the length")
    end
    t:pass("a 512-octet NOOP got " .. tostring(r))
  end,
}

check {
  id = "L2",
  title = "4 KiB and 1 MiB command lines: refused, and the server survives",
  rfc = "RFC 5321 §4.5.3.1.9",
  level = "INFO",
  run = function(t)
    -- Past the 512-octet minimum a server may refuse a line (§4.5.3.1.9:
    -- "500 Line too long"), but it must not fall over.
    local seen = {}
    for _, size in ipairs({ { 4096, "4 KiB" }, { 1048576, "1 MiB" } }) do
      local octets, name = size[1], size[2]
      local c = t:session()
      local written = c:write("NOOP " .. string.rep("x", octets - 7) .. "\r\n")
      local r = c:read()
      local after = c:send("NOOP")
      local line = name .. " line: " .. tostring(r)
      if after.ok then
        line = line .. "; NOOP on the same connection: " .. tostring(after)
      else
        -- The connection is gone (policy defensive-close); a fresh session
        -- shows the server lives on.
        t:policy("defensive-close", after)
        local fresh = t:session()
        line = line .. (written and "" or " (the write was cut short)") ..
          "; the connection ended, a new session's NOOP got " .. tostring(fresh:send("NOOP"))
        fresh:quit()
      end
      seen[#seen + 1] = line
    end
    t:info(table.concat(seen, "; "))
  end,
}

check {
  id = "L3",
  title = "A 64-octet local part, a 255-octet domain and a 256-octet path are accepted as syntax",
  rfc = "RFC 5321 §4.5.3.1.1, §4.5.3.1.2, §4.5.3.1.3",
  level = "MUST",
  run = function(t)
    local refused, seen = {}, {}
    local function judge(what, r)
      if r.closed then t:fail(what .. ": the server closed the connection") end
      t:answered(r, what)
      seen[#seen + 1] = what .. ": " .. tostring(r)
      if syntax_refused(r) then refused[#refused + 1] = what .. " got " .. tostring(r) end
    end

    local c = t:session()
    t:begin(c, "l3@example.org")
    -- §4.5.3.1.1: a local part of 64 octets.
    local lp = "l3-" .. t:unique()
    lp = lp .. string.rep("x", 64 - #lp)
    judge("RCPT with a 64-octet local part", c:rcpt(lp .. "@" .. t.domain))
    -- §4.5.3.1.3: a path of 256 octets, "<" and ">" included: the 64-octet
    -- local part at a 189-octet domain under --domain.
    local room = 256 - 3 - #lp - #t.domain - 1
    if room >= 1 then
      local domain = labels(room, "p") .. "." .. t.domain
      judge("RCPT with a 256-octet path", c:rcpt(lp .. "@" .. domain))
    else
      t:note("the 256-octet path was not tried: --domain is too long to build it")
    end
    c:send("RSET")
    c:quit()

    -- §4.5.3.1.2: a domain of 255 octets, counted as DNS counts them: 253
    -- characters as text, 255 octets with the length octets of the wire
    -- form (RFC 1035 §2.3.4); a longer text is no domain name at all. With
    -- "<", "@", ">" and a local part it cannot fit a 256-octet path, so it
    -- goes in EHLO, whose argument is a domain too.
    local long = labels(248, "d") .. ".test"
    -- The session's first EHLO: a repeated one may be refused as a repeat.
    local e = t:session { ehlo = false }
    local r = e:ehlo(long)
    judge("EHLO with a 253-character (255-octet) domain", r)
    e:quit()
    t:require(#refused == 0, table.concat(refused, "; ") .. ": refused as too long or as bad " ..
      "syntax, but every implementation MUST be able to receive objects of these sizes " ..
      "(RFC 5321 §4.5.3.1)")
    t:pass(table.concat(seen, "; "))
  end,
}

-- Two text lines of the longest size §4.5.3.1.6 guarantees, 1000 octets
-- with the CRLF; the second starts with a dot, so it is 1001 on the wire.
local long_line = string.rep("x", 998)
local stuffed_line = "." .. string.rep("y", 997)

local function l4_body()
  return "Two lines of 1000 octets follow.\r\n" .. long_line .. "\r\n" .. stuffed_line ..
    "\r\nEnd of the message.\r\n"
end

check {
  id = "L4",
  title = "Body lines of 1000 octets (1001 when dot-stuffed) are accepted",
  rfc = "RFC 5321 §4.5.3.1.6",
  level = "MUST",
  run = function(t)
    local c = t:session()
    t:begin(c, "l4@example.org")
    t:recipient(c, t:postmaster())
    local content = message("L4", t:postmaster(), t:unique(), l4_body())
    local r = t:answered(c:data(content), "the message")
    t:definite(r, "the message")
    t:require(r:is("2xx"), "a message with 1000-octet lines got " .. tostring(r) ..
      ": every implementation MUST receive text lines of 1000 octets, not counting the " ..
      "stuffed dot (RFC 5321 §4.5.3.1.6)")
    c:quit()
  end,
}

check {
  id = "L4.delivered",
  title = "1000-octet body lines are delivered whole",
  rfc = "RFC 5321 §4.5.3.1.6",
  level = "MUST",
  oracle = true,
  run = function(t)
    local token = t:unique()
    local to = "l4-" .. token .. "@" .. t.domain
    local c = t:session()
    t:begin(c, "l4@example.org")
    t:recipient(c, to)
    local r = t:answered(c:data(message("L4", to, token, l4_body())), "the message")
    r:expect("2xx", "the message")
    c:quit()
    local got = t:delivered(token, 10)
    t:require(got, "the message was accepted but not delivered to the oracle")
    -- Line ends as the oracle stored them; the lines themselves must be whole.
    got = got:gsub("\r\n", "\n")
    t:require(got:find("\n" .. long_line .. "\n", 1, true) and
      got:find("\n" .. stuffed_line .. "\n", 1, true),
      "a 1000-octet line was truncated, split or changed on delivery (RFC 5321 §4.5.3.1.6)")
  end,
}

check {
  id = "L5",
  title = "A message of 64 KiB is accepted",
  rfc = "RFC 5321 §4.5.3.1.7",
  level = "MUST",
  run = function(t)
    local c = t:session()
    -- §4.5.3.1.7: message content up to at least 64K octets MUST be accepted;
    -- a SIZE below that is a limit the server may not set.
    local size = c:param("SIZE")
    local max = size and tonumber(size:match("^(%d+)"))
    t:require(not max or max == 0 or max >= 65536, "EHLO advertises SIZE " .. tostring(size) ..
      ": the maximum message size MUST be at least 64K octets (RFC 5321 §4.5.3.1.7)")
    local lines = {}
    for i = 1, 900 do
      lines[i] = ("%04d "):format(i) .. string.rep("abcdefghij", 7)  -- 75 octets + CRLF
    end
    local token = t:unique()
    local content = message("L5", t:postmaster(), token, table.concat(lines, "\r\n") .. "\r\n")
    t:begin(c, "l5@example.org", max and ("SIZE=" .. #content) or nil)
    t:recipient(c, t:postmaster())
    local r = t:answered(c:data(content), "the 64 KiB message")
    t:definite(r, "the 64 KiB message")
    t:require(r:is("2xx"), ("a message of %d octets got %s: message content of at least 64K " ..
      "octets MUST be accepted (RFC 5321 §4.5.3.1.7)"):format(#content, tostring(r)))
    c:quit()
    t:pass(("%d octets accepted: %s"):format(#content, tostring(r)))
  end,
}

-- "postmaster" with the letters whose bit is set in n in upper case: 101
-- distinct recipients every server must accept, since postmaster is a
-- case-insensitive local name at each of its domains (RFC 5321 §4.5.1).
local function postmaster_variant(n, domain)
  local letters = {}
  for i = 1, #"postmaster" do
    local letter = ("postmaster"):sub(i, i)
    if (n >> (i - 1)) & 1 == 1 then letter = letter:upper() end
    letters[i] = letter
  end
  return table.concat(letters) .. "@" .. domain
end

check {
  id = "L6",
  title = "100 recipients are accepted; over a limit the reply is 452 and earlier ones are kept",
  rfc = "RFC 5321 §4.5.3.1.8, §4.5.3.1.10",
  level = "MUST",
  run = function(t)
    local c = t:session()
    t:begin(c, "l6@example.org")
    for n = 0, 99 do
      local to = postmaster_variant(n, t.domain)
      local r = t:answered(c:rcpt(to), ("RCPT #%d <%s>"):format(n + 1, to))
      if n == 0 and r:class() == 5 then
        t:skip("the target refuses test recipients (<" .. to .. "> got " .. tostring(r) .. ")")
      end
      if r:class() == 4 and r.code ~= 452 then
        t:error(("RCPT #%d got %s; cannot judge, run again"):format(n + 1, tostring(r)))
      end
      -- §4.5.3.1.8: "The minimum total number of recipients that MUST be
      -- buffered is 100"; refusing fewer violates it.
      t:require(r:is("2xx"), ("RCPT #%d <%s> got %s: the server MUST buffer at least 100 " ..
        "recipients (RFC 5321 §4.5.3.1.8)"):format(n + 1, to, tostring(r)))
    end
    local over = t:answered(c:rcpt(postmaster_variant(100, t.domain)), "RCPT #101")
    -- §4.5.3.1.10: past an implementation limit the reply is 452; a site
    -- policy may use 5yz, and may then refuse DATA with 503.
    local verdict_101 = over:is("2xx") and "accepted (no limit at 100)"
      or over.code == 452 and "452, the code for a limit"
      or t:policy("recipient-site-policy", over) and "refused with " .. over.code ..
        " (policy recipient-site-policy: §4.5.3.1.10 MAY use a 5yz for a site policy)"
      or "got " .. over.code
    local data = t:answered(c:send("DATA"), "DATA after 101 RCPTs")
    if data.code == 354 then
      c:close()  -- abandon the data: closing mid-DATA cancels the transaction (§4.1.1.10)
      t:pass("100 recipients accepted; #101 " .. verdict_101 .. " (" .. tostring(over) ..
        "); DATA got 354, so the recipients were kept")
    end
    t:definite(data, "DATA")
    t:require(data.code == 503, "DATA after 100 accepted recipients got " .. tostring(data) ..
      ": a server with a recipient limit MUST NOT discard the recipients it accepted " ..
      "(RFC 5321 §4.5.3.1.8)")
    c:quit()
    t:pass("100 recipients accepted; #101 " .. verdict_101 .. " (" .. tostring(over) ..
      "); DATA got 503, which §4.5.3.1.10 allows for a site policy on recipients")
  end,
}

check {
  id = "L7",
  title = "An idle session is kept for at least 5 minutes, then closed with 421",
  rfc = "RFC 5321 §4.5.3.2.7, §3.8",
  level = "SHOULD",
  slow = true,
  run = function(t)
    -- Runs only with --only L7, and needs --check-timeout of at least 8m.
    local c = t:session { ehlo = false }
    -- §4.5.3.2.7: "An SMTP server SHOULD have a timeout of at least 5
    -- minutes while it is awaiting the next command from the sender." The
    -- last 10 s are left as slack: the server's clock started before ours.
    for elapsed = 10, 290, 10 do
      local r = c:read(10)
      if not r.timeout then
        t:warn(("%s %d-%d s after the greeting: the server SHOULD wait at least 5 minutes " ..
          "for the next command (RFC 5321 §4.5.3.2.7)"):format(tostring(r), elapsed - 10, elapsed))
      end
    end
    -- §3.8 lets the server close after that timeout; a 421 first tells the
    -- client why (§4.2.2: 421 "closing transmission channel").
    for elapsed = 300, 420, 10 do
      local r = c:read(10)
      if r.ok then
        if r.code == 421 then
          t:pass(("open for 5 minutes; 421 after %d-%d s: %s")
            :format(elapsed - 10, elapsed, tostring(r)))
        end
        t:unmet("INFO", ("open for 5 minutes, then %s after %d-%d s (RFC 5321 §3.8 allows " ..
          "a close after the timeout)"):format(tostring(r), elapsed - 10, elapsed))
      end
      if r.closed then
        t:pass(("open for 5 minutes; closed without a 421 after %d-%d s")
          :format(elapsed - 10, elapsed))
      end
    end
    t:pass("still open after 7 minutes idle")
  end,
}
