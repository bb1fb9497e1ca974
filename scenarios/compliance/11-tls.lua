-- TLS: checks T1-T7 of docs/CONFORMANCE.md.
--
-- STARTTLS (RFC 3207): the upgrade itself, its syntax, the reset of the
-- session it causes, and the plaintext command injection of CVE-2011-0411.
-- Then what a public MX must still do in clear text, the implicit-TLS port
-- (RFC 8314), and what can be seen of the TLS posture.
--
-- These checks drive STARTTLS themselves, so they start from a cleartext
-- EHLO even when --tls is given.

-- Greeting and EHLO in clear text, STARTTLS advertised (else SKIP).
local function before_tls(t)
  local c = t:session { ehlo = false }
  if c.tls then t:skip("the session is TLS from the first byte (implicit TLS): STARTTLS does not apply") end
  local r = c:ehlo()
  if r.code ~= 250 then t:error("EHLO: " .. tostring(r)) end
  if not c:has("STARTTLS") then t:skip("STARTTLS is not advertised") end
  return c
end

-- STARTTLS and the handshake, for checks about what comes after them.
local function upgrade(t, c)
  local r = c:starttls()
  if r.code ~= 220 then t:error("STARTTLS: " .. tostring(r)) end
end

check {
  id = "T1",
  title = "STARTTLS gets 220 and a TLS 1.2+ handshake",
  rfc = "RFC 3207 §4; RFC 8996",
  -- RFC 3207 lists the replies to STARTTLS without a keyword, and no sentence
  -- puts a MUST on the server to complete the handshake after its 220 (the
  -- MUST of §4 binds the client): recorded (docs/CONFORMANCE.md T1).
  level = "INFO",
  needs = { "STARTTLS" },
  run = function(t)
    local c = before_tls(t)
    local r = c:send("STARTTLS")
    if not r.ok then t:error("STARTTLS: " .. tostring(r)) end
    -- §4: 454 "TLS not available due to temporary reason" is an allowed
    -- answer; it leaves nothing to judge.
    if r.code == 454 then t:error("STARTTLS: TLS is temporarily unavailable (" .. tostring(r) .. "); run again") end
    if r.code ~= 220 then
      -- §4 lists 220, 501 and 454 without a keyword (a 500/502 is E4's FAIL).
      c:close()
      t:unmet("INFO", "STARTTLS is advertised but got " .. tostring(r) ..
        " (RFC 3207 §4 lists 220 Ready to start TLS)")
    end
    -- The harness offers TLS 1.2 and 1.3 only (RFC 8996 retired 1.0 and
    -- 1.1), so a completed handshake is one at 1.2 or above.
    local ok, why = c:handshake()
    t:require(ok, "STARTTLS got 220, but no TLS 1.2 or 1.3 handshake completed: " .. tostring(why) ..
      " (no sentence of RFC 3207 requires the server to complete it)")
    -- §4.1: a server that finds the TLS session too weak "SHOULD reply to
    -- every SMTP command from the client (other than a QUIT command) with
    -- the 554 reply code"; E1 judges EHLO support.
    local e = c:ehlo()
    t:require(e.code == 250, "EHLO inside TLS got " .. tostring(e))
    t:note("the protocol version and cipher are in the transcript's TLS event")
  end,
}

check {
  id = "T2",
  title = "STARTTLS with a parameter is refused (501)",
  rfc = "RFC 3207 §4",
  -- §4 lists "501 Syntax error (no parameters allowed)" among the replies,
  -- with no requirement keyword (docs/CONFORMANCE.md T2).
  level = "INFO",
  needs = { "STARTTLS" },
  run = function(t)
    local c = before_tls(t)
    local r = c:send("STARTTLS x")
    if not r.ok then t:error("STARTTLS x: " .. tostring(r)) end
    -- §4: "STARTTLS with no parameters", and the reply to a parameter is
    -- "501 Syntax error (no parameters allowed)".
    if r.code == 220 then
      c:close()
      t:unmet("INFO", "STARTTLS x got 220 (" .. tostring(r) .. "): STARTTLS takes no " ..
        "parameters; RFC 3207 §4 lists 501 Syntax error (no parameters allowed)")
    end
    if r.code ~= 501 then
      t:unmet("INFO", "STARTTLS x was refused with " .. tostring(r) .. "; RFC 3207 §4 lists 501")
    end
  end,
}

check {
  id = "T3",
  title = "After TLS: the session is reset and STARTTLS is not offered again",
  rfc = "RFC 3207 §4.2",
  level = "MUST",
  needs = { "STARTTLS" },
  run = function(t)
    local c = before_tls(t)
    upgrade(t, c)
    local failures = {}

    -- "Upon completion of the TLS handshake, the SMTP protocol is reset to
    -- the initial state" and "The server MUST discard any knowledge
    -- obtained from the client, such as the argument to the EHLO command".
    local m = c:mail("t3@example.org")
    if not m.ok then t:error("MAIL before EHLO inside TLS: " .. tostring(m)) end
    if m:is("2xx") then
      -- Only evidence if the same server wants EHLO before MAIL in a fresh
      -- session; some accept MAIL without any EHLO at all.
      local fresh = t:connect { tls = false }
      local base = fresh:mail("t3@example.org")
      fresh:close()
      if base.code == 503 then
        failures[#failures + 1] = "MAIL right after the handshake got " .. tostring(m) ..
          " while a fresh session refuses MAIL before EHLO (" .. tostring(base) ..
          "): the EHLO given in clear text was kept"
      else
        t:note("MAIL before EHLO is accepted in a fresh session too (" .. tostring(base) ..
          "): this part cannot show the reset")
      end
      c:send("RSET")
    end

    -- "A server MUST NOT return the STARTTLS extension in response to an
    -- EHLO command received after a TLS handshake has completed."
    local e = c:ehlo()
    if e.code ~= 250 then t:error("EHLO inside TLS: " .. tostring(e)) end
    if c:has("STARTTLS") then
      failures[#failures + 1] = "the EHLO reply inside TLS advertises STARTTLS"
    end

    -- The MUST NOT of §4.2 is about advertising STARTTLS again, not about
    -- answering a second one (docs/CONFORMANCE.md T3): recorded.
    local again = c:send("STARTTLS")
    t:note("a second STARTTLS inside TLS got " .. tostring(again))
    t:require(#failures == 0, table.concat(failures, "; ") .. " (RFC 3207 §4.2)")
    if again.code == 220 then
      t:unmet("INFO", "a second STARTTLS inside TLS got " .. tostring(again) .. " (no sentence " ..
        "requires refusing it; RFC 3207 §4.2 forbids advertising it)")
    end
  end,
}

check {
  id = "T4",
  title = "A command pipelined behind STARTTLS is not answered inside TLS (CVE-2011-0411)",
  rfc = "RFC 3207 §4.2, §6",
  level = "MUST",
  needs = { "STARTTLS" },
  run = function(t)
    local c = before_tls(t)
    -- What a man in the middle would do: a plaintext command in the same
    -- write as STARTTLS. The harness drops whatever plaintext the server
    -- sends after its 220 (the transcript shows it); what matters is what
    -- arrives inside TLS.
    c:write("STARTTLS\r\nNOOP\r\n")
    local r = c:read()
    -- Refusing a STARTTLS that has a command pipelined behind it, or closing,
    -- is the safe outcome (docs/CONFORMANCE.md, policy
    -- refuses-pipelined-starttls).
    if t:policy("refuses-pipelined-starttls", r) then
      c:close()
      t:unmet("INFO", "policy refuses-pipelined-starttls: STARTTLS with NOOP pipelined behind " ..
        "it got " .. tostring(r) .. "; nothing could be injected")
    end
    t:answered(r, "STARTTLS")
    if r.code ~= 220 then
      t:unmet("INFO", "STARTTLS with NOOP pipelined behind it got " .. tostring(r) ..
        ": no TLS session to inject into")
    end
    local ok, why = c:handshake()
    if not ok then
      -- The server may have read the plaintext NOOP as TLS and failed: the
      -- injection was not executed either way (T1 judges a plain handshake).
      t:unmet("INFO", "the TLS handshake after the pipelined STARTTLS failed (" ..
        tostring(why) .. "): nothing was answered inside TLS")
    end
    -- Nothing has been sent inside TLS yet: any reply now answers the NOOP
    -- written in clear text. §4.2: "The server MUST discard any knowledge
    -- obtained from the client ... which was not obtained from the TLS
    -- negotiation itself"; §6: "clients and servers MUST discard any
    -- knowledge obtained prior to the start of the TLS handshake upon
    -- completion of the TLS handshake."
    local injected = c:read(1)
    if injected.ok then
      t:fail("the NOOP written in clear text after STARTTLS was answered inside TLS (" ..
        tostring(injected) .. ") before any command was sent in it (CVE-2011-0411); " ..
        "RFC 3207 §4.2, §6: the server MUST discard what it did not obtain from the TLS " ..
        "negotiation")
    end
    if injected.closed then
      t:pass("the server closed the connection after the handshake without answering the NOOP")
    end
    -- A server that answers the NOOP only once more input arrives: EHLO and
    -- NOOP now get three replies instead of two.
    local e = c:ehlo()
    if not e.ok then t:error("EHLO inside TLS: " .. tostring(e)) end
    local n = c:send("NOOP")
    if not n.ok then t:error("NOOP inside TLS: " .. tostring(n)) end
    local extra = c:read(0.3)
    t:require(not extra.ok, "an extra reply came inside TLS (EHLO got " .. tostring(e) .. ", NOOP " ..
      tostring(n) .. ", then " .. tostring(extra) .. "): the NOOP written in clear text was executed " ..
      "(CVE-2011-0411; RFC 3207 §4.2, §6)")
  end,
}

check {
  id = "T5",
  title = "A public MX takes mail for its domain in clear text",
  rfc = "RFC 3207 §4",
  level = "MUST",
  profiles = { "mx" },
  run = function(t)
    local c = t:session { ehlo = false }
    if c.tls then t:skip("the session is TLS from the first byte") end
    local e = c:ehlo()
    if e.code ~= 250 then t:error("EHLO: " .. tostring(e)) end
    -- §4: "A publicly-referenced SMTP server MUST NOT require use of the
    -- STARTTLS extension in order to deliver mail locally." 530 is its
    -- "Must issue a STARTTLS command first"; X.7.10 is "Encryption needed".
    local function demands_tls(r)
      return r.code == 530 or r.enhanced == "5.7.10" or
        (r:class() == 5 and r.text:upper():find("STARTTLS", 1, true) ~= nil)
    end
    local why = " in clear text: a publicly-referenced SMTP server MUST NOT require STARTTLS " ..
      "to deliver mail locally (RFC 3207 §4)"
    local m = c:mail("t5@example.org")
    if not m.ok then t:error("MAIL: " .. tostring(m)) end
    t:require(not demands_tls(m), "MAIL got " .. tostring(m) .. why)
    if m:is("2xx") then
      local r = c:rcpt(t:postmaster())
      if not r.ok then t:error("RCPT: " .. tostring(r)) end
      t:require(not demands_tls(r), "RCPT TO:<" .. t:postmaster() .. "> got " .. tostring(r) .. why)
    end
    c:send("RSET")
  end,
}

check {
  id = "T6",
  title = "The implicit-TLS port speaks TLS from the first byte",
  rfc = "RFC 8314 §3.3",
  -- §3.3 describes the handshake as starting at once; its only MUST binds
  -- the client, and it was read only in secondary copies: recorded
  -- (docs/CONFORMANCE.md T6).
  level = "INFO",
  profiles = { "implicit-tls" },
  run = function(t)
    -- A plain TCP connection: a server that greets in clear text shows it
    -- within the reply timeout; an implicit-TLS server stays silent, waiting
    -- for the ClientHello. (This wait is the check's cost: t.timeout.)
    local c = t:connect { tls = false }
    if c.banner.ok or c.banner.malformed then
      t:unmet("INFO", "the server sent " .. tostring(c.banner) .. " in clear text on the " ..
        "implicit-TLS port (RFC 8314 §3.3: \"a TLS handshake begins immediately\")")
    end
    if c.banner.closed then
      t:unmet("INFO", "the server closed the connection before any TLS handshake")
    end
    local ok, why = c:handshake()
    t:require(ok, "no TLS handshake on the implicit-TLS port: " .. tostring(why))
    local greeting = c:read()
    t:require(greeting.ok, "no greeting inside TLS: " .. tostring(greeting))
    -- RFC 5321 §3.1: 220, or 554 for a server that takes no mail (G1 judges
    -- the greeting).
    t:require(greeting:is(220, 554), "the greeting inside TLS is " .. tostring(greeting))
    c:quit()
  end,
}

check {
  id = "T7",
  title = "TLS posture: what this runner can observe",
  rfc = "RFC 8996",
  level = "INFO",
  run = function(t)
    if t.profile == "implicit-tls" then
      t:session { ehlo = false }
    else
      upgrade(t, before_tls(t))
    end
    -- The handshake's protocol and cipher are recorded as a transcript
    -- event only; checks cannot read them, nor the certificate.
    t:info("TLS 1.2 or 1.3 is negotiated (the harness offers nothing older); the protocol " ..
      "and cipher are in the transcript's TLS event. Not observable by checks: the exact " ..
      "version, whether TLS 1.0/1.1 would be accepted (RFC 8996), and the certificate chain, " ..
      "expiry and name")
  end,
}
