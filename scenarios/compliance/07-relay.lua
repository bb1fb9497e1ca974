-- Null sender, postmaster, relaying: checks R1-R5 of docs/CONFORMANCE.md.
--
-- What every mail server must accept whatever its policy (the null
-- reverse-path, the postmaster mailbox), how it reads addresses it must be
-- able to parse (source routes, upper-case domains), and which of the
-- classic open-relay tricks it lets through without authentication.
--
-- No message is sent: every transaction ends before DATA. Outside
-- recipients are at example.net (RFC 2606), never a real domain.

-- A domain the target is not responsible for, for the relay attempts.
local function outside_domain(t)
  if t.domain:lower() == "example.net" then return "example.org" end
  return "example.net"
end

-- MAIL FROM, ending the check in SKIP when the target wants AUTH first (a
-- submission port checked without --auth): nothing after MAIL can be judged.
local function begin(t, c, from, params)
  return t:auth_first(c:mail(from, params))
end

-- A step the check builds on (MAIL of a plain sender) that is refused: the
-- check cannot run, which is not the requirement's fault.
local function need(t, r, what)
  if not r:is("2xx") then t:error(what .. " was refused: " .. tostring(r)) end
  return r
end

-- A reply that came but says "not now" (4xx) neither meets nor breaks a
-- requirement that needs a positive answer: the check cannot judge.
local function temporary(t, what, r)
  if r:class() == 4 then
    t:error(what .. " was refused temporarily (" .. tostring(r) .. "); cannot judge, run again")
  end
end

check {
  id = "R1",
  title = "MAIL FROM:<> (the null reverse-path) is accepted",
  rfc = "RFC 1123 §5.2.9; RFC 5321 §4.5.5",
  level = "MUST",
  run = function(t)
    local c = t:session()
    -- Delivery status notifications travel with MAIL FROM:<> (RFC 5321
    -- §4.5.5); a server that refuses it refuses every bounce. RFC 1123
    -- §5.2.9, which RFC 5321 updates without contradicting it here: "An
    -- empty reverse path MUST be supported." (docs/CONFORMANCE.md R1).
    local r = begin(t, c, "")
    if not r.ok then t:error("MAIL FROM:<>: " .. tostring(r)) end
    temporary(t, "MAIL FROM:<>", r)
    t:require(r:is("2xx"), "MAIL FROM:<> was refused (" .. tostring(r) ..
      "): an empty reverse-path MUST be supported (RFC 1123 §5.2.9)")
    c:send("RSET")
  end,
}

check {
  id = "R2",
  title = "Postmaster is a recipient in any case, with and without the domain",
  rfc = "RFC 5321 §4.5.1",
  level = "MUST",
  run = function(t)
    local c = t:session()
    need(t, begin(t, c, "r2@example.org"), "MAIL FROM:<r2@example.org>")
    -- §4.5.1: "postmaster" is a case-insensitive local name at every domain
    -- the server serves, and "RCPT TO:<Postmaster>" alone MUST work too.
    local forms = {
      "postmaster@" .. t.domain, "POSTMASTER@" .. t.domain, "PostMaster@" .. t.domain,
      "Postmaster", "POSTMASTER",
    }
    local refused, later = {}, {}
    for _, to in ipairs(forms) do
      local r = c:rcpt(to)
      if not r.ok then t:error("RCPT TO:<" .. to .. ">: " .. tostring(r)) end
      if r:class() == 5 then
        refused[#refused + 1] = "<" .. to .. "> " .. tostring(r)
      elseif r:class() == 4 then
        later[#later + 1] = "<" .. to .. "> " .. tostring(r)
      end
    end
    c:send("RSET")
    t:require(#refused == 0, "postmaster refused: " .. table.concat(refused, "; ") ..
      " (RFC 5321 §4.5.1: postmaster MUST be accepted, in any case and without a domain)")
    if #later > 0 then
      t:error("postmaster refused temporarily: " .. table.concat(later, "; ") ..
        "; cannot judge, run again")
    end
  end,
}

-- The address literal of the target, for the relay variants that name it.
local function target_literal(t)
  local host = t.target:match("^%[(.*)%]:%d+$") or t.target:match("^(.*):%d+$") or t.target
  if host:match("^%d+%.%d+%.%d+%.%d+$") then return "[" .. host .. "]" end
  if host:find(":", 1, true) then return "[IPv6:" .. host .. "]" end  -- RFC 5321 §4.1.3
  return host
end

-- The 16 combinations of nmap's smtp-open-relay script, with the target's
-- own name and address where nmap uses them and an outside domain in place
-- of the one nmap relays to.
local function relay_variants(t, server_name)
  local outside, ip = outside_domain(t), target_literal(t)
  local from, to = "antispam", "relaytest"
  local ip_from = from .. "@" .. ip
  return {
    { "", to .. "@" .. outside },
    { from .. "@" .. outside, to .. "@" .. outside },
    { from .. "@" .. server_name, to .. "@" .. outside },
    { ip_from, to .. "@" .. outside },
    { ip_from, to .. "%" .. outside .. "@" .. ip },
    { ip_from, to .. "%" .. outside .. "@" .. server_name },
    { ip_from, '"' .. to .. "@" .. outside .. '"' },
    { ip_from, '"' .. to .. "%" .. outside .. '"' },
    { ip_from, to .. "@" .. outside .. "@" .. ip },
    { ip_from, '"' .. to .. "@" .. outside .. '"@' .. ip },
    { ip_from, to .. "@" .. outside .. "@" .. server_name },
    { ip_from, "@" .. ip .. ":" .. to .. "@" .. outside },
    { ip_from, "@" .. server_name .. ":" .. to .. "@" .. outside },
    { ip_from, outside .. "!" .. to },
    { ip_from, outside .. "!" .. to .. "@" .. ip },
    { ip_from, outside .. "!" .. to .. "@" .. server_name },
  }
end

check {
  id = "R3",
  title = "The 16 classic open-relay address variants, unauthenticated",
  rfc = "RFC 5321 §3.6.1, §7.9",
  level = "INFO",
  run = function(t)
    local c = t:session { auth = false }
    -- The name the server gives itself: the first word of its greeting.
    local server_name = (c.banner.lines[1] or ""):match("^(%S+)") or target_literal(t)
    local variants = relay_variants(t, server_name)
    local accepted, refused, untried = {}, 0, 0
    for i, v in ipairs(variants) do
      local rset = c:send("RSET")
      if not rset.ok or rset.code == 421 then
        untried = #variants - i + 1
        t:info("the session ended before variant " .. i .. ": " .. tostring(rset))
        break
      end
      local attempt = "MAIL FROM:<" .. v[1] .. "> -> RCPT TO:<" .. v[2] .. ">"
      local m = c:mail(v[1])
      if m.code == 503 then
        -- RSET did not end the last transaction (C2 judges that): go on in
        -- a fresh session rather than count a refusal that is not one.
        c:close()
        c = t:session { auth = false }
        m = c:mail(v[1])
      end
      local r = m
      if m:is("2xx") then r = c:rcpt(v[2]) end
      if r:is("2xx") then
        accepted[#accepted + 1] = attempt
        t:info("accepted: " .. attempt .. " (" .. tostring(r) .. ")")
      else
        refused = refused + 1
        t:note("refused: " .. attempt .. " (" .. tostring(r) .. ")")
      end
    end
    c:send("RSET")
    local tried = #variants - untried
    if #accepted == 0 then
      t:info(("refused all %d of %d variants tried: not an open relay"):format(refused, tried))
      return
    end
    -- RCPT accepted is not delivery (the message may still be refused at the
    -- end of data), but an MX has no business taking outside recipients from
    -- an unauthenticated client; a relay profile does that by design.
    local why = t.profile == "relay" and "expected of --profile relay, which relays for its clients"
      or "noteworthy on --profile " .. t.profile ..
         ": an unauthenticated client got outside recipients accepted"
    t:info(("accepted %d of %d variants (%s); refused %d"):format(#accepted, tried, why, refused))
  end,
}

check {
  id = "R4",
  title = "A source route in RCPT is parsed, then ignored or declined",
  rfc = "RFC 5321 §4.1.1.3, §3.6.1",
  level = "MUST",
  run = function(t)
    local c = t:session()
    need(t, begin(t, c, "r4@example.org"), "MAIL FROM:<r4@example.org>")
    local route = "@relay1.example.net,@relay2.example.net:" .. t:postmaster()
    local r = c:rcpt(route)
    if not r.ok then t:error("RCPT TO:<" .. route .. ">: " .. tostring(r)) end
    c:send("RSET")
    if r:is("2xx") then
      t:pass("the route was ignored: " .. tostring(r))
    end
    temporary(t, "RCPT with a source route", r)
    -- §4.1.1.3: receivers MUST recognise source-route syntax and SHOULD strip
    -- it, or MAY refuse the recipient (550, a policy reason; §3.6.1 lets them
    -- decline such addresses). A syntax error says the route was not parsed.
    local mentions_route = r.text:lower():find("route", 1, true) ~= nil
    t:require(not r:is(500, 501) or mentions_route, "RCPT TO:<" .. route ..
      "> was answered as a syntax error (" .. tostring(r) ..
      "): source routes are valid syntax that receivers MUST recognise (RFC 5321 §4.1.1.3)")
    if not r:is(550) and not mentions_route then
      -- §4.1.1.3: "MAY also reject ... using a 550 code": a permission.
      t:unmet("INFO", "declined with " .. tostring(r) ..
        "; RFC 5321 §4.1.1.3 names 550 for refusing a source-routed recipient")
    end
  end,
}

check {
  id = "R5",
  title = "A domain in upper case is matched like the same domain in lower case",
  -- The catalogue's second half, "local-part case preserved", can only be
  -- judged from the delivered message (the delivery oracle).
  rfc = "RFC 5321 §2.4",
  -- "Mailbox domains follow normal DNS rules and are hence not case
  -- sensitive": descriptive, no keyword (docs/CONFORMANCE.md R5, rule 3).
  level = "INFO",
  run = function(t)
    local lower, upper = t.domain:lower(), t.domain:upper()
    if lower == upper then t:skip("the domain " .. t.domain .. " has no letters") end
    local c = t:session()
    need(t, begin(t, c, "r5@example.org"), "MAIL FROM:<r5@example.org>")
    local plain = c:rcpt("postmaster@" .. lower)
    if not plain:is("2xx") then
      t:skip("postmaster@" .. lower .. " is not accepted (" .. tostring(plain) ..
        "); give --domain a domain the target accepts mail for")
    end
    local shouted = c:rcpt("postmaster@" .. upper)
    if not shouted.ok then t:error("RCPT TO:<postmaster@" .. upper .. ">: " .. tostring(shouted)) end
    c:send("RSET")
    temporary(t, "RCPT TO:<postmaster@" .. upper .. ">", shouted)
    -- §2.4: "Mailbox domains follow normal DNS rules and are hence not case
    -- sensitive."
    t:require(shouted:is("2xx"), "postmaster@" .. upper .. " was refused (" .. tostring(shouted) ..
      ") while postmaster@" .. lower .. " was accepted: RFC 5321 §2.4 says mailbox domains " ..
      "are not case sensitive (no requirement keyword)")
  end,
}
