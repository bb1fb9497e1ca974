-- AUTH (RFC 4954): checks A1-A8 of docs/CONFORMANCE.md.
--
-- How a server runs the SASL exchange: unknown mechanisms, a cancelled
-- exchange, responses that are not base64, empty and very long responses,
-- AUTH where it is not allowed, and the AUTH parameter of MAIL. Plus whether
-- passwords are asked for in clear text at all.
--
-- Many servers offer AUTH only inside TLS (RFC 4954 §4), so the checks
-- start TLS first whenever STARTTLS is offered. They authenticate only
-- where that is the point; with made-up credentials where no --auth is
-- given and a real login is not needed.

-- A session ready for AUTH: EHLO, then STARTTLS and EHLO again when STARTTLS
-- is offered, and AUTH advertised (else SKIP). Not authenticated.
local function auth_session(t)
  local c = t:session { ehlo = false }
  local r = c:ehlo()
  if r.code ~= 250 then t:error("EHLO: " .. tostring(r)) end
  if not c.tls and c:has("STARTTLS") then
    r = c:starttls()
    if r.code ~= 220 then t:error("STARTTLS: " .. tostring(r)) end
    r = c:ehlo()
    if r.code ~= 250 then t:error("EHLO inside TLS: " .. tostring(r)) end
  end
  if not c:has("AUTH") then
    t:skip("AUTH is not advertised" .. (c.tls and "" or " (and STARTTLS is not offered)"))
  end
  if c:param("AUTH") == "" then t:skip("AUTH is advertised without any mechanism") end
  return c
end

-- The advertised mechanisms, upper case, as a set.
local function mechanisms(c)
  local set = {}
  for m in (c:param("AUTH") or ""):gmatch("%S+") do set[m:upper()] = true end
  return set
end

-- A mechanism that answers AUTH without an initial response with a 334
-- challenge: LOGIN asks for the user name, PLAIN sends an empty challenge
-- (RFC 4954 §4, "334 ").
local function challenging_mechanism(c)
  local offered = mechanisms(c)
  if offered.LOGIN then return "LOGIN" end
  if offered.PLAIN then return "PLAIN" end
  return (next(offered))
end

-- Sends AUTH <mechanism> and requires the challenge, which the check then
-- answers itself. A success without any exchange breaks only a descriptive
-- sentence, "If the server supports the requested authentication mechanism,
-- it performs the SASL exchange" (RFC 4954 §4): INFO.
local function challenge(t, c, mechanism)
  local r = c:send("AUTH " .. mechanism)
  if r:is("2xx") then
    -- Descriptive (docs/CONFORMANCE.md, rule 3), and nothing is left to answer.
    t:unmet("INFO", "AUTH " .. mechanism .. " (advertised) got " .. tostring(r) ..
      " without any SASL exchange (RFC 4954 §4: the server performs the mechanism's " ..
      "exchange; no requirement keyword)")
  end
  if r.code ~= 334 then
    t:error("AUTH " .. mechanism .. " got " .. tostring(r) .. ": no challenge to answer")
  end
end

check {
  id = "A1",
  title = "PLAIN and LOGIN are not offered in clear text",
  rfc = "RFC 4954 §4",
  level = "SHOULD",
  run = function(t)
    local c = t:session { ehlo = false }
    if c.tls then t:skip("the session is TLS from the first byte: there is no cleartext EHLO") end
    local r = c:ehlo()
    if r.code ~= 250 then t:error("EHLO: " .. tostring(r)) end
    -- Also the old "AUTH=LOGIN PLAIN" form some servers still send.
    local offered = mechanisms(c)
    for keyword, params in pairs(c.caps) do
      if keyword:sub(1, 5) == "AUTH=" then
        offered[keyword:sub(6)] = true
        for m in params:gmatch("%S+") do offered[m:upper()] = true end
      end
    end
    local plaintext = {}
    for _, m in ipairs({ "PLAIN", "LOGIN" }) do
      if offered[m] then plaintext[#plaintext + 1] = m end
    end
    -- §4: "Server sites SHOULD NOT use any configuration which permits a
    -- plaintext password mechanism without such a protection mechanism
    -- against password snooping."
    t:require(#plaintext == 0, table.concat(plaintext, " and ") .. " offered in clear text, before " ..
      "STARTTLS: the password would cross unencrypted (RFC 4954 §4)")
  end,
}

check {
  id = "A2",
  title = "AUTH with an unknown mechanism is refused (504)",
  rfc = "RFC 4954 §4",
  -- "the server rejects the AUTH command with a 504 reply": descriptive, no
  -- keyword (docs/CONFORMANCE.md A2).
  level = "INFO",
  needs = { "AUTH" },
  run = function(t)
    local c = auth_session(t)
    if mechanisms(c).NOPE then t:skip("the server offers a mechanism called NOPE") end
    local r = c:send("AUTH NOPE")
    if not r.ok then t:error("AUTH NOPE: " .. tostring(r)) end
    if r.code == 334 then c:send("*") end
    -- "If the requested authentication mechanism is invalid (e.g., is not
    -- supported or requires an encryption layer), the server rejects the
    -- AUTH command with a 504 reply."
    t:require(r.code == 504, "AUTH NOPE got " .. tostring(r) .. " (RFC 4954 §4: the server " ..
      "rejects the AUTH command with a 504 reply; no requirement keyword)")
  end,
}

check {
  id = "A3",
  title = "\"*\" in answer to a challenge cancels the exchange with 501",
  rfc = "RFC 4954 §4",
  level = "MUST",
  needs = { "AUTH" },
  run = function(t)
    local c = auth_session(t)
    local mechanism = challenging_mechanism(c)
    challenge(t, c, mechanism)
    local r = c:send("*")
    if not r.ok then t:error("\"*\": " .. tostring(r)) end
    -- "If the server receives such a response, it MUST reject the AUTH
    -- command by sending a 501 reply."
    t:require(r.code == 501, "\"*\" in answer to AUTH " .. mechanism .. "'s challenge got " ..
      tostring(r) .. " (RFC 4954 §4: MUST reject with 501)")
  end,
}

check {
  id = "A4",
  title = "A response that is not base64 gets 501",
  rfc = "RFC 4954 §4",
  level = "MUST",
  needs = { "AUTH" },
  run = function(t)
    local c = auth_session(t)
    local garbage = "!!!not-base64!!!"
    local r, what
    if mechanisms(c).PLAIN then
      what = "AUTH PLAIN " .. garbage
      r = c:send(what)
    else
      local mechanism = challenging_mechanism(c)
      challenge(t, c, mechanism)
      what = garbage .. " in answer to AUTH " .. mechanism .. "'s challenge"
      r = c:send(garbage)
    end
    if not r.ok then t:error(what .. ": " .. tostring(r)) end
    if r.code == 334 then c:send("*") end
    -- "If the server cannot [BASE64] decode any client response, it MUST
    -- reject the AUTH command with a 501 reply (and an enhanced status code
    -- of 5.5.2)."
    t:require(r.code == 501, what .. " got " .. tostring(r) .. " (RFC 4954 §4: MUST reject with 501)")
    if r.enhanced and r.enhanced ~= "5.5.2" then
      t:note("the enhanced code is " .. r.enhanced .. ", RFC 4954 §4 gives 5.5.2")
    end
  end,
}

check {
  id = "A5",
  title = "Bad credentials get 535, good ones (--auth) 235",
  rfc = "RFC 4954 §4, §6",
  level = "SHOULD",
  needs = { "AUTH" },
  run = function(t)
    local c = auth_session(t)
    local user = "harness-" .. t:unique()
    local r = c:auth(user, "not-the-password")
    if not r.ok then t:error("AUTH with made-up credentials: " .. tostring(r)) end
    -- §4: "If the server is unable to authenticate the client, it SHOULD
    -- reject the AUTH command with a 535 reply unless a more specific error
    -- code is appropriate."
    t:require(not r:is("2xx"), "made-up credentials (user " .. user .. ") were accepted: " .. tostring(r))
    if r.code ~= 535 then t:note("made-up credentials were refused with " .. tostring(r) .. ", not 535") end
    c:close()
    if not t.user then
      t:note("no --auth given: good credentials not tried")
      return
    end
    c = auth_session(t)
    local good = c:auth(t.user, t.password)
    if good.code ~= 235 then
      -- The given credentials may be wrong: recorded (docs/CONFORMANCE.md A5).
      t:unmet("INFO", "AUTH as " .. t.user .. " got " .. tostring(good) ..
        " (RFC 4954 §4: 235 when the exchange completes)")
    end
  end,
}

check {
  id = "A6",
  title = "AUTH after a successful AUTH, and AUTH during a transaction, get 503",
  rfc = "RFC 4954 §4",
  level = "MUST",
  needs = { "AUTH" },
  run = function(t)
    local user, password = t.user, t.password
    if not user then
      -- Made-up credentials: a server that takes any (a test server) still
      -- shows what it does with a second AUTH.
      user, password = "harness-" .. t:unique(), "made-up-password"
    end
    local failures, tried = {}, 0

    -- "After a successful AUTH command completes, a server MUST reject any
    -- further AUTH commands with a 503 reply."
    local c = auth_session(t)
    local first = c:auth(user, password)
    if first.code == 235 then
      tried = tried + 1
      local again = c:auth(user, password)
      if again.code ~= 503 then
        failures[#failures + 1] = "AUTH after a successful AUTH got " .. tostring(again)
      end
    else
      t:note("no successful AUTH (" .. tostring(first) .. (t.user and "" or
        "; no --auth given, made-up credentials tried") .. "): AUTH after AUTH not tried")
    end
    c:close()

    -- "An AUTH command issued during a mail transaction MUST be rejected
    -- with a 503 reply."
    c = auth_session(t)
    local m = c:mail("a6@example.org")
    if m:is("2xx") then
      tried = tried + 1
      local during = c:auth(user, password)
      if during.code ~= 503 then
        failures[#failures + 1] = "AUTH during a mail transaction got " .. tostring(during)
      end
    else
      t:note("MAIL before AUTH was refused (" .. tostring(m) .. "): AUTH during a transaction not tried")
    end

    if tried == 0 then t:skip("neither half could be tried (see the notes); give --auth USER:PASS") end
    t:require(#failures == 0, table.concat(failures, "; ") .. " (RFC 4954 §4: MUST be rejected with 503)")
  end,
}

-- base64 of NUL "a" NUL followed by 8997 "A"s: a PLAIN response (user "a")
-- of exactly 12,000 octets. As a LOGIN user name it is 9000 "A"s.
local long_response = "AGEA" .. string.rep("QUFB", 2999)

-- The SHOULD NOT of RFC 4954 §9 on a connection dropped after one failed AUTH;
-- a reply that did not come in time is ERROR (docs/CONFORMANCE.md, rule 8).
local function after_auth(t, f, what, r)
  if r.closed then
    f:add("SHOULD", what .. ": the server closed the connection; servers SHOULD NOT drop " ..
      "the connection until at least 3 attempts to authenticate have failed (RFC 4954 §9)")
    return false
  end
  t:answered(r, what)
  return true
end

check {
  id = "A7",
  title = "An empty initial response (\"=\") is no login; a 12,000-octet response is answered",
  rfc = "RFC 4954 §4, §9; RFC 4616 §2",
  level = "MUST",
  needs = { "AUTH" },
  run = function(t)
    local f = t:findings()

    -- "=" is an initial response of zero length (RFC 4954 §4): an empty
    -- PLAIN message, with no identity and no password. RFC 4616 §2: "if
    -- preparation fails or results in an empty string, verification SHALL
    -- fail."
    local c = auth_session(t)
    local mechanism = mechanisms(c).PLAIN and "PLAIN" or challenging_mechanism(c)
    local r = c:send("AUTH " .. mechanism .. " =")
    if r.code == 334 then r = c:send("*") end
    if after_auth(t, f, "AUTH " .. mechanism .. " =", r) then
      if r:is("2xx") and mechanism == "PLAIN" then
        f:add("MUST", "AUTH PLAIN = (an empty response, no user, no password) got " ..
          tostring(r) .. " (RFC 4616 §2: an empty string, so verification SHALL fail)")
      else
        after_auth(t, f, "NOOP after AUTH " .. mechanism .. " = (" .. tostring(r) .. ")",
          c:send("NOOP"))
      end
    end
    c:close()

    -- PLAIN's responses are far shorter than 12,000 octets: a refusal is
    -- allowed (RFC 4954 §4 covers "the maximum encoded size of challenges and
    -- responses generated by their supported authentication mechanisms").
    c = auth_session(t)
    mechanism = mechanisms(c).PLAIN and "PLAIN" or challenging_mechanism(c)
    local start = c:send("AUTH " .. mechanism)
    if start.code == 334 then
      c:write(long_response .. "\r\n", { secret = true })
      r = c:read()
      if r.code == 334 then r = c:send("*") end
      if after_auth(t, f, "a 12,000-octet response to AUTH " .. mechanism, r) then
        after_auth(t, f, "NOOP after the 12,000-octet response (" .. tostring(r) .. ")",
          c:send("NOOP"))
        if r.code == 235 then t:note("the 12,000-octet response was accepted as credentials: " .. tostring(r)) end
      end
    elseif start:is("2xx") then
      f:add("INFO", "AUTH " .. mechanism .. " (advertised) got " .. tostring(start) ..
        " without any SASL exchange, so no long response could be sent")
    elseif f:empty() then
      t:error("AUTH " .. mechanism .. " got " .. tostring(start) .. ": no challenge to answer")
    end
    f:finish()
  end,
}

check {
  id = "A8",
  title = "MAIL FROM:<...> AUTH=<> is accepted when AUTH is advertised",
  rfc = "RFC 4954 §5",
  level = "MUST",
  needs = { "AUTH" },
  run = function(t)
    local c = auth_session(t)
    local r = c:mail("a8@example.org", "AUTH=<>")
    if r.code == 530 and t.user then
      local a = c:auth(t.user, t.password)
      if a.code ~= 235 then t:error("AUTH as " .. t.user .. ": " .. tostring(a)) end
      r = c:mail("a8@example.org", "AUTH=<>")
    end
    t:auth_first(r)
    if not r.ok then t:error("MAIL ... AUTH=<>: " .. tostring(r)) end
    if not r:is("2xx") then
      -- A refusal of the sender itself says nothing about the parameter.
      c:send("RSET")
      local plain = c:mail("a8@example.org")
      if not plain:is("2xx") then
        t:error("MAIL FROM:<a8@example.org> is refused with or without AUTH=<> (" .. tostring(plain) .. ")")
      end
    end
    c:send("RSET")
    -- "servers that advertise support for this extension MUST support the
    -- AUTH parameter to the MAIL FROM command even when the client has not
    -- authenticated itself to the server."
    t:require(r:is("2xx"), "MAIL FROM:<a8@example.org> AUTH=<> was refused (" .. tostring(r) ..
      ") although the same MAIL without the parameter is accepted (RFC 4954 §5)")
  end,
}
