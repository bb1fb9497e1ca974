-- Command order and state: checks S1-S5 of docs/CONFORMANCE.md.
--
-- A mail transaction is MAIL, one or more RCPT, then DATA, in that order
-- (RFC 5321 §3.3, §4.1.4). These checks send the commands out of order and
-- look at two things: that the server refuses them with 503, and that the
-- refusal leaves its state as it was.
--
-- Every check applies to every profile.

check {
  id = "S1",
  title = "RCPT without MAIL gets 503",
  rfc = "RFC 5321 §3.3, §4.1.4",
  level = "MUST",
  run = function(t)
    local c = t:session()
    -- Any recipient will do: without MAIL there is no transaction to add it to.
    local to = "s1-" .. t:unique() .. "@" .. t.domain
    local r = t:answered(c:rcpt(to), "RCPT without MAIL")
    t:auth_first(r)
    -- §3.3: "If a RCPT command appears without a previous MAIL command, the
    -- server MUST return a 503 'Bad sequence of commands' response."
    t:require(r.code == 503, "RCPT without MAIL got " .. tostring(r) ..
      "; RFC 5321 §3.3 requires 503")
    c:quit()
  end,
}

check {
  id = "S2",
  title = "DATA without MAIL, or without an accepted RCPT, gets 503 or 554, never 354",
  rfc = "RFC 5321 §3.3, §4.1.4",
  level = "MUST",
  run = function(t)
    local c = t:session()
    -- §3.3: with no MAIL, or no RCPT, or all of them refused, the server may
    -- answer DATA with 503 or 554; §4.1.4: out-of-order commands MUST get a
    -- 503 and leave the state alone. Either way, never 354.
    local function judge(what, r)
      t:answered(r, what)
      if r.code == 354 then
        c:close()  -- abandon the data: closing mid-DATA cancels the transaction (§4.1.1.10)
        t:fail(what .. " got " .. tostring(r) .. ": with no accepted recipient DATA MUST NOT " ..
          "start the data (RFC 5321 §3.3, §4.1.4)")
      end
      t:auth_first(r)
      t:require(r:is(503, 554), what .. " got " .. tostring(r) ..
        "; RFC 5321 §3.3 allows 503 or 554")
      return r
    end
    local function open_transaction(session)
      local mail = t:answered(session:mail("s2@example.org"), "MAIL FROM:<s2@example.org>")
      t:auth_first(mail)
      if not mail:is("2xx") then t:error("MAIL FROM:<s2@example.org> got " .. tostring(mail)) end
    end
    judge("DATA without MAIL", c:send("DATA"))
    open_transaction(c)
    judge("DATA after MAIL with no RCPT", c:send("DATA"))
    c:quit()
    -- A recipient the server must refuse (a syntax error) leaves it with
    -- none. A new session keeps the errors per session few.
    c = t:session()
    open_transaction(c)
    local bad = t:answered(c:send("RCPT TO:<s2 bad address>"), "RCPT TO:<s2 bad address>")
    if not bad:is("2xx") then judge("DATA after a refused RCPT", c:send("DATA")) end
    c:quit()
  end,
}

check {
  id = "S3",
  title = "A second MAIL in a transaction gets 503, and the transaction goes on",
  rfc = "RFC 5321 §4.1.4",
  level = "MUST",
  run = function(t)
    local c = t:session()
    local first = t:answered(c:mail("s3@example.org"), "MAIL FROM:<s3@example.org>")
    t:auth_first(first)
    if not first:is("2xx") then t:error("MAIL FROM:<s3@example.org> got " .. tostring(first)) end
    local second = t:answered(c:mail("s3-again@example.org"), "the second MAIL")
    local rcpt = t:answered(c:rcpt(t:postmaster()), "RCPT after the second MAIL")
    c:send("RSET")
    if rcpt:class() == 4 then
      t:error("RCPT after the second MAIL got " .. tostring(rcpt) .. "; cannot judge, run again")
    end
    if rcpt:class() == 5 and rcpt.code ~= 503 then
      t:skip("the target refuses <" .. t:postmaster() .. "> (" .. tostring(rcpt) ..
        "); give --domain a domain it accepts mail for")
    end
    -- §4.1.4: MAIL MUST NOT be sent while a transaction is open; a server
    -- that cannot process commands out of order MUST answer 503 and stay in
    -- the same state, so the first transaction still takes the RCPT.
    t:require(rcpt.code ~= 503, "the second MAIL got " .. tostring(second) .. ", then RCPT got " ..
      tostring(rcpt) .. ": the transaction was lost, but a refused command MUST leave the state " ..
      "as it was (RFC 5321 §4.1.4)")
    if second:is("2xx") then
      -- The MUST NOT of §4.1.4 binds the client that sends it; §4.1.1.2 has
      -- MAIL clear the buffers, so a server that could process it took it as
      -- a new transaction (docs/CONFORMANCE.md S3).
      t:unmet("INFO", "the second MAIL got " .. tostring(second) .. " (taken as a new " ..
        "transaction): RFC 5321 §4.1.4 requires 503 only for commands that cannot be processed")
    end
    t:require(second.code == 503, "the second MAIL got " .. tostring(second) ..
      "; RFC 5321 §4.1.4 requires 503 for commands out of order")
    t:pass("the second MAIL got " .. tostring(second) .. "; RCPT then got " .. tostring(rcpt))
  end,
}

check {
  id = "S4",
  title = "NOOP, HELP, RSET, VRFY and EXPN before EHLO are processed normally",
  rfc = "RFC 5321 §4.1.4",
  level = "SHOULD",
  run = function(t)
    -- §4.1.4: these "can be used at any time during a session, or without
    -- previously initializing a session. SMTP servers SHOULD process these
    -- normally (that is, not return a 503 code)".
    local c = t:session { ehlo = false }
    local refused, seen = {}, {}
    for _, command in ipairs({ "NOOP", "HELP", "RSET", "VRFY postmaster", "EXPN postmaster" }) do
      local r = t:answered(c:send(command), command .. " before EHLO")
      seen[#seen + 1] = command .. " " .. tostring(r)
      if r.code == 503 then refused[#refused + 1] = command .. " got " .. tostring(r) end
    end
    c:quit()
    t:require(#refused == 0, table.concat(refused, "; ") .. ": before EHLO these SHOULD be " ..
      "processed normally, not refused with 503 (RFC 5321 §4.1.4)")
    t:pass(table.concat(seen, "; "))
  end,
}

check {
  id = "S5",
  title = "A malformed MAIL gets 501 and opens no transaction",
  rfc = "RFC 5321 §4.1.4",
  level = "MUST",
  run = function(t)
    local c = t:session()
    local mail = t:answered(c:send("MAIL FROM:<s5@example.org"), "MAIL FROM:<s5@example.org")
    t:auth_first(mail)
    local to = "s5-" .. t:unique() .. "@" .. t.domain
    local rcpt = t:answered(c:rcpt(to), "RCPT after the malformed MAIL")
    c:send("RSET")
    -- §4.1.4: "If the transaction beginning command argument is not
    -- acceptable, a 501 failure reply MUST be returned and the SMTP server
    -- MUST stay in the same state."
    if mail:is("2xx") then
      -- The server found the path acceptable: only the grammar is broken
      -- (docs/CONFORMANCE.md S5, rule 6).
      t:unmet("INFO", "MAIL FROM:<s5@example.org (no closing '>') got " .. tostring(mail) ..
        ": the path is not valid syntax (RFC 5321 §4.1.2), but the server found it acceptable")
    end
    t:require(not rcpt:is("2xx"), "after the refused MAIL (" .. tostring(mail) .. "), RCPT got " ..
      tostring(rcpt) .. ": the refused MAIL opened a transaction, but the server MUST stay in " ..
      "the same state (RFC 5321 §4.1.4)")
    -- 500 and 553 ("mailbox syntax incorrect", §4.2.2) also say the syntax
    -- was refused; §4.1.4 names 501.
    t:require(mail:is(501, 500, 553), "MAIL FROM:<s5@example.org (no closing '>') got " ..
      tostring(mail) .. "; a MAIL whose argument is not acceptable MUST get 501 (RFC 5321 §4.1.4)")
    if not mail:is(501) then t:note("refused with " .. tostring(mail) .. "; §4.1.4 names 501") end
    t:pass("MAIL got " .. tostring(mail) .. ", then RCPT got " .. tostring(rcpt))
  end,
}
