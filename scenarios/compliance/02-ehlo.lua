-- EHLO and HELO: checks E1-E7 of docs/CONFORMANCE.md.
--
-- The two greetings a client opens a session with: the shape of their
-- replies, case-insensitive verbs, extensions that work when advertised and
-- only then, a refused EHLO that leaves the state alone, and an EHLO that
-- resets the transaction.
--
-- Every check applies to every profile.

check {
  id = "E1",
  title = "EHLO gets 250, with one keyword per line",
  rfc = "RFC 5321 §2.2.1, §4.1.1.1",
  level = "MUST",
  run = function(t)
    local c = t:session { ehlo = false }
    local r = t:answered(c:ehlo("c.example"), "EHLO c.example")
    -- §2.2.1: servers MUST support EHLO, even without any extension.
    t:require(r.code == 250, "EHLO c.example got " .. tostring(r) ..
      ": servers MUST support EHLO (RFC 5321 §2.2.1)")
    -- §4.1.1.1 ehlo-ok-rsp: the first line is the server's domain (or an
    -- address literal) and an optional greeting; each further line is
    -- ehlo-keyword *(SP ehlo-param).
    -- The ehlo-ok-rsp grammar sets no level of its own (docs/CONFORMANCE.md E1,
    -- rule 6): what breaks it is recorded.
    local f = t:findings()
    local name = (r.lines[1] or ""):match("^(%S*)")
    local named, why = t:is_domain(name)
    if not named then
      f:add("INFO", "the first line of the EHLO reply, '" .. (r.lines[1] or "") ..
        "', does not start with a domain or an address literal (" .. why ..
        "; RFC 5321 §4.1.1.1 ehlo-ok-rsp)")
    end
    local bad, empty = {}, 0
    for i = 2, #r.lines do
      local line = r.lines[i]
      if line == "" then
        empty = empty + 1
      elseif line:match("^AUTH=") then
        -- "AUTH=PLAIN LOGIN": a line some servers add for clients that predate
        -- RFC 4954. Not ehlo-line syntax, but deliberate and harmless.
        t:note("legacy line for old AUTH clients: " .. line)
      elseif not (line:match("^%w[%w-]*$") or line:match("^%w[%w-]* [!-~ ]+$"))
          or line:find("  ", 1, true) or line:match(" $") then
        -- A keyword, then parameters of printable characters, one space
        -- before each.
        bad[#bad + 1] = "'" .. line .. "'"
      end
    end
    if #bad > 0 then
      f:add("INFO", "EHLO reply lines that are not 'keyword *(SP param)': " ..
        table.concat(bad, ", ") .. " (RFC 5321 §4.1.1.1 ehlo-line)")
    end
    if empty > 0 then
      f:add("INFO", ("%d empty line(s) among the keywords (RFC 5321 §4.1.1.1 ehlo-ok-rsp)")
        :format(empty))
    end
    f:finish()
    t:pass(("250 with %d keyword line(s)"):format(#r.lines - 1))
  end,
}

check {
  id = "E2",
  title = "HELO gets a single-line 250, not the EHLO reply",
  rfc = "RFC 5321 §3.2, §4.1.1.1",
  level = "MUST",
  run = function(t)
    local c = t:session { ehlo = false }
    local r = t:answered(c:helo("c.example"), "HELO c.example")
    -- §4.1.1.1: servers MUST support HELO and reply properly to it.
    t:require(r.code == 250, "HELO c.example got " .. tostring(r) ..
      ": servers MUST support HELO (RFC 5321 §2.2.1, §4.1.1.1)")
    if #r.lines == 1 then t:pass("250, one line: " .. tostring(r)) end
    -- §3.2: "Servers MUST NOT return the extended EHLO-style response to a
    -- HELO command." Compare the extra lines with the EHLO keywords.
    local e = t:answered(c:ehlo("c.example"), "EHLO c.example")
    local listed = {}
    for i = 2, #r.lines do
      local keyword = r.lines[i]:match("^(%S+)")
      if keyword and e.code == 250 and c:has(keyword) then listed[#listed + 1] = keyword end
    end
    t:require(#listed == 0, "HELO got a reply of " .. #r.lines .. " lines listing the " ..
      "extensions " .. table.concat(listed, ", ") .. ": servers MUST NOT return the EHLO-style " ..
      "response to HELO (RFC 5321 §3.2)")
    t:unmet("INFO", "HELO got a reply of " .. #r.lines .. " lines, but no extension is " ..
      "listed in it (RFC 5321 §3.2 forbids only the EHLO-style reply)")
  end,
}

check {
  id = "E3",
  title = "Verbs and argument keywords in lower or mixed case work like upper case",
  rfc = "RFC 5321 §2.4",
  level = "MUST",
  run = function(t)
    local differ, compared = {}, 0
    -- "Agree" is judged on what matters: recognised or not, accepted or
    -- refused.
    local function agree(upper, a, lower, b)
      compared = compared + 1
      local unrecognised = b:is(500, 502) and not a:is(500, 502)
      local refused = b:class() == 5 and a:class() < 4
      if unrecognised or refused then
        differ[#differ + 1] = upper .. " got " .. tostring(a) .. " but " .. lower .. " got " ..
          tostring(b)
      end
    end
    -- EHLO in each form as the first command of its own session: a repeated
    -- EHLO may be refused for being a repeat (RFC 5321 §4.1.4).
    local upper_ehlo, lower_ehlo = t:session { ehlo = false }, t:session { ehlo = false }
    agree("EHLO c.example", t:answered(upper_ehlo:send("EHLO c.example"), "EHLO c.example"),
      "ehlo c.example", t:answered(lower_ehlo:send("ehlo c.example"), "ehlo c.example"))
    upper_ehlo:close()
    lower_ehlo:close()
    -- Commands that leave the state as it was: both forms on one session.
    local c = t:session()
    for _, pair in ipairs({
      { "NOOP", "nOoP" }, { "HELP", "help" },
      { "VRFY postmaster", "vrfy postmaster" }, { "RSET", "Rset" },
    }) do
      local a = t:answered(c:send(pair[1]), pair[1])
      agree(pair[1], a, pair[2], t:answered(c:send(pair[2]), pair[2]))
    end
    -- A transaction in each form, each on its own session, so that both
    -- start from the same state whatever RSET does.
    local lower = t:session()
    local mail = t:answered(c:send("MAIL FROM:<e3@example.org>"), "MAIL FROM:<e3@example.org>")
    local lower_mail = t:answered(lower:send("mail from:<e3@example.org>"), "mail from:<...>")
    agree("MAIL FROM:<e3@example.org>", mail, "mail from:<e3@example.org>", lower_mail)
    if mail:is("2xx") and lower_mail:is("2xx") then
      local to = t:postmaster()
      agree("RCPT TO:<" .. to .. ">", t:answered(c:send("RCPT TO:<" .. to .. ">"), "RCPT"),
        "Rcpt To:<" .. to .. ">", t:answered(lower:send("Rcpt To:<" .. to .. ">"), "Rcpt"))
    end
    for _, session in ipairs({ c, lower }) do session:send("RSET") end
    -- QUIT's reply is C3's to judge: compared only when both came.
    local quit, upper_quit = lower:send("quit"), c:quit()
    if quit.ok and upper_quit.ok then agree("QUIT", upper_quit, "quit", quit) end
    t:require(#differ == 0, table.concat(differ, "; ") ..
      ": verbs and argument keywords are not case sensitive (RFC 5321 §2.4)")
    t:pass(("%d commands answered alike in upper and in lower or mixed case"):format(compared))
  end,
}

-- Advertised keywords that are also commands, each with a well-formed
-- invocation that has no lasting effect (docs/CONFORMANCE.md E4): a bare verb
-- that lacks its argument proves nothing about recognition. ATRN and TURN are
-- left out (they reverse the session), and so are the private XCLIENT and
-- XFORWARD (any well-formed invocation changes the session).
local function verb_probes(t, c)
  local mechanism = (c:param("AUTH") or ""):match("^(%S+)")
  return {
    { "VRFY", "VRFY postmaster" },
    { "EXPN", "EXPN postmaster" },
    { "HELP", "HELP" },
    { "ETRN", "ETRN " .. t.domain },
    { "CHUNKING", "BDAT 0 LAST" },  -- outside a transaction: 503, not 500
    { "AUTH", mechanism and ("AUTH " .. mechanism) },
    { "STARTTLS", "STARTTLS" },  -- last: a 220 starts TLS
  }
end

check {
  id = "E4",
  title = "No advertised command is answered 500 or 502",
  rfc = "RFC 5321 §4.2.4",
  level = "MUST",
  run = function(t)
    local c = t:session()
    local probed, refused = {}, {}
    for _, probe in ipairs(verb_probes(t, c)) do
      local keyword, command = probe[1], probe[2]
      if c:has(keyword) and command then
        -- A fresh session per probe: no probe sees another's state.
        local s = t:session()
        local r = t:answered(s:send(command), command)
        probed[#probed + 1] = command .. " " .. tostring(r)
        if r:is(500, 502) then
          refused[#refused + 1] = keyword .. " (" .. command .. " got " .. tostring(r) .. ")"
        end
        if r.code == 334 then s:send("*") end  -- cancel the SASL exchange (RFC 4954 §4)
        s:close()
      elseif c:has(keyword) then
        t:note(keyword .. " is advertised without a mechanism: not probed")
      end
    end
    c:close()
    if #probed == 0 then t:skip("no advertised keyword is a command this check probes") end
    -- §4.2.4: "Extended SMTP systems MUST NOT list capabilities in response
    -- to EHLO for which they will return 502 (or 500) replies."
    t:require(#refused == 0, "advertised but not recognised: " .. table.concat(refused, "; ") ..
      " (RFC 5321 §4.2.4)")
    t:pass("probed: " .. table.concat(probed, "; "))
  end,
}

check {
  id = "E5",
  title = "EXPN works only if EHLO advertises it",
  rfc = "RFC 5321 §3.5.2",
  level = "MUST",
  run = function(t)
    local c = t:session()
    if c:has("EXPN") then t:pass("EXPN is advertised") end
    local r = t:answered(c:send("EXPN postmaster"), "EXPN postmaster")
    -- §3.5.2: "if EXPN is supported, it MUST be listed as a service extension
    -- in an EHLO response."
    t:require(not r:is("2xx"), "EXPN postmaster got " .. tostring(r) ..
      " although EHLO does not list EXPN: a supported EXPN MUST be advertised (RFC 5321 §3.5.2)")
    t:pass("EXPN is not advertised and got " .. tostring(r))
  end,
}

check {
  id = "E6",
  title = "EHLO without a domain is refused with 501/500/502/550 and changes nothing; a name " ..
    "not matching the client is not refused",
  rfc = "RFC 5321 §4.1.1.1, §4.1.4",
  level = "MUST",
  run = function(t)
    local f = t:findings()
    local notes = {}
    -- (1) The bare EHLO as the session's first command: a refusal cannot be
    -- about a repeated EHLO.
    local first = t:session { ehlo = false }
    local r = t:definite(t:answered(first:send("EHLO"), "EHLO"), "EHLO")
    first:close()
    notes[#notes + 1] = "a bare EHLO as the first command got " .. tostring(r)
    if r:is("2xx") then
      -- The server found it acceptable; only the grammar is broken (rule 6).
      f:add("INFO", "a bare EHLO (no domain) was accepted: " .. tostring(r) ..
        " (RFC 5321 §4.1.1.1: ehlo = \"EHLO\" SP ( Domain / address-literal ) CRLF)")
    elseif not r:is(501, 500, 502, 550) then
      -- §4.1.4: "If the EHLO command is not acceptable to the SMTP server,
      -- 501, 500, 502, or 550 failure replies MUST be returned as appropriate."
      f:add("MUST", "a bare EHLO was refused with " .. tostring(r) .. ": an EHLO that is not " ..
        "acceptable MUST get 501, 500, 502 or 550 (RFC 5321 §4.1.4)")
    end

    -- (2) The state after a refused EHLO, whatever its code.
    local c = t:session()
    local mail = t:answered(c:mail("e6@example.org"), "MAIL FROM:<e6@example.org>")
    t:auth_first(mail)
    local baseline = false
    if mail:is("2xx") then
      local again = t:answered(c:send("EHLO"), "EHLO inside the transaction")
      if not again:is("2xx") then
        local rcpt = t:answered(c:rcpt(t:postmaster()), "RCPT TO:<" .. t:postmaster() .. ">")
        -- §4.1.4: the server "MUST stay in the same state after transmitting
        -- these replies": the transaction MAIL opened is still there.
        if rcpt.code == 503 then
          f:add("MUST", "after the refused EHLO (" .. tostring(again) .. "), RCPT got " ..
            tostring(rcpt) .. ": the transaction was lost, but the server MUST stay in the " ..
            "same state (RFC 5321 §4.1.4)")
        end
        notes[#notes + 1] = "inside a transaction a bare EHLO got " .. tostring(again) ..
          ", then RCPT " .. tostring(rcpt)
        baseline = rcpt:is("2xx")
      else
        notes[#notes + 1] = "inside a transaction a bare EHLO was accepted (" .. tostring(again) ..
          "), so the state after a refusal was not judged"
      end
    else
      notes[#notes + 1] = "MAIL got " .. tostring(mail) .. ", so the state was not judged"
    end
    c:quit()

    -- (3) §4.1.4: a server MAY check the EHLO name against the client's
    -- address, but MUST NOT refuse a message because they do not match.
    -- example.net (RFC 2606) resolves, and not to this client. Judged only
    -- when the same MAIL and RCPT were accepted after a plain EHLO.
    local name = t.domain:lower() == "example.net" and "example.org" or "example.net"
    if baseline then
      local other = t:session { helo = name }
      local m = t:answered(other:mail("e6@example.org"), "MAIL after EHLO " .. name)
      local rc = m:is("2xx") and t:answered(other:rcpt(t:postmaster()), "RCPT after EHLO " .. name)
      other:quit()
      local no = (m:class() == 5 and m) or (rc and rc:class() == 5 and rc) or nil
      if no then
        f:add("MUST", "after EHLO " .. name .. " (not this client's name) the same MAIL and " ..
          "RCPT got " .. tostring(no) .. ": a server MUST NOT refuse mail because the EHLO " ..
          "name does not match the client's address (RFC 5321 §4.1.4)")
      else
        notes[#notes + 1] = "after EHLO " .. name .. " (not this client's name) MAIL and RCPT " ..
          "were accepted"
      end
    end
    for _, note in ipairs(notes) do t:note(note) end
    f:finish()
    t:pass(table.concat(notes, "; "))
  end,
}

check {
  id = "E7",
  title = "A second EHLO resets the transaction",
  rfc = "RFC 5321 §4.1.4",
  level = "MUST",
  run = function(t)
    local c = t:session()
    t:begin(c, "e7@example.org")
    t:recipient(c)
    local e = t:definite(t:answered(c:ehlo(), "the second EHLO"), "the second EHLO")
    if e.code ~= 250 then
      -- §4.1.4 resets only for an EHLO "acceptable to the SMTP server"; a
      -- server may refuse a repeated one (E6 judges the state after it).
      c:close()
      t:unmet("INFO", "the second EHLO was refused (" .. tostring(e) .. "): RFC 5321 §4.1.4 " ..
        "lets a server find an EHLO not acceptable, so there is no reset to judge")
    end
    -- §4.1.4: an accepted EHLO MUST clear all buffers and reset the state as
    -- RSET does, so DATA has no transaction: 503 (or 554, §3.3).
    local data = t:answered(c:send("DATA"), "DATA")
    if data.code == 354 then
      c:close()  -- abandon the data: closing mid-DATA cancels the transaction (§4.1.1.10)
      t:fail("DATA after MAIL, RCPT, EHLO got " .. tostring(data) .. ": the second EHLO MUST " ..
        "reset the transaction as RSET does (RFC 5321 §4.1.4)")
    end
    c:quit()
    if not data:is(503, 554) then
      t:unmet("INFO", "DATA after MAIL, RCPT, EHLO got " .. tostring(data) .. ": refused, so " ..
        "the transaction was gone; RFC 5321 §3.3 names 503 or 554")
    end
  end,
}
