-- Core commands: checks C1-C11 of docs/CONFORMANCE.md.
--
-- The commands every server must implement (RFC 5321 §4.5.1) and how it
-- answers what it does not understand: NOOP, RSET, QUIT, HELP, VRFY,
-- unknown verbs and parameters, stray arguments and whitespace, and
-- addresses that break the syntax.
--
-- Every check applies to every profile.

check {
  id = "C1",
  title = "NOOP, with or without an argument, gets 250",
  rfc = "RFC 5321 §4.1.1.9, §4.5.1",
  level = "MUST",
  run = function(t)
    local c = t:session()
    local f = t:findings()
    local plain = t:answered(c:send("NOOP"), "NOOP")
    if plain:is(500, 502) then
      -- §4.5.1: NOOP is a required command; §4.3.2: "command not
      -- recognized" for one of them "is a violation of this specification".
      f:add("MUST", "NOOP got " .. tostring(plain) .. ": NOOP MUST be supported (RFC 5321 " ..
        "§4.5.1), and \"command not recognized\" for it violates RFC 5321 §4.3.2")
    elseif plain.code ~= 250 then
      f:add("SHOULD", "NOOP got " .. tostring(plain) .. ": §4.3.2 lists only 250 for NOOP, " ..
        "and its table SHOULD be strictly adhered to (RFC 5321 §4.3.1)")
    end
    -- noop = "NOOP" [ SP String ] CRLF; §4.1.1.9: "If a parameter string is
    -- specified, servers SHOULD ignore it."
    local with = t:answered(c:send("NOOP xyz"), "NOOP xyz")
    if with.code ~= 250 then
      f:add("SHOULD", "NOOP xyz got " .. tostring(with) .. ": if a parameter string is " ..
        "specified, servers SHOULD ignore it (RFC 5321 §4.1.1.9)")
    end
    c:quit()
    f:finish()
  end,
}

check {
  id = "C2",
  title = "RSET mid-transaction gets 250, keeps the session, and clears the transaction",
  rfc = "RFC 5321 §4.1.1.5",
  level = "MUST",
  run = function(t)
    local c = t:session()
    t:begin(c, "c2@example.org")
    t:recipient(c)
    -- §4.1.1.5: the receiver MUST send 250 to RSET, MUST discard the sender
    -- and recipients, and MUST NOT close the connection for it.
    local rset = c:send("RSET")
    local dropped = "the server closed the connection after RSET (RFC 5321 §4.1.1.5)"
    if rset.closed then t:fail(dropped) end
    t:answered(rset, "RSET")
    t:require(rset.code == 250, "RSET got " .. tostring(rset) .. ": the receiver MUST send " ..
      "250 (RFC 5321 §4.1.1.5)")
    local data = c:send("DATA")
    if data.closed then t:fail(dropped) end
    t:answered(data, "DATA after RSET")
    if data.code == 354 then
      c:close()  -- abandon the data: closing mid-DATA cancels the transaction (§4.1.1.10)
      t:fail("DATA after MAIL, RCPT, RSET got " .. tostring(data) .. ": RSET MUST discard the " ..
        "sender and recipients (RFC 5321 §4.1.1.5)")
    end
    c:quit()
    if not data:is(503, 554) then
      t:unmet("INFO", "DATA after RSET got " .. tostring(data) .. ": refused, so the " ..
        "transaction was gone; RFC 5321 §3.3 names 503 or 554")
    end
  end,
}

check {
  id = "C3",
  title = "QUIT gets 221, then the server closes the connection",
  rfc = "RFC 5321 §4.1.1.10",
  level = "MUST",
  run = function(t)
    local c = t:session()
    local r = c:quit()
    -- §4.1.1.10: "the receiver MUST send a 221 OK reply, and then close the
    -- transmission channel." A close without the 221 breaks that sentence
    -- (docs/CONFORMANCE.md, rule 7): a FAIL, not an ERROR.
    if r.closed then
      t:fail("the server closed the connection on QUIT without the 221: the receiver MUST " ..
        "send a \"221 OK\" reply, and then close (RFC 5321 §4.1.1.10)")
    end
    t:answered(r, "QUIT")
    t:require(r.code == 221, "QUIT got " .. tostring(r) .. ": the receiver MUST send 221 " ..
      "(RFC 5321 §4.1.1.10)")
    local wait = math.min(t.timeout or 2, 2)
    t:require(c:closed(wait), ("the connection was still open %g s after the 221: the " ..
      "receiver MUST close it after QUIT (RFC 5321 §4.1.1.10)"):format(wait))
  end,
}

check {
  id = "C4",
  title = "RSET, DATA and QUIT with an argument get 501",
  rfc = "RFC 5321 §4.1.1, §4.3.2",
  level = "SHOULD",
  run = function(t)
    -- §4.1.1: RSET, DATA and QUIT take no parameters, and servers SHOULD
    -- reject them with one as invalid syntax; §4.3.2 names 501.
    local c = t:session()
    local taken, notes = {}, {}
    local function judge(command, r)
      if r:class() == 2 or r:class() == 3 then
        taken[#taken + 1] = command .. " got " .. tostring(r)
      elseif not r:is(501, 500) then
        notes[#notes + 1] = command .. " got " .. tostring(r) .. " (501 expected)"
      end
    end
    judge("RSET x", t:answered(c:send("RSET x"), "RSET x"))
    -- DATA x inside a transaction, where a bare DATA would get 354.
    local mail = t:answered(c:mail("c4@example.org"), "MAIL FROM:<c4@example.org>")
    local rcpt = mail:is("2xx") and t:answered(c:rcpt(t:postmaster()), "RCPT")
    if rcpt and rcpt:is("2xx") then
      local data = t:answered(c:send("DATA x"), "DATA x")
      judge("DATA x", data)
      if data.code == 354 then
        c:close()  -- abandon the data: closing mid-DATA cancels the transaction (§4.1.1.10)
        c = t:session()
      end
    else
      notes[#notes + 1] = "DATA x not judged: no transaction (" .. tostring(rcpt or mail) .. ")"
    end
    c:send("RSET")
    judge("QUIT x", t:answered(c:send("QUIT x"), "QUIT x"))
    for _, note in ipairs(notes) do t:note(note) end
    t:require(#taken == 0, table.concat(taken, "; ") .. ": commands that take no parameters " ..
      "SHOULD be refused with 501 when given one (RFC 5321 §4.1.1, §4.3.2)")
  end,
}

check {
  id = "C5",
  title = "HELP gets 211 or 214",
  rfc = "RFC 5321 §4.1.1.8",
  level = "SHOULD",
  run = function(t)
    local c = t:session()
    local r = t:answered(c:send("HELP"), "HELP")
    -- §4.1.1.8: servers SHOULD support HELP without arguments.
    t:require(r:is(211, 214), "HELP got " .. tostring(r) .. ": servers SHOULD support HELP " ..
      "without arguments, answering 211 or 214 (RFC 5321 §4.1.1.8, §4.3.2)")
  end,
}

check {
  id = "C6",
  title = "VRFY of a user that cannot exist never gets 250",
  rfc = "RFC 5321 §3.5.3",
  level = "MUST",
  run = function(t)
    local c = t:session()
    local user = "no-such-user-" .. t:unique() .. "-q7z"
    local r = t:answered(c:send("VRFY " .. user), "VRFY " .. user)
    -- §3.5.3: a server MUST NOT return 250 unless it has actually verified
    -- the address; 252 is for an address it cannot verify.
    t:require(not r:is(250, 251), "VRFY " .. user .. " got " .. tostring(r) .. ": a server " ..
      "MUST NOT return 250 unless it has verified the address (RFC 5321 §3.5.3); 252 is for " ..
      "one it cannot verify (unless every local part of its domain really is delivered)")
    if r:is(500, 502) then
      t:pass("VRFY got " .. tostring(r) .. ": not implemented (RFC 5321 §3.5.3 calls that not " ..
        "in full compliance, but it claims nothing)")
    end
    t:pass("VRFY of an unknown user got " .. tostring(r))
  end,
}

check {
  id = "C7",
  title = "An unknown verb gets 500 and the session goes on",
  rfc = "RFC 5321 §4.2.4, §3.8",
  level = "MUST",
  run = function(t)
    local c = t:session()
    local r = c:send("XYZZY")
    if r.closed then
      t:fail("the server closed the connection on an unknown command: it MUST NOT (RFC 5321 §3.8)")
    end
    if not r.ok then t:error("XYZZY: " .. tostring(r)) end
    -- §3.8: "a server that closes connections in response to commands that
    -- are not understood is in violation of this specification."
    t:require(r.code ~= 421, "XYZZY got " .. tostring(r) .. ": a server MUST NOT close the " ..
      "connection in response to a command it does not understand (RFC 5321 §3.8)")
    local noop = c:send("NOOP")
    if noop.closed then
      t:fail("the server closed the connection after the unknown command: it MUST NOT " ..
        "(RFC 5321 §3.8)")
    end
    t:answered(noop, "NOOP after XYZZY")
    if noop.code ~= 250 then t:note("NOOP after the unknown command got " .. tostring(noop)) end
    c:quit()
    if r.code ~= 500 then
      t:warn("the unknown command got " .. tostring(r) .. "; if the command is not " ..
        "recognized, code 500 SHOULD be returned (RFC 5321 §4.2.4)")
    end
    t:pass("XYZZY got " .. tostring(r) .. ", then NOOP got 250")
  end,
}

check {
  id = "C8",
  title = "MAIL with an unknown parameter is refused (555)",
  rfc = "RFC 5321 §4.1.1.11",
  level = "INFO",
  run = function(t)
    local c = t:session()
    local r = t:answered(c:mail("c8@example.org", "FOO=BAR"), "MAIL with FOO=BAR")
    t:auth_first(r)
    c:send("RSET")
    -- §4.1.1.11: a parameter the server does not recognise "will return code
    -- 555": descriptive, no keyword (docs/CONFORMANCE.md C8, rule 3); the MUST
    -- NOT of §4.1.1.3 binds the client that sent it.
    t:require(not r:is("2xx"), "MAIL FROM:<c8@example.org> FOO=BAR got " .. tostring(r) ..
      ": RFC 5321 §4.1.1.11 says an unrecognised parameter gets 555 (no requirement keyword)")
    if r.code ~= 555 then
      t:pass("refused with " .. tostring(r) .. " (555 is the code RFC 5321 §4.1.1.11 names)")
    end
  end,
}

check {
  id = "C9",
  title = "Trailing spaces before CRLF are tolerated",
  rfc = "RFC 5321 §4.1.1",
  level = "SHOULD",
  run = function(t)
    -- §4.1.1: "SMTP receivers SHOULD tolerate trailing white space before
    -- the terminating <CRLF>."
    local c = t:session()
    local refused = {}
    local function try(command, expected)
      local r = t:answered(c:send(command), "'" .. command .. "'")
      if not r:is(expected) then
        refused[#refused + 1] = "'" .. command .. "' got " .. tostring(r)
      end
      return r
    end
    try("NOOP  ", 250)
    try("RSET ", 250)
    local mail = t:answered(c:send("MAIL FROM:<c9@example.org>  "), "MAIL with trailing spaces")
    if mail.code ~= 530 then
      if not mail:is("2xx") then
        refused[#refused + 1] = "'MAIL FROM:<c9@example.org>  ' got " .. tostring(mail)
      else
        local rcpt = t:answered(c:send("RCPT TO:<" .. t:postmaster() .. "> "), "RCPT with a space")
        if rcpt:class() == 5 and not rcpt:is(550, 551, 553) then
          refused[#refused + 1] = "'RCPT TO:<" .. t:postmaster() .. "> ' got " .. tostring(rcpt)
        end
      end
    end
    try("RSET  ", 250)
    t:require(#refused == 0, table.concat(refused, "; ") .. ": receivers SHOULD tolerate " ..
      "trailing white space before CRLF (RFC 5321 §4.1.1)")
  end,
}

check {
  id = "C10",
  title = "RCPT with an underscore in the domain gets 501",
  rfc = "RFC 5321 §4.1.2",
  level = "MUST",
  run = function(t)
    local c = t:session()
    t:begin(c, "c10@example.org")
    local to = "u@exa_mple.com"
    local r = t:answered(c:rcpt(to), "RCPT TO:<" .. to .. ">")
    c:send("RSET")
    -- §4.1.2: only letters, digits and hyphens in domain labels; a command
    -- with invalid characters, and no other reason for rejection, MUST get
    -- 501.
    t:require(not r:is("2xx"), "RCPT TO:<" .. to .. "> got " .. tostring(r) .. ": the " ..
      "underscore is not permitted in a domain, and such a command MUST be rejected with 501 " ..
      "(RFC 5321 §4.1.2)")
    -- §4.1.2 covers commands "for which there are no other reasons for
    -- rejection": a temporary refusal for policy (X.7.x, e.g. relaying) is
    -- one, and says nothing about the syntax (a permanent one passes below).
    if r:class() == 4 and t:policy("policy-refusal", r) then
      t:unmet("INFO", "policy policy-refusal: RCPT TO:<" .. to .. "> got " .. tostring(r) ..
        ", a refusal for another reason than the syntax (RFC 5321 §4.1.2 judges only " ..
        "commands with no other reason for rejection)")
    end
    t:definite(r, "RCPT TO:<" .. to .. ">")
    if r.code ~= 501 then
      -- 553 "mailbox name not allowed", or a relay refusal: another reason
      -- for rejection may apply, which §4.1.2 allows for.
      t:pass("refused with " .. tostring(r) .. " (RFC 5321 §4.1.2 names 501 for the syntax alone)")
    end
  end,
}

check {
  id = "C11",
  title = "A non-ASCII address without SMTPUTF8 is refused",
  rfc = "RFC 5321 §2.4",
  level = "SHOULD",
  run = function(t)
    -- §2.4: "In the absence of a server-offered extension explicitly
    -- permitting it", envelope commands are US-ASCII, and receiving systems
    -- SHOULD reject others. A server that offers SMTPUTF8 is outside that
    -- clause (X3 records what it does).
    local c = t:session()
    if c:has("SMTPUTF8") then
      c:quit()
      t:skip("SMTPUTF8 is advertised: RFC 5321 §2.4's SHOULD covers only the absence of a " ..
        "server-offered extension (X3 records non-ASCII addresses without the parameter)")
    end
    local accepted = {}
    local sender = "c11-j\xC3\xB6rg@example.org"
    local mail = t:answered(c:mail(sender), "MAIL FROM:<" .. sender .. ">")
    t:auth_first(mail)
    if mail:is("2xx") then
      accepted[#accepted + 1] = "MAIL FROM:<" .. sender .. "> got " .. tostring(mail)
    end
    c:send("RSET")
    t:begin(c, "c11@example.org")
    local to = "j\xC3\xB6rg@" .. t.domain
    local rcpt = t:answered(c:rcpt(to), "RCPT TO:<" .. to .. ">")
    if rcpt:is("2xx") then
      accepted[#accepted + 1] = "RCPT TO:<" .. to .. "> got " .. tostring(rcpt)
    end
    c:send("RSET")
    t:require(#accepted == 0, table.concat(accepted, "; ") .. ": non-ASCII envelope commands " ..
      "without an extension that permits them SHOULD be rejected (RFC 5321 §2.4)")
  end,
}
