-- J. Other extensions (CONFORMANCE.md, section J).
--
-- SIZE (RFC 1870), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531), DSN
-- (RFC 3461) and ENHANCEDSTATUSCODES (RFC 2034): each is judged only when
-- the server advertises it (needs), by what its parameters must be accepted
-- or refused with.
--
-- Where an RFC names one reply code for a refusal and the server refuses
-- with another, the check ends in WARN: the client was protected, but the
-- reply does not say what the RFC says it should.

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

-- Collects what a check found, then ends it: failures (a MUST broken), then
-- doubts (refused, but not with the reply the RFC names), else PASS.
local function findings()
  local f = { failures = {}, doubts = {} }
  function f.fail(text) f.failures[#f.failures + 1] = text end
  function f.doubt(text) f.doubts[#f.doubts + 1] = text end
  function f.finish(t)
    t:require(#f.failures == 0, table.concat(f.failures, "; "))
    if #f.doubts > 0 then t:warn(table.concat(f.doubts, "; ")) end
  end
  return f
end

-- A body larger than this is not sent: on a slow link it would not arrive
-- within the check's time. 32 MiB covers the usual defaults (Postfix's
-- 10240000, aiosmtpd's and fake-smtpd's 33554432); over loopback it takes
-- well under a second.
local largest_body = 32 * 1024 * 1024

-- Content of at least `octets` octets (headers, CRLFs, lines of 1000
-- octets: RFC 5321 §4.5.3.1.6) and no line starting with ".".
local function body_of(octets)
  local line = string.rep("x", 998) .. "\r\n"
  return "Subject: size check\r\n\r\n" .. string.rep(line, octets // #line + 1)
end

check {
  id = "X1",
  title = "SIZE: a declared size over the maximum, a size that is not a number, a body over the maximum",
  rfc = "RFC 1870 §3, §4, §6.1, §7",
  level = "MUST",
  needs = { "SIZE" },
  run = function(t)
    local c = t:session()
    local f = findings()
    local param = c:param("SIZE")
    local max = math.tointeger(tonumber(param))
    local fixed = max ~= nil and max > 0 and max < math.maxinteger
    if not fixed then
      -- §7: no number (or 0) advertises no fixed maximum.
      t:note("SIZE advertises no fixed maximum ('" .. param .. "'): the over-maximum parts do not apply")
    end

    if fixed then
      -- §6.1 (2) and §7: a declared size over the fixed maximum is refused
      -- with 552 at once, before any data is sent.
      local r = start_mail(t, c, "x1@example.org", "SIZE=" .. (max + 1))
      if r:is("2xx") then
        f.fail("MAIL ... SIZE=" .. (max + 1) .. " (over the advertised " .. max .. ") was accepted: " ..
          tostring(r) .. "; RFC 1870 §6.1 and §7 require 552")
        c = fresh(t, c)
      elseif r.code ~= 552 then
        f.doubt("SIZE=" .. (max + 1) .. " was refused with " .. tostring(r) .. ", not 552 (RFC 1870 §6.1)")
      end
    end

    -- §3: size-value ::= 1*20DIGIT, so "abc" is a syntax error.
    local r = start_mail(t, c, "x1@example.org", "SIZE=abc")
    if r:is("2xx") then
      f.fail("MAIL ... SIZE=abc was accepted: " .. tostring(r) .. " (RFC 1870 §3: size-value is digits)")
      c = fresh(t, c)
    elseif r.code ~= 501 then
      f.doubt("SIZE=abc was refused with " .. tostring(r) .. ", not 501 (syntax error in parameters)")
    end

    if fixed and max <= largest_body then
      -- §4: "Any attempt by a client to transfer a message which is larger
      -- than this limit will be rejected with a permanent failure (552)."
      local m = start_mail(t, c, "x1@example.org")
      if not m:is("2xx") then t:error("MAIL FROM:<x1@example.org> was refused: " .. tostring(m)) end
      local to = c:rcpt(t:postmaster())
      if not to:is("2xx") then
        t:skip("RCPT TO:<" .. t:postmaster() .. "> was refused (" .. tostring(to) ..
          "); give --domain a domain the target accepts mail for")
      end
      local final = c:data(body_of(max + 1))
      if final:is("2xx") then
        f.fail("a message of more than " .. max .. " octets (the advertised maximum) was accepted: " ..
          tostring(final) .. " (RFC 1870 §4: rejected with 552)")
      elseif not final.ok then
        f.doubt("a message over the maximum got no reply (" .. tostring(final) .. "), not 552")
      elseif final.code ~= 552 then
        f.doubt("a message over the maximum was refused with " .. tostring(final) .. ", not 552 (RFC 1870 §4)")
      end
    elseif fixed then
      t:note("the maximum (" .. max .. " octets) is above " .. largest_body ..
        ": a body over it is not sent")
    end
    f.finish(t)
  end,
}

check {
  id = "X2",
  title = "BODY=8BITMIME and BODY=7BIT are accepted, BODY=FOO is refused",
  rfc = "RFC 6152 §2, §3; RFC 5321 §4.1.1.11",
  level = "SHOULD",
  needs = { "8BITMIME" },
  run = function(t)
    local c = t:session()
    local f = findings()
    -- §2: body-value = "7BIT" / "8BITMIME"; §3: advertising 8BITMIME means
    -- the extended MAIL command is supported.
    for _, value in ipairs({ "8BITMIME", "7BIT" }) do
      local r = start_mail(t, c, "x2@example.org", "BODY=" .. value)
      if not r:is("2xx") then f.fail("MAIL ... BODY=" .. value .. " was refused: " .. tostring(r)) end
      c = fresh(t, c)
    end
    -- Any other value is not a body-value: 501 (a syntax error in the
    -- parameter) or 555 (a parameter value not implemented, RFC 5321
    -- §4.1.1.11).
    local r = start_mail(t, c, "x2@example.org", "BODY=FOO")
    if r:is("2xx") then
      f.fail("MAIL ... BODY=FOO was accepted: " .. tostring(r))
    elseif not r:is(501, 555) then
      f.doubt("BODY=FOO was refused with " .. tostring(r) .. ", not 501 or 555")
    end
    f.finish(t)
  end,
}

-- "jösé", a local part that needs SMTPUTF8.
local utf8_user = "j\u{F6}s\u{E9}"

-- RFC 6531 §3.5: the refusal of a non-ASCII address is 550 (MAIL) or 553
-- (RCPT), with X.6.7 when enhanced status codes are in use. X.6.7 is
-- registered with both basic codes (§4.2), so either is taken for either.
local function judge_utf8_refusal(f, c, r, what)
  local enhanced = c:has("ENHANCEDSTATUSCODES")
  if r:is("2xx") then
    f.fail(what .. " was accepted without the SMTPUTF8 parameter: " .. tostring(r) ..
      " (RFC 6531 §3.4: the parameter is what allows a non-ASCII address)")
  elseif not r:is(550, 553) or (enhanced and r.enhanced ~= "5.6.7") then
    f.doubt(what .. " was refused with " .. tostring(r) .. "; RFC 6531 §3.5 names 550 or 553" ..
      (enhanced and " with 5.6.7" or ""))
  end
end

check {
  id = "X3",
  title = "SMTPUTF8: 8BITMIME offered too, UTF-8 addresses with the parameter, refused without",
  rfc = "RFC 6531 §3.1, §3.2, §3.4, §3.5",
  level = "MUST",
  needs = { "SMTPUTF8" },
  run = function(t)
    local c = t:session()
    local f = findings()
    -- §3.1 (8): "Servers offering this extension MUST provide support for,
    -- and announce, the 8BITMIME extension."
    if not c:has("8BITMIME") then f.fail("SMTPUTF8 is advertised without 8BITMIME (RFC 6531 §3.1, item 8)") end

    -- §3.2: a UTF-8 string MUST be accepted wherever a mailbox can appear.
    local sender = utf8_user .. "@example.org"
    local params = c:has("8BITMIME") and "SMTPUTF8 BODY=8BITMIME" or "SMTPUTF8"
    local r = start_mail(t, c, sender, params)
    if not r:is("2xx") then
      f.fail("MAIL FROM:<" .. sender .. "> " .. params .. " was refused: " .. tostring(r) .. " (RFC 6531 §3.2)")
    end
    c = fresh(t, c)

    -- Without the parameter the same address is refused, at MAIL ...
    r = start_mail(t, c, sender)
    judge_utf8_refusal(f, c, r, "MAIL FROM:<" .. sender .. ">")
    if r:is("2xx") then c = fresh(t, c) end

    -- ... and at RCPT.
    r = start_mail(t, c, "x3@example.org")
    if not r:is("2xx") then t:error("MAIL FROM:<x3@example.org> was refused: " .. tostring(r)) end
    local recipient = utf8_user .. "@" .. t.domain
    r = c:rcpt(recipient)
    if not r.ok then t:error("RCPT TO:<" .. recipient .. ">: " .. tostring(r)) end
    judge_utf8_refusal(f, c, r, "RCPT TO:<" .. recipient .. ">")
    f.finish(t)
  end,
}

check {
  id = "X4",
  title = "DSN: valid RET, ENVID, NOTIFY and ORCPT accepted, invalid values refused",
  rfc = "RFC 3461 §4.1, §4.2, §4.3, §4.4; RFC 5321 §4.1.1.11",
  level = "MUST",
  needs = { "DSN" },
  run = function(t)
    local c = t:session()
    local f = findings()
    -- ENVID is xtext (§4.4): "+2B" stands for "+".
    local mail_params = "RET=HDRS ENVID=x4+2Bcheck"
    local r = start_mail(t, c, "x4@example.org", mail_params)
    if not r:is("2xx") then
      f.fail("MAIL ... " .. mail_params .. " was refused: " .. tostring(r) .. " (RFC 3461 §4.3, §4.4)")
      c = fresh(t, c)
      start_mail(t, c, "x4@example.org")
    end
    local rcpt_params = "NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;" .. t:postmaster()
    r = c:rcpt(t:postmaster(), rcpt_params)
    if not r:is("2xx") then
      local plain = c:rcpt(t:postmaster())
      if not plain:is("2xx") then
        t:skip("RCPT TO:<" .. t:postmaster() .. "> was refused (" .. tostring(plain) ..
          "); give --domain a domain the target accepts mail for")
      end
      f.fail("RCPT ... " .. rcpt_params .. " was refused: " .. tostring(r) .. " (RFC 3461 §4.1, §4.2)")
    end
    c = fresh(t, c)

    -- §4.3: ret-value = "FULL" / "HDRS".
    r = start_mail(t, c, "x4@example.org", "RET=BODY")
    if r:is("2xx") then
      f.fail("MAIL ... RET=BODY was accepted: " .. tostring(r) .. " (RFC 3461 §4.3: FULL or HDRS)")
      c = fresh(t, c)
    elseif not r:is(501, 555) then
      f.doubt("RET=BODY was refused with " .. tostring(r) .. ", not 501 or 555")
    end

    -- §4.1: "the NEVER keyword MUST appear by itself".
    r = start_mail(t, c, "x4@example.org")
    if not r:is("2xx") then t:error("MAIL FROM:<x4@example.org> was refused: " .. tostring(r)) end
    r = c:rcpt(t:postmaster(), "NOTIFY=NEVER,SUCCESS")
    if not r.ok then t:error("RCPT ... NOTIFY=NEVER,SUCCESS: " .. tostring(r)) end
    if r:is("2xx") then
      f.fail("RCPT ... NOTIFY=NEVER,SUCCESS was accepted: " .. tostring(r) ..
        " (RFC 3461 §4.1: NEVER MUST appear by itself)")
    elseif not r:is(501, 555) then
      f.doubt("NOTIFY=NEVER,SUCCESS was refused with " .. tostring(r) .. ", not 501 or 555")
    end
    f.finish(t)
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
  judge("QUIT", c:send("QUIT"))
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
