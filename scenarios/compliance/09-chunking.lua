-- CHUNKING (RFC 3030): checks K1-K5 of docs/CONFORMANCE.md.
--
-- BDAT carries a message in chunks of a declared size, with no dot-stuffing
-- and no terminator: the server must read exactly the octets announced,
-- whatever it thinks of the command. These checks look for chunk bytes taken
-- as commands (the smuggling risk), for DATA and BDAT mixed in one
-- transaction, and for DATA still working beside BDAT.

-- "BDAT 12 LAST\r\n" followed by the chunk.
local function bdat(chunk, last)
  return "BDAT " .. #chunk .. (last and " LAST" or "") .. "\r\n" .. chunk
end

-- MAIL and RCPT to postmaster: a transaction ready for data.
local function transaction(t, c, from)
  t:begin(c, from)
  local r = c:rcpt(t:postmaster())
  if not r:is("2xx") then
    t:skip("RCPT TO:<" .. t:postmaster() .. "> was refused (" .. tostring(r) ..
      "); give --domain a domain the target accepts mail for")
  end
end

-- A reply the check builds on (a chunk of an ordinary transaction) that is
-- not 250: the check cannot go on, which is no verdict on the requirement.
local function need_250(t, c, what)
  local r = c:read()
  if not r:is(250) then t:error(what .. ": expected 250, got " .. tostring(r)) end
end

local message = "Subject: chunking check\r\n\r\nSent by smtp-harness check.\r\n"

check {
  id = "K1",
  title = "DATA still works when CHUNKING is advertised",
  rfc = "RFC 3030 §2",
  level = "MUST",
  needs = { "CHUNKING" },
  run = function(t)
    local c = t:session()
    transaction(t, c, "k1@example.org")
    local d = c:send("DATA")
    if not d.ok then t:error("DATA: " .. tostring(d)) end
    -- "Servers that offer the BDAT extension MUST continue to support the
    -- regular SMTP DATA command."
    t:require(d.code == 354, "DATA was refused (" .. tostring(d) ..
      "): a server offering CHUNKING MUST still support DATA (RFC 3030 §2)")
    c:write(message .. ".\r\n")
    local r = c:read()
    if not r:is("2xx") then t:note("the message itself was not accepted: " .. tostring(r)) end
  end,
}

-- Inside a chunk "\r\n.\r\n" ends nothing and "MAIL FROM" is text: the
-- server counts octets, it does not look for a terminator.
local function smuggling_body(t)
  return "before\r\n.\r\nMAIL FROM:<k2-smuggled@example.org>\r\n" ..
    "RCPT TO:<" .. t:postmaster() .. ">\r\nDATA\r\nafter\r\n"
end

check {
  id = "K2",
  title = "A chunk holding CRLF.CRLF and commands is taken as data",
  rfc = "RFC 3030 §2",
  level = "MUST",
  needs = { "CHUNKING" },
  run = function(t)
    local c = t:session()
    transaction(t, c, "k2@example.org")
    local chunk = message .. smuggling_body(t)
    c:write(bdat(chunk))
    local first = c:read()
    if not first.ok then t:error("BDAT " .. #chunk .. ": " .. tostring(first)) end
    t:require(first:is(250), "BDAT " .. #chunk .. " got " .. tostring(first) ..
      ": a 250 MUST be sent to each successful BDAT chunk (RFC 3030 §2)")
    local last = c:send("BDAT 0 LAST")
    if not last.ok then t:error("BDAT 0 LAST: " .. tostring(last)) end
    t:require(last:is(250), "BDAT 0 LAST got " .. tostring(last) .. " (RFC 3030 §2)")
    -- Silence now: any further reply answers a command the chunk smuggled in.
    local extra = c:read(0.5)
    t:require(not extra.ok, "an extra reply came after BDAT 0 LAST (" .. tostring(extra) ..
      "): the chunk's bytes were taken as commands")
  end,
}

check {
  id = "K2.delivered",
  title = "A chunk holding CRLF.CRLF and commands is delivered byte for byte",
  rfc = "RFC 3030 §2",
  level = "MUST",
  needs = { "CHUNKING" },
  oracle = true,
  run = function(t)
    local token = t:unique()
    local to = "k2-" .. token .. "@" .. t.domain
    local c = t:session()
    t:begin(c, "k2@example.org")
    local r = c:rcpt(to)
    if not r:is("2xx") then
      t:skip("the target refuses <" .. to .. "> (" .. tostring(r) .. "); give --domain a domain it accepts mail for")
    end
    local body = smuggling_body(t)
    c:write(bdat("From: <k2@example.org>\r\nTo: <" .. to .. ">\r\n" ..
      "Subject: smtp-harness check K2 " .. token .. "\r\n" ..
      "Message-ID: <" .. token .. ".k2@smtp-harness.invalid>\r\n\r\n" .. body, true))
    need_250(t, c, "BDAT LAST")
    c:quit()
    local got = t:delivered(token, 10)
    t:require(got, "the message was accepted but not delivered to the oracle")
    -- BDAT has no transparency: the "." line and the command lines are
    -- message text and arrive as sent (line ends compared as LF).
    t:require(got:gsub("\r\n", "\n"):find(body:gsub("\r\n", "\n"), 1, true),
      "the chunk was not delivered byte for byte: its \".\" line or the lines after it " ..
      "were changed or dropped (RFC 3030 §2)")
  end,
}

check {
  id = "K3",
  title = "DATA after BDAT, and BDAT after BDAT LAST, get 503",
  rfc = "RFC 3030 §2",
  level = "MUST",
  needs = { "CHUNKING" },
  run = function(t)
    local failures = {}
    -- Both sentences name the code itself, so any other answer is unmet; a
    -- 4yz says "not now" and is ERROR (docs/CONFORMANCE.md, rule 8). "The state
    -- resulting from this error is indeterminate": nothing after the answer
    -- is judged, and each half has a session of its own.
    local function judge(what, r)
      if not r.ok then t:error(what .. ": " .. tostring(r)) end
      t:definite(r, what)
      if r.code ~= 503 then failures[#failures + 1] = what .. " got " .. tostring(r) end
    end

    -- "If a DATA statement is issued after a BDAT for the current
    -- transaction, a 503 "Bad sequence of commands" MUST be issued."
    local c = t:session()
    transaction(t, c, "k3@example.org")
    c:write(bdat("Subject: k3\r\n\r\n"))
    need_250(t, c, "the first chunk")
    local d = c:send("DATA")
    judge("DATA after BDAT in the same transaction", d)
    if d.code == 354 then
      c:write(".\r\n")
      c:read()
    end
    c:close()

    -- "Any BDAT command sent after the BDAT LAST is illegal and MUST be
    -- replied to with a 503 "Bad sequence of commands" reply code."
    c = t:session()
    transaction(t, c, "k3@example.org")
    c:write(bdat(message, true))
    need_250(t, c, "BDAT LAST")
    c:write(bdat("after\r\n", true))
    judge("BDAT after BDAT LAST", c:read())

    t:require(#failures == 0, table.concat(failures, "; ") ..
      " (RFC 3030 §2: a 503 \"Bad sequence of commands\" MUST be issued)")
  end,
}

check {
  id = "K4",
  title = "A refused chunk is read and discarded, never executed",
  rfc = "RFC 3030 §2",
  level = "MUST",
  needs = { "CHUNKING" },
  run = function(t)
    local c = t:session()
    -- MAIL but no RCPT: the transaction has no valid recipient, so the
    -- chunk must be refused. Its 12 octets are two commands.
    t:begin(c, "k4@example.org")
    c:write(bdat("RSET\r\nQUIT\r\n"))
    local r = c:read()
    if not r.ok then t:error("BDAT without a recipient: " .. tostring(r)) end
    t:require(not r:is("2xx"), "BDAT without a valid recipient was accepted: " .. tostring(r))
    -- "If a failure occurs after a BDAT command is received, the
    -- receiver-SMTP MUST accept and discard the associated message data
    -- before sending the appropriate 5XX or 4XX code." Anything more now
    -- answers the RSET or QUIT that were data.
    local extra = c:read(1)
    if extra.ok then
      local what = extra.code == 221 and "the QUIT inside the chunk was executed (" .. tostring(extra) .. ")"
        or "an extra reply came (" .. tostring(extra) .. "): the RSET inside the chunk was executed"
      t:fail(what .. "; RFC 3030 §2: the octets of a refused chunk MUST be read and discarded")
    end
    local alive = c:send("NOOP")
    if alive.closed then
      t:note("the server closed the session after refusing the chunk: " .. tostring(r))
    else
      t:require(alive:is(250), "NOOP after the refused chunk got " .. tostring(alive) ..
        ": the chunk's bytes were not consumed")
    end
  end,
}

check {
  id = "K5",
  title = "BDAT with a size that is not a number is refused",
  rfc = "RFC 3030 §2; RFC 5321 §4.2.2",
  -- chunk-size ::= 1*DIGIT is grammar, and no sentence requires refusing a
  -- size outside it (docs/CONFORMANCE.md K5, rule 6): recorded.
  level = "INFO",
  needs = { "CHUNKING" },
  run = function(t)
    local c = t:session()
    transaction(t, c, "k5@example.org")
    local r = c:send("BDAT abc")
    if not r.ok then t:error("BDAT abc: " .. tostring(r)) end
    t:require(not r:is("2xx", "3xx"), "BDAT abc was accepted: " .. tostring(r) ..
      " (RFC 3030 §2: chunk-size is digits)")
    if r.code ~= 501 then
      t:unmet("INFO", "BDAT abc was refused with " .. tostring(r) ..
        "; a syntax error in an argument is 501 (RFC 5321 §4.2.2)")
    end
  end,
}
