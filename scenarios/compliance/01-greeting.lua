-- Greeting and reply syntax: checks G1-G5 of docs/CONFORMANCE.md.
--
-- What every reply must look like, whatever the command: the greeting that
-- names the server (or refuses the session in the ways RFC 5321 §3.1 and
-- RFC 7504 allow), the reply-code syntax of §4.2, one reply per command,
-- the codes §4.3.2 lists for each command, and what happens to a client that
-- speaks before the greeting.
--
-- Every check applies to every profile.

-- Malformed bytes that still start like a reply code: an SMTP server that
-- got its reply wrong, rather than something that does not speak SMTP.
local function reply_like(r)
  return (r.raw or ""):match("^%d%d%d") ~= nil  -- three digits: a reply code, maybe a bad one
end

-- The reply parser's words for a bad code, mixed codes or a bare LF: the
-- malformations a MUST forbids in any reply, the greeting included (RFC 5321
-- §4.3.2, §4.2.1, §2.3.8).
local function breaks_a_must(detail)
  return detail:find("does not start with a code", 1, true) ~= nil or
    detail:find("inside a", 1, true) ~= nil or detail:find("bare LF", 1, true) ~= nil
end

-- Where the reply parser stopped at a size rather than at a syntax error.
-- A reply line over 512 octets breaks only a SHOULD (RFC 5321 §4.5.3.1:
-- "Objects larger than these sizes SHOULD be avoided when possible"); a
-- reply of more lines than the suite reads breaks nothing the RFC says, as it
-- sets no limit on the number of lines (docs/CONFORMANCE.md G2).
local function over_long_line(detail)
  return detail:find("reply line longer than", 1, true) ~= nil
end

local function too_many_lines(detail)
  return detail:find("reply has more than", 1, true) ~= nil
end

local function not_smtp(t, r)
  t:error("the first bytes are not an SMTP reply (" .. r.malformed .. "): is this an SMTP server?")
end

check {
  id = "G1",
  title = "The greeting is a 220 naming the server, or a 554/521 that refuses the session properly",
  rfc = "RFC 5321 §3.1, §4.2, §4.3.1, §4.3.2; RFC 7504 §3",
  level = "MUST",
  run = function(t)
    local c = t:connect()
    local g = c.banner
    if g.timeout then
      -- §4.5.3.2.1: a client waits up to 5 minutes for the greeting, and some
      -- servers delay it on purpose.
      t:error("no greeting within the reply timeout; servers may delay it " ..
        "(RFC 5321 §4.5.3.2.1), try a longer --timeout")
    end
    if g.closed then t:error("the connection was closed before any greeting; nothing to judge") end
    if g.malformed and not reply_like(g) then not_smtp(t, g) end
    if g.malformed then
      -- G2 judges a reply's syntax; here there is no greeting to read.
      t:unmet("INFO", "the greeting is not a valid reply (" .. g.malformed .. "); G2 judges " ..
        "its syntax")
    end
    t:answered(g, "the greeting")

    if g.code == 220 then
      -- §4.2: Greeting = "220 " (Domain / address-literal) [SP textstring];
      -- §4.3.1: the server's name is the first word after the code.
      local name = (g.lines[1] or ""):match("^(%S*)")
      local named, why = t:is_domain(name)
      if not named then
        t:unmet("SHOULD", "the greeting " .. tostring(g) .. " does not start with the " ..
          "server's domain or an address literal (" .. why .. "): an SMTP server SHOULD use " ..
          "the text shown in the examples, \"220 <domain> Service ready\" (RFC 5321 §4.2, §4.2.2)")
      end
      return
    end

    if g.code == 554 then
      -- §3.1: after a 554 greeting the server MUST wait for QUIT before it
      -- closes, and SHOULD answer anything else with 503.
      local others = {}
      for _, command in ipairs({ "EHLO client.example", "MAIL FROM:<g1@example.org>" }) do
        local r = c:send(command)
        if r.closed then
          t:fail("after the 554 greeting the server closed the connection when it got " ..
            command .. "; it MUST wait for QUIT (RFC 5321 §3.1)")
        end
        t:answered(r, command .. " after the 554 greeting")
        if r.code ~= 503 then others[#others + 1] = command .. " got " .. tostring(r) end
      end
      c:quit()
      if #others > 0 then
        t:warn("554 greeting, then " .. table.concat(others, "; ") ..
          ": commands other than QUIT SHOULD get 503 (RFC 5321 §3.1)")
      end
      t:pass("554 greeting (" .. tostring(g) .. "): other commands got 503 and the server " ..
        "waited for QUIT")
    end

    if g.code == 521 then
      -- RFC 7504 §3 (521: the host accepts no mail) could not be read in a
      -- primary copy: the session is recorded, not judged (docs/CONFORMANCE.md
      -- G1).
      local r = c:send("EHLO client.example")
      t:unmet("INFO", "521 greeting (the host accepts no mail), then EHLO got " .. tostring(r))
    end

    t:unmet("SHOULD", "the greeting is " .. tostring(g) .. ": RFC 5321 §4.3.2 lists 220 and " ..
      "554 for the connection, and its table SHOULD be strictly adhered to (§4.3.1)")
  end,
}

check {
  id = "G2",
  title = "Every reply has a valid code, and multiline replies use one code with ddd- and ddd SP",
  rfc = "RFC 5321 §4.2, §4.2.1",
  level = "MUST",
  run = function(t)
    -- Not t:session(): its EHLO would end the check in ERROR on a malformed
    -- reply, and a malformed reply is what this check is here to report.
    local c = t:connect()
    local judged = 0
    local function judge(what, r)
      if r.malformed and judged == 0 and not reply_like(r) then not_smtp(t, r) end
      if r.malformed and judged == 0 and not breaks_a_must(r.malformed) then
        -- The greeting answers no command: only the code and line-end MUSTs
        -- bind it (docs/CONFORMANCE.md G2, rule 6).
        t:unmet("INFO", what .. ": " .. r.malformed .. " (no sentence requires the greeting's " ..
          "syntax beyond its code and its CRLF)")
      end
      if r.malformed and too_many_lines(r.malformed) then
        t:error(what .. ": " .. r.malformed .. ", the most the suite reads; RFC 5321 sets no " ..
          "limit on a reply's lines, so this cannot be judged")
      end
      if r.malformed and over_long_line(r.malformed) then
        t:unmet("SHOULD", what .. ": " .. r.malformed .. " (RFC 5321 §4.5.3.1.5: a reply line " ..
          "is at most 512 octets; §4.5.3.1: larger objects SHOULD be avoided)")
      end
      if r.malformed then
        t:fail(what .. ": " .. r.malformed .. " (RFC 5321 §4.2: every command MUST generate " ..
          "exactly one reply, and a reply is a three-digit code, then text, then CRLF; §4.3.2: " ..
          "the first digit 2-5; §4.2.1: one code on every line of a multiline reply)")
      end
      if r.closed and judged > 1 then
        t:pass(("%d replies were well-formed; then the server closed the connection after %s")
          :format(judged, what))
      end
      if not r.ok then t:error(what .. ": " .. tostring(r)) end
      judged = judged + 1
      return r
    end
    judge("the greeting", c.banner)
    if not c.banner:is("2xx") then
      t:error("the greeting was " .. tostring(c.banner) .. "; nothing to judge")
    end
    judge("EHLO", c:ehlo())
    for _, command in ipairs({
      "NOOP", "HELP", "VRFY postmaster", "MAIL FROM:<g2@example.org>",
      "RCPT TO:<" .. t:postmaster() .. ">", "RSET", "XYZZY", "QUIT",
    }) do
      judge(command, c:send(command))
    end
    t:pass(("%d replies were well-formed"):format(judged))
  end,
}

check {
  id = "G3",
  title = "Every command gets exactly one reply",
  rfc = "RFC 5321 §4.2",
  level = "MUST",
  run = function(t)
    local c = t:session()
    -- Each command is followed by a NOOP, whose own reply is always 250
    -- (§4.1.1.9): a second reply to the command shows up as the NOOP's reply,
    -- a missing one as a timeout. Commands that fail are included on purpose.
    local commands = {
      "MAIL FROM:<g3@example.org", "RCPT TO:<" .. t:postmaster() .. ">", "VRFY", "HELP",
      "MAIL FROM:<g3@example.org>", "RCPT TO:<" .. t:postmaster() .. ">", "RSET",
    }
    local function one_reply(command)
      local r = c:send(command)
      -- A reply late past --timeout is not shown missing
      -- (docs/CONFORMANCE.md, rule 8): t:answered ends the check in ERROR.
      return t:answered(r, command)
    end
    for _, command in ipairs(commands) do
      one_reply(command)
      local noop = one_reply("NOOP")
      t:require(noop.code == 250, "the reply read for the NOOP after " .. command .. " was " ..
        tostring(noop) .. ": a second reply to " .. command .. " (NOOP's own reply is 250); " ..
        "every command MUST generate exactly one reply (RFC 5321 §4.2)")
    end
    -- Nothing may be left over once the last NOOP is answered.
    local extra = c:read(0.5)
    t:require(not extra.ok, "an extra reply after the last NOOP: " .. tostring(extra) ..
      " (RFC 5321 §4.2: exactly one reply per command)")
    c:quit()
    t:pass(("%d commands, one reply each"):format(2 * #commands))
  end,
}

-- RFC 5321 §4.3.2, per command, plus what §4.3.2 lets any command return
-- (500, 501, and 421, which ends the check). Extensions may add codes: 530 (RFC 4954 §6, RFC 3207 §4)
-- is allowed when the server offers AUTH or STARTTLS.
local allowed_codes = {
  EHLO = { 250, 504, 550, 502 },
  HELO = { 250, 504, 550, 502 },
  MAIL = { 250, 552, 451, 452, 550, 553, 503, 455, 555 },
  RCPT = { 250, 251, 550, 551, 552, 553, 450, 451, 452, 503, 455, 555 },
  DATA = { 354, 503, 554 },
  ["end of data"] = { 250, 552, 554, 451, 452, 450, 550 },
  RSET = { 250 },
  VRFY = { 250, 251, 252, 550, 551, 553, 502, 504 },
  EXPN = { 250, 252, 550, 500, 502, 504 },
  HELP = { 211, 214, 502, 504 },
  NOOP = { 250 },
  QUIT = { 221 },
}

check {
  id = "G4",
  title = "Each command is answered with a code RFC 5321 §4.3.2 lists for it",
  rfc = "RFC 5321 §4.2.3, §4.3.2",
  level = "SHOULD",
  run = function(t)
    local c = t:session()
    local extended = c:has("AUTH") or c:has("STARTTLS")
    local odd, judged = {}, 0
    local function judge(name, what, r)
      t:answered(r, what)
      judged = judged + 1
      local codes = { 500, 501 }
      for _, code in ipairs(allowed_codes[name]) do codes[#codes + 1] = code end
      if extended then codes[#codes + 1] = 530 end
      if not r:is(codes) then odd[#odd + 1] = what .. " got " .. tostring(r) end
      return r
    end
    -- EHLO and HELO each as the first command of a session of its own: a
    -- server may refuse a repeated one for being a repeat (§4.1.4).
    for _, verb in ipairs({ "EHLO", "HELO" }) do
      local first = t:session { ehlo = false }
      judge(verb, verb, first:send(verb .. " client.example"))
      first:close()
    end
    judge("NOOP", "NOOP", c:send("NOOP"))
    judge("HELP", "HELP", c:send("HELP"))
    judge("VRFY", "VRFY postmaster", c:send("VRFY postmaster"))
    judge("EXPN", "EXPN postmaster", c:send("EXPN postmaster"))
    local mail = judge("MAIL", "MAIL", c:mail("g4@example.org"))
    if mail:is("2xx") then
      judge("RCPT", "RCPT", c:rcpt(t:postmaster()))
      local data = judge("DATA", "DATA", c:send("DATA"))
      if data.code == 354 then
        c:write("From: <g4@example.org>\r\nTo: <" .. t:postmaster() .. ">\r\n" ..
          "Subject: smtp-harness check G4\r\n\r\nA test message from smtp-harness check.\r\n.\r\n")
        judge("end of data", "the end of data", c:read())
      end
    end
    judge("RSET", "RSET", c:send("RSET"))
    -- A close in answer to QUIT is C3's to judge.
    local quit = c:quit()
    if not quit.closed then judge("QUIT", "QUIT", quit) end
    t:require(#odd == 0, table.concat(odd, "; ") .. ": codes not listed for these commands " ..
      "(RFC 5321 §4.3.2 lists each command's replies, and they SHOULD be adhered to)")
    t:pass(("%d replies, each with a code §4.3.2 lists for its command"):format(judged))
  end,
}

check {
  id = "G5",
  title = "EHLO sent before the greeting: rejected, tolerated or dropped",
  rfc = "RFC 5321 §4.3.1",
  level = "INFO",
  run = function(t)
    -- §4.3.1: the client SHOULD wait for the greeting. Servers that delay
    -- their greeting often refuse clients that talk first (a spam-bot trait).
    local c = t:connect { greeting = false }
    if c.banner ~= nil then
      t:skip("this harness read the greeting on connect; G5 needs t:connect { greeting = false }")
    end
    c:write("EHLO client.example\r\n")
    local greeting = c:read()
    if greeting.closed then
      -- Only a finding when a client that waits is greeted.
      local probe = t:connect()
      if not probe.banner:is("2xx") then
        t:error("a session that waits for the greeting gets " .. tostring(probe.banner) ..
          " too; nothing to judge")
      end
      t:info("drops: the connection was closed without a greeting")
      return
    end
    if not greeting.ok then t:error("the greeting: " .. tostring(greeting)) end
    if not greeting:is("2xx") then
      t:info("rejects: the greeting was " .. tostring(greeting))
      return
    end
    local r = c:read()
    if r.closed then
      t:info("drops: greeting " .. tostring(greeting) .. ", then the connection was closed")
    elseif not r.ok then
      t:error("the reply to the early EHLO: " .. tostring(r))
    elseif r:is("2xx") then
      -- A server that greets at once cannot tell that the EHLO came early.
      t:info("tolerates: greeting " .. tostring(greeting) .. ", then EHLO got " .. tostring(r))
    else
      t:info("rejects: greeting " .. tostring(greeting) .. ", then EHLO got " .. tostring(r))
    end
  end,
}
