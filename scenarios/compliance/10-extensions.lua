-- Other extensions: checks X1-X5 of docs/CONFORMANCE.md.
--
-- SIZE (RFC 1870), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531), DSN
-- (RFC 3461) and ENHANCEDSTATUSCODES (RFC 2034): each is judged only when
-- the server advertises it (needs), by what its parameters must be accepted
-- or refused with.
--
-- Where an RFC names one reply code for a refusal and the server refuses
-- with another, the part is judged at the level of the sentence that names
-- the code: WARN for a SHOULD, INFO for a descriptive sentence or grammar
-- (docs/CONFORMANCE.md, "How a sentence maps to a level").

local function start_mail(t, c, from, params)
  local r = t:auth_first(c:mail(from, params))
  if not r.ok then t:error("MAIL FROM:<" .. from .. ">: " .. tostring(r)) end
  return r
end

-- The next transaction in a fresh session, so that these checks do not
-- depend on RSET working (that is C2's business).
local function fresh(t, c)
  c:close()
  return t:session()
end

-- A body larger than this is not sent: on a slow link it would not arrive
-- within the check's time. 32 MiB covers the usual defaults (Postfix's
-- 10240000, aiosmtpd's and fake-smtpd's 33554432); over loopback it takes
-- well under a second.
local largest_body = 32 * 1024 * 1024

-- Content whose size is over `octets` even after every CRLF is turned into
-- LF (some servers count it so: RFC 1870 §5 counts the CRLFs): lines of 1000
-- octets (RFC 5321 §4.5.3.1.6), no line starting with ".".
local function body_of(octets)
  local line = string.rep("x", 998) .. "\r\n"
  local per_line = #line - 1  -- the octets of a line once its CRLF is LF
  return "Subject: size check\r\n\r\n" .. string.rep(line, octets // per_line + 1)
end

check {
  id = "X1",
  title = "SIZE: a declared size over the maximum, a size that is not a number, a body over the maximum",
  rfc = "RFC 1870 §3, §4, §6.1, §7",
  level = "MUST",
  needs = { "SIZE" },
  run = function(t)
    local c = t:session()
    local f = t:findings()
    local param = c:param("SIZE")
    local max = math.tointeger(tonumber(param))
    local fixed = max ~= nil and max > 0 and max < math.maxinteger
    c:close()
    if not fixed then
      -- §3: no number (or 0) advertises no fixed maximum.
      t:note("SIZE advertises no fixed maximum ('" .. param .. "'): the over-maximum parts do not apply")
    end

    -- Each part on a fresh session: a server may keep the size a refused
    -- MAIL declared until RSET (docs/CONFORMANCE.md X1).
    if fixed then
      -- §7 (pre-RFC 2119, lower case read as MUST, docs/CONFORMANCE.md, rule
      -- 2): "Such a server must accept the extended MAIL command and return a
      -- 552 reply code if the client's declared size exceeds its fixed size
      -- limit".
      local s = t:session()
      local r = start_mail(t, s, "x1@example.org", "SIZE=" .. (max + 1))
      s:close()
      if r.code ~= 552 then
        f:add("MUST", "MAIL ... SIZE=" .. (max + 1) .. " (over the advertised " .. max .. ") got " ..
          tostring(r) .. ": a server must return a 552 reply code if the declared size " ..
          "exceeds its fixed size limit (RFC 1870 §7, §6.1)")
      end
    end

    -- §3: size-value ::= 1*20DIGIT. Grammar only (rule 6).
    local s = t:session()
    local r = start_mail(t, s, "x1@example.org", "SIZE=abc")
    s:close()
    if r:is("2xx") then
      f:add("INFO", "MAIL ... SIZE=abc was accepted: " .. tostring(r) ..
        " (RFC 1870 §3: size-value is digits)")
    elseif r.code ~= 501 then
      t:note("SIZE=abc was refused with " .. tostring(r) .. ", not 501")
    end

    if fixed and max <= largest_body then
      -- §4: "Any attempt by a client to transfer a message which is larger
      -- than this limit will be rejected with a permanent failure (552)
      -- reply code": descriptive (rule 3). Over by 2 % and 4 KiB even
      -- counted with LF line ends.
      local over = max + max // 50 + 4096
      s = t:session()
      t:begin(s, "x1@example.org")
      t:recipient(s)
      local final = s:data(body_of(over))
      s:close()
      if final:is("2xx") then
        f:add("INFO", "a message of more than " .. over .. " octets (the advertised maximum is " ..
          max .. ") was accepted: " .. tostring(final) .. " (RFC 1870 §4: \"will be rejected " ..
          "with a permanent failure (552)\", no keyword)")
      elseif not final.ok then
        t:note("a message over the maximum got no reply: " .. tostring(final))
      elseif final.code ~= 552 then
        f:add("INFO", "a message over the maximum was refused with " .. tostring(final) ..
          ", not 552 (RFC 1870 §4)")
      end
    elseif fixed then
      t:note("the maximum (" .. max .. " octets) is above " .. largest_body ..
        ": a body over it is not sent")
    end
    f:finish()
  end,
}

check {
  id = "X2",
  title = "BODY=8BITMIME and BODY=7BIT are accepted, BODY=FOO is refused",
  rfc = "RFC 6152 §2, §3; RFC 5321 §2.4",
  level = "SHOULD",
  needs = { "8BITMIME" },
  run = function(t)
    local f = t:findings()
    -- RFC 5321 §2.4: "8BITMIME SHOULD be supported by SMTP servers."; RFC
    -- 6152 has no keyword sentence on BODY values, only their grammar
    -- (docs/CONFORMANCE.md X2).
    for _, value in ipairs({ "8BITMIME", "7BIT" }) do
      local c = t:session()
      local r = start_mail(t, c, "x2@example.org", "BODY=" .. value)
      c:close()
      if not r:is("2xx") then
        f:add(value == "8BITMIME" and "SHOULD" or "INFO", "MAIL ... BODY=" .. value ..
          " was refused: " .. tostring(r) .. (value == "8BITMIME" and
          " (RFC 5321 §2.4: 8BITMIME SHOULD be supported)" or ""))
      end
    end
    local c = t:session()
    local r = start_mail(t, c, "x2@example.org", "BODY=FOO")
    c:close()
    if r:is("2xx") then
      f:add("INFO", "MAIL ... BODY=FOO was accepted: " .. tostring(r) .. " (RFC 6152 §2: " ..
        "body-value is 7BIT or 8BITMIME)")
    elseif not r:is(501, 555) then
      t:note("BODY=FOO was refused with " .. tostring(r) .. ", not 501 or 555")
    end
    f:finish()
  end,
}

-- "jösé", a local part that needs SMTPUTF8.
local utf8_user = "j\u{F6}s\u{E9}"

check {
  id = "X3",
  title = "SMTPUTF8: 8BITMIME offered too, a UTF-8 address accepted with the parameter",
  rfc = "RFC 6531 §3.1, §3.2, §3.4, §3.5",
  level = "MUST",
  needs = { "SMTPUTF8" },
  run = function(t)
    local c = t:session()
    local f = t:findings()
    -- §3.1 (8): "Servers offering this extension MUST provide support for,
    -- and announce, the 8BITMIME extension."
    local eightbit = c:has("8BITMIME")
    c:close()
    if not eightbit then
      f:add("MUST", "SMTPUTF8 is advertised without 8BITMIME (RFC 6531 §3.1, item 8)")
    end

    -- §3.2: a UTF-8 string MUST be accepted wherever a mailbox can appear.
    -- Judged against the same MAIL with an ASCII sender: a refusal both get
    -- is about something else.
    local params = eightbit and "SMTPUTF8 BODY=8BITMIME" or "SMTPUTF8"
    local s = t:session()
    local base = start_mail(t, s, "x3@example.org", params)
    s:close()
    local sender = utf8_user .. "@example.org"
    s = t:session()
    local r = start_mail(t, s, sender, params)
    s:close()
    if base:is("2xx") and not r:is("2xx") then
      t:definite(r, "MAIL FROM:<" .. sender .. "> " .. params)
      f:add("MUST", "MAIL FROM:<" .. sender .. "> " .. params .. " was refused (" ..
        tostring(r) .. ") while the same MAIL with an ASCII sender was accepted: a server " ..
        "that announces SMTPUTF8 MUST be prepared to accept a UTF-8 string wherever a " ..
        "mailbox can appear (RFC 6531 §3.2)")
    elseif not base:is("2xx") then
      t:note("MAIL FROM:<x3@example.org> " .. params .. " was refused (" .. tostring(base) ..
        "): the UTF-8 sender was not judged")
    end

    -- Without the parameter: §3.4's MUST binds the client and §3.5 names
    -- only the refusal's code; recorded (docs/CONFORMANCE.md X3).
    s = t:session()
    local without = start_mail(t, s, sender)
    s:close()
    s = t:session()
    t:begin(s, "x3@example.org")
    local recipient = utf8_user .. "@" .. t.domain
    local rcpt = s:rcpt(recipient)
    s:close()
    t:note("without the SMTPUTF8 parameter: MAIL FROM:<" .. sender .. "> got " ..
      tostring(without) .. "; RCPT TO:<" .. recipient .. "> got " .. tostring(rcpt) ..
      " (RFC 6531 §3.4 binds the client)")
    f:finish()
  end,
}

check {
  id = "X4",
  title = "DSN: RET, ENVID, NOTIFY and ORCPT, valid and invalid",
  rfc = "RFC 3461 §4.1-§4.4, §5, §5.1",
  -- §5: a server that issues the DSN keyword MUST obey §5.1 (needs); §5.1
  -- judges the valid parameters against the same command without them, and
  -- puts a SHOULD on the 501 for an invalid NOTIFY (docs/CONFORMANCE.md X4).
  level = "MUST",
  needs = { "DSN" },
  run = function(t)
    local f = t:findings()
    local sender = "x4@example.org"
    -- Every MAIL and RCPT below opens a fresh session, so that no reply
    -- depends on what an earlier command left behind.
    local function first_mail(params)
      local c = t:session()
      local r = t:answered(start_mail(t, c, sender, params),
        "MAIL FROM:<" .. sender .. ">" .. (params and " " .. params or ""))
      return c, r
    end
    -- A session with the plain MAIL accepted, for a RCPT to be judged.
    local function transaction()
      local c, r = first_mail()
      if not r:is("2xx") then
        t:error("MAIL FROM:<" .. sender .. "> was refused: " .. tostring(r))
      end
      return c, r
    end

    -- The plain commands: what the parameters are compared with.
    local c, plain_mail = transaction()
    local plain_rcpt = t:answered(c:rcpt(t:postmaster()), "RCPT TO:<" .. t:postmaster() .. ">")
    c:close()
    if not plain_rcpt:is("2xx") then
      t:skip("RCPT TO:<" .. t:postmaster() .. "> was refused (" .. tostring(plain_rcpt) ..
        "); give --domain a domain the target accepts mail for")
    end

    -- §5.1(a): "a conforming SMTP server MUST return the same reply-code as
    -- it would to the same MAIL command without the ENVID and/or RET
    -- parameters." ENVID is xtext (§4.4): "+2B" stands for "+".
    local mail_params = "RET=HDRS ENVID=x4+2Bcheck"
    local r
    c, r = first_mail(mail_params)
    c:close()
    if r.code ~= plain_mail.code then
      t:definite(r, "MAIL ... " .. mail_params)
      f:add("MUST", "MAIL FROM:<" .. sender .. "> " .. mail_params .. " got " .. tostring(r) ..
        " while the same MAIL without them got " .. tostring(plain_mail) .. ": a server that " ..
        "advertises DSN MUST return the same reply-code (RFC 3461 §5.1(a))")
    end

    -- §5.1(b): "a conforming SMTP server MUST return the same response as it
    -- would to the same RCPT command without those NOTIFY and/or ORCPT
    -- parameters." ORCPT names the RCPT's own address (§4.2).
    local rcpt_params = "NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;" .. t:postmaster()
    c = transaction()
    r = t:answered(c:rcpt(t:postmaster(), rcpt_params), "RCPT ... " .. rcpt_params)
    c:close()
    if r.code ~= plain_rcpt.code then
      t:definite(r, "RCPT ... " .. rcpt_params)
      f:add("MUST", "RCPT TO:<" .. t:postmaster() .. "> " .. rcpt_params .. " got " ..
        tostring(r) .. " while the same RCPT without them got " .. tostring(plain_rcpt) ..
        ": a server that advertises DSN MUST return the same response (RFC 3461 §5.1(b))")
    end

    -- §4.3: ret-value is FULL or HDRS. §5.1(a)'s MUST 501 covers a value
    -- that "contains illegal characters", which BODY does not: recorded.
    c, r = first_mail("RET=BODY")
    c:close()
    if r:is("2xx") then
      f:add("INFO", "MAIL ... RET=BODY was accepted: " .. tostring(r) .. " (RFC 3461 §4.3: FULL or HDRS)")
    elseif not r:is(501, 555) then
      t:note("RET=BODY was refused with " .. tostring(r) .. ", not 501 or 555")
    end

    -- §4.1: "the NEVER keyword MUST appear by itself"; §5.1(b): "if any of
    -- the associated esmtp-values are not valid ... the server SHOULD issue
    -- the response "501 syntax error in parameter"."
    c = transaction()
    r = t:answered(c:rcpt(t:postmaster(), "NOTIFY=NEVER,SUCCESS"), "RCPT ... NOTIFY=NEVER,SUCCESS")
    c:close()
    if r.code ~= 501 then
      t:definite(r, "RCPT ... NOTIFY=NEVER,SUCCESS")
      f:add("SHOULD", "RCPT ... NOTIFY=NEVER,SUCCESS was " .. (r:is("2xx") and "accepted" or
        "refused with another code than 501") .. ": " .. tostring(r) .. " (RFC 3461 §4.1: NEVER " ..
        "MUST appear by itself; §5.1(b): the server SHOULD issue 501)")
    end
    f:finish()
  end,
}

-- Every line of a 2xx, 4xx or 5xx reply must start with an enhanced status
-- code of the reply's class, the same on every line (RFC 2034 §4).
local function enhanced_problem(what, r)
  if not r:is("2xx", "4xx", "5xx") then return nil end
  local first = nil
  for i = 1, #r.lines do
    local code = r.line_enhanced[i]
    if not code then
      return what .. " -> " .. tostring(r) .. ": no enhanced status code" ..
        (#r.lines > 1 and " on line " .. i or "")
    end
    if code:sub(1, 1) ~= tostring(r:class()) then
      return what .. " -> " .. tostring(r) .. ": the class of " .. code .. " does not match " .. r.code
    end
    first = first or code
    if code ~= first then
      return what .. " -> " .. tostring(r) .. ": line " .. i .. " has " .. code .. ", line 1 " .. first
    end
  end
  return nil
end

-- Commands that draw 2xx, 5xx and 221 replies from any server.
local function enhanced_problems(t, c)
  local problems = {}
  local function judge(what, r)
    if not r.ok then t:error(what .. ": " .. tostring(r)) end
    local problem = enhanced_problem(what, r)
    if problem then problems[#problems + 1] = problem end
  end
  judge("MAIL", c:mail("x5@example.org"))
  judge("RCPT", c:rcpt(t:postmaster()))
  judge("RSET", c:send("RSET"))
  judge("NOOP", c:send("NOOP"))
  judge("RCPT without MAIL", c:send("RCPT TO:<" .. t:postmaster() .. ">"))
  judge("MAIL with a bad path", c:send("MAIL FROM:<@>"))
  -- A close in answer to QUIT is C3's to judge.
  local quit = c:send("QUIT")
  if not quit.closed then judge("QUIT", quit) end
  return problems
end

check {
  id = "X5",
  title = "ENHANCEDSTATUSCODES: every 2xx/4xx/5xx reply after EHLO carries a matching enhanced code",
  rfc = "RFC 2034 §3, §4; RFC 3463 §2",
  level = "MUST",
  needs = { "ENHANCEDSTATUSCODES" },
  run = function(t)
    local c = t:session()
    local problems = enhanced_problems(t, c)
    t:require(#problems == 0, table.concat(problems, "; ") ..
      " (RFC 2034 §4: every 2xx, 4xx and 5xx line but the greeting and the EHLO reply " ..
      "starts with an enhanced code of the same class)")
  end,
}

check {
  id = "X5.helo",
  title = "ENHANCEDSTATUSCODES: enhanced codes also after HELO",
  rfc = "RFC 2034 §4, §5",
  level = "MUST",
  needs = { "ENHANCEDSTATUSCODES" },
  run = function(t)
    -- EHLO to learn that the extension is offered (needs), then a session
    -- that never says EHLO: §4, servers "must attach enhanced status codes
    -- to their responses regardless of whether or not EHLO is employed by
    -- the client" (and §5: clients do not negotiate them).
    t:session():close()
    local c = t:session { ehlo = false }
    local helo = c:helo()
    if not helo:is(250) then t:error("HELO: " .. tostring(helo)) end
    local problems = enhanced_problems(t, c)
    t:require(#problems == 0, "after HELO: " .. table.concat(problems, "; ") ..
      " (RFC 2034 §4: enhanced codes regardless of whether EHLO is used)")
  end,
}
