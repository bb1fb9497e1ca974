-- The Lua side of the compliance checks' API (SCRIPTING.md, "Compliance
-- checks"). Loaded once per CheckSuite, before any suite file. The C++ side
-- (check_suite.cpp) passes in its primitives and the name the harness gives
-- itself in EHLO (script/check_io.hpp), and keeps what this returns.
--
-- I/O: io(request) yields the request to the runner (ARCHITECTURE.md §3, the
-- coroutine bridge) and returns its result table. Verdicts that end a check
-- are raised as error objects { check_verdict = "FAIL", reason = ... }.
local io, parse_ehlo, dot_stuff, base64, is_domain, client_name = ...

local function finish(verdict, reason)
  error({ check_verdict = verdict, reason = reason }, 0)
end

-- nil: the runner's default (0 in the request); otherwise at least 1 ms, so
-- that read(0) polls rather than waiting the default, and at most a day.
local function seconds_to_ms(seconds, name)
  if seconds == nil then return 0 end
  if type(seconds) ~= "number" or seconds < 0 or seconds > 86400 then
    error(name .. ": the timeout is a number of seconds from 0 to 86400", 3)
  end
  return math.max(1, math.floor(seconds * 1000 + 0.5))
end

---------------------------------------------------------------------------
-- Replies
local Reply = {}
Reply.__index = Reply

local function make_reply(t, result)
  local r = setmetatable({ _t = t, code = 0, lines = {}, line_enhanced = {}, ok = false }, Reply)
  if result.status == "ok" then
    r.code, r.lines, r.enhanced, r.line_enhanced = result.code, result.lines, result.enhanced,
      result.line_enhanced
    r.ok = true
  elseif result.status == "timeout" then
    r.timeout = true
  elseif result.status == "closed" then
    r.closed = true
  elseif result.status == "malformed" then
    r.malformed = result.detail
  else
    r.failed = result.detail
  end
  r.raw, r.detail = result.raw, result.detail
  r.text = table.concat(r.lines, "\n")
  return r
end

local function code_matches(code, what)
  local kind = type(what)
  if kind == "number" then return code == what end
  if kind == "string" then
    local digit = what:match("^(%d)[xX][xX]$")
    if digit then return code // 100 == tonumber(digit) end
    return tostring(code) == what
  end
  if kind == "table" then
    for _, w in ipairs(what) do
      if code_matches(code, w) then return true end
    end
    return false
  end
  error("expected a code (250), a list of codes ({250, 251}) or a class (\"2xx\")", 4)
end

local function describe(what)
  if type(what) == "table" then
    local parts = {}
    for _, w in ipairs(what) do parts[#parts + 1] = tostring(w) end
    return table.concat(parts, " or ")
  end
  return tostring(what)
end

function Reply.__tostring(r)
  if r.ok then
    local first = r.lines[1] or ""
    if first == "" then return tostring(r.code) end
    return r.code .. " " .. first
  end
  if r.timeout then return "(no reply within the timeout)" end
  if r.closed then return "(the connection was closed)" end
  if r.malformed then return "(not a reply: " .. r.malformed .. ")" end
  return "(no reply: " .. tostring(r.failed) .. ")"
end

function Reply:class()
  return self.code // 100
end

function Reply:is(...)
  if not self.ok then return false end
  for _, what in ipairs({ ... }) do
    if code_matches(self.code, what) then return true end
  end
  return false
end

-- A reply that did not come is the check's problem (ERROR), a wrong code is
-- the target's (the check level's unmet verdict).
function Reply:expect(what, context)
  local prefix = context and (context .. ": ") or ""
  if not self.ok then
    finish("ERROR", prefix .. "expected " .. describe(what) .. ", got " .. tostring(self))
  end
  if not code_matches(self.code, what) then
    self._t:_unmet(prefix .. "expected " .. describe(what) .. ", got " .. tostring(self))
  end
  return self
end

---------------------------------------------------------------------------
-- Connections
local Connection = {}
Connection.__index = Connection

function Connection:write(bytes, options)
  if type(bytes) ~= "string" then error("write: bytes must be a string", 2) end
  local secret = type(options) == "table" and options.secret == true
  local result = io({ kind = "write", connection = self.number, bytes = bytes, secret = secret })
  return result.status == "ok", result.detail
end

function Connection:read(timeout)
  local ms = seconds_to_ms(timeout, "read")
  return make_reply(self._t, io({ kind = "read_reply", connection = self.number, timeout_ms = ms }))
end

function Connection:send(line, options)
  if type(line) ~= "string" then error("send: the command must be a string", 2) end
  self:write(line .. "\r\n", options)
  return self:read(type(options) == "table" and options.timeout or nil)
end

function Connection:expect(what, context)
  return self:read():expect(what, context)
end

function Connection:ehlo(name)
  local r = self:send("EHLO " .. (name or client_name))
  if r.code == 250 then self.caps = parse_ehlo(r.code, r.lines) end
  return r
end

function Connection:helo(name)
  return self:send("HELO " .. (name or client_name))
end

function Connection:has(keyword)
  return self.caps[string.upper(keyword)] ~= nil
end

function Connection:param(keyword)
  return self.caps[string.upper(keyword)]
end

function Connection:handshake()
  local result = io({ kind = "handshake", connection = self.number })
  if result.status ~= "ok" then return false, result.detail end
  self.tls = true
  self.caps = {}  -- RFC 3207 §4.2: forget what was learnt in clear text
  return true
end

function Connection:starttls()
  local r = self:send("STARTTLS")
  if r.code == 220 then
    local ok, why = self:handshake()
    if not ok then finish("ERROR", "TLS handshake after STARTTLS: " .. tostring(why)) end
  end
  return r
end

function Connection:auth(user, password, mechanism)
  mechanism = string.upper(mechanism or (self:has("AUTH") and self.caps.AUTH:find("PLAIN") and "PLAIN")
    or "LOGIN")
  if mechanism == "PLAIN" then
    -- RFC 4616 §2: authzid NUL authcid NUL passwd, as the initial response (RFC 4954 §4).
    self:write("AUTH PLAIN " .. base64("\0" .. user .. "\0" .. password) .. "\r\n", { secret = true })
    return self:read()
  end
  if mechanism ~= "LOGIN" then error("auth: mechanism PLAIN or LOGIN", 2) end
  local r = self:send("AUTH LOGIN")
  if r.code ~= 334 then return r end
  self:write(base64(user) .. "\r\n", { secret = true })
  r = self:read()
  if r.code ~= 334 then return r end
  self:write(base64(password) .. "\r\n", { secret = true })
  return self:read()
end

local function with_params(prefix, address, params)
  local line = prefix .. "<" .. address .. ">"
  if params and params ~= "" then line = line .. " " .. params end
  return line
end

function Connection:mail(from, params)
  return self:send(with_params("MAIL FROM:", from, params))
end

function Connection:rcpt(to, params)
  return self:send(with_params("RCPT TO:", to, params))
end

function Connection:data(content)
  local r = self:send("DATA")
  if r.code ~= 354 then return r end
  self:write(dot_stuff(content))
  return self:read()
end

function Connection:quit()
  return self:send("QUIT")
end

function Connection:closed(timeout)
  local ms = seconds_to_ms(timeout, "closed")
  local result = io({ kind = "wait_close", connection = self.number, timeout_ms = ms })
  return result.status == "ok"
end

function Connection:close()
  io({ kind = "close", connection = self.number })
end

---------------------------------------------------------------------------
-- The test object
local Test = {}
Test.__index = Test

function Test:_unmet(reason)
  finish(self._unmet_verdict, reason)
end

-- true, or false and why: `text` is a Domain or an address-literal (RFC 5321
-- §4.1.2, §4.1.3), judged by the project's path grammar.
function Test:is_domain(text)
  return is_domain(text)
end

function Test:require(condition, reason)
  if not condition then self:_unmet(reason or "requirement not met") end
  return condition
end

-- docs/CONFORMANCE.md, "Verdicts": a part of a check that is not met ends it
-- with the verdict of that part's level, whatever the check's own level.
local unmet_verdicts = { MUST = "FAIL", SHOULD = "WARN", INFO = "INFO" }
local level_order = { "MUST", "SHOULD", "INFO" }

local function level_verdict(level, where)
  local verdict = unmet_verdicts[level]
  if not verdict then error(where .. ": level must be \"MUST\", \"SHOULD\" or \"INFO\"", 3) end
  return verdict
end

function Test:unmet(level, reason)
  finish(level_verdict(level, "unmet"), reason)
end

-- Collects the unmet parts of a check, then ends it with the verdict of the
-- most severe one; the reason lists them all, most severe first. finish()
-- returns when nothing was added.
local Findings = {}
Findings.__index = Findings

function Findings:add(level, text)
  level_verdict(level, "findings:add")
  local list = self._by_level[level]
  list[#list + 1] = tostring(text)
end

function Findings:empty()
  for _, level in ipairs(level_order) do
    if #self._by_level[level] > 0 then return false end
  end
  return true
end

function Findings:finish()
  local worst, parts = nil, {}
  for _, level in ipairs(level_order) do
    for _, text in ipairs(self._by_level[level]) do
      worst = worst or level
      parts[#parts + 1] = text
    end
  end
  if worst then finish(unmet_verdicts[worst], table.concat(parts, "; ")) end
end

function Test:findings()
  return setmetatable({ _by_level = { MUST = {}, SHOULD = {}, INFO = {} } }, Findings)
end

-- The closed list of policies (docs/CONFORMANCE.md, "Policies"): each name,
-- the verdict it gives and its detection rule. Nothing outside this table is
-- told apart from a bug.
local function refused(r) return r.ok and (r:class() == 4 or r:class() == 5) end

local policies = {
  -- Every command pipelined behind the end of data got a refusal of its own
  -- (replies: the list read after the end of data's reply), and one of them
  -- says why.
  ["pipelined-after-data"] = { verdict = "INFO", detect = function(replies, expected)
    if #replies ~= expected then return false end
    local says = false
    for _, r in ipairs(replies) do
      if not refused(r) then return false end
      local text = r.text:lower()
      if text:find("pipelin", 1, true) or text:find("synchroni", 1, true) then says = true end
    end
    return says
  end },
  -- The answer to a STARTTLS with a command pipelined behind it.
  ["refuses-pipelined-starttls"] = { verdict = "INFO", detect = function(r)
    return refused(r) or r.closed == true
  end },
  -- The connection closed in answer to a malformed or hostile probe.
  ["defensive-close"] = { verdict = "INFO", detect = function(r)
    return r.closed == true or (refused(r) and r.code == 421)
  end },
  -- The 101st recipient, after 100 accepted ones, refused with 5yz.
  ["recipient-site-policy"] = { verdict = "INFO", detect = function(r)
    return r.ok and r:class() == 5
  end },
  -- A refusal with an enhanced code of class X.7 (RFC 3463: security or
  -- policy status): a reason for rejection other than the one judged.
  ["policy-refusal"] = { verdict = "INFO", detect = function(r)
    return refused(r) and (r.enhanced or ""):match("^%d%.7%.%d+$") ~= nil
  end },
  -- MAIL refused with 530: the target wants AUTH first.
  ["auth-required"] = { verdict = "SKIP", detect = function(r)
    return r.code == 530
  end },
}

-- True when the listed policy's detection rule matches the evidence; the
-- note says which policy matched. An unknown name is an error.
function Test:policy(name, ...)
  local policy = policies[name]
  if not policy then error("policy: '" .. tostring(name) .. "' is not on the closed list", 2) end
  if not policy.detect(...) then return false end
  self:note("policy " .. name .. " matched (docs/CONFORMANCE.md, Policies): " ..
    policy.verdict)
  return true
end

function Test:fail(reason) finish("FAIL", reason) end
function Test:warn(reason) finish("WARN", reason) end
function Test:skip(reason) finish("SKIP", reason) end
function Test:error(reason) finish("ERROR", reason) end
function Test:pass(reason) finish("PASS", reason) end

function Test:note(text)
  local line = tostring(text)
  self._notes[#self._notes + 1] = line
  self._fresh[#self._fresh + 1] = line
end

function Test:info(text)
  local line = tostring(text)
  self._infos[#self._infos + 1] = line
  self:note(line)
end

function Test:sleep(seconds)
  io({ kind = "sleep", timeout_ms = seconds_to_ms(seconds, "sleep") })
end

-- The delivery oracle (README, "The delivery oracle"): the message the target
-- relayed to the harness's capture server whose text holds `token`
-- (t:unique(), put in the recipient, Subject and Message-ID), waiting up to
-- `seconds` (default 10) for it; nil when none arrived. SKIP when no oracle
-- listens (--oracle).
function Test:delivered(token, seconds)
  if not self.oracle then finish("SKIP", "needs the delivery oracle (--oracle)") end
  if type(token) ~= "string" or token == "" then error("delivered: token must be a non-empty string", 2) end
  local result = io({ kind = "delivered", bytes = token, timeout_ms = seconds_to_ms(seconds or 10, "delivered") })
  if result.status == "ok" then return result.raw end
  if result.status ~= "timeout" then finish("ERROR", "the delivery oracle: " .. tostring(result.detail)) end
  return nil
end

function Test:unique()
  self._unique = self._unique + 1
  return self._nonce .. self._unique
end

-- Helpers for the transactions a check builds on; the judgement they make is
-- "the check cannot go on", never the target's verdict.

function Test:postmaster()
  return "postmaster@" .. self.domain  -- always a valid recipient (RFC 5321 §4.5.1)
end

-- No reply, or 421 (which RFC 5321 §3.8 allows at any time): ERROR.
function Test:answered(r, what)
  if not r.ok then finish("ERROR", what .. ": " .. tostring(r)) end
  if r.code == 421 then
    finish("ERROR", what .. ": the server closed the session (" .. tostring(r) ..
      "), as RFC 5321 §3.8 allows at any time; cannot judge, run again")
  end
  return r
end

-- A 4xx says "not now": it neither meets nor breaks a requirement.
function Test:definite(r, what)
  if r:class() == 4 then finish("ERROR", what .. " got " .. tostring(r) .. "; cannot judge, run again") end
  return r
end

-- A 530 to MAIL: the target wants AUTH first (a submission port checked
-- without --auth), and nothing after MAIL can be judged: SKIP.
function Test:auth_first(r)
  if self:policy("auth-required", r) then
    finish("SKIP", "MAIL needs AUTH first (" .. tostring(r) .. "); give --auth USER:PASS")
  end
  return r
end

-- A MAIL the check builds on: SKIP when the target wants AUTH first (530),
-- ERROR when it is refused.
function Test:begin(c, from, params)
  local what = "MAIL FROM:<" .. from .. ">"
  local r = self:auth_first(self:answered(c:mail(from, params), what))
  if not r:is("2xx") then finish("ERROR", what .. " was refused: " .. tostring(r)) end
  return r
end

-- A RCPT the check builds on (postmaster at t.domain by default): SKIP when
-- the target refuses it.
function Test:recipient(c, to)
  to = to or self:postmaster()
  local r = self:answered(c:rcpt(to), "RCPT TO:<" .. to .. ">")
  if not r:is("2xx") then
    finish("SKIP", "the target refuses <" .. to .. "> (" .. tostring(r) ..
      "); give --domain a domain it accepts mail for")
  end
  return r
end

function Test:connect(options)
  options = options or {}
  local tls = options.tls
  if tls == nil then tls = self.profile == "implicit-tls" end
  local result = io({ kind = "connect", tls = tls })
  if result.status ~= "ok" then finish("ERROR", result.detail) end
  local c = setmetatable({ _t = self, number = result.connection, tls = tls, caps = {} }, Connection)
  -- greeting = false: the check reads (or does not wait for) the greeting
  -- itself, e.g. to talk before it (docs/CONFORMANCE.md G5).
  if options.greeting ~= false then c.banner = c:read() end
  return c
end

function Test:session(options)
  options = options or {}
  local c = self:connect(options)
  if not c.banner.ok or c.banner:class() ~= 2 then
    finish("ERROR", "no usable greeting: " .. tostring(c.banner))
  end
  if options.ehlo == false then return c end
  local r = c:ehlo(options.helo)
  if r.code ~= 250 then finish("ERROR", "EHLO: " .. tostring(r)) end
  if self.tls and not c.tls then
    if not c:has("STARTTLS") then finish("ERROR", "--tls was given, but STARTTLS is not advertised") end
    r = c:starttls()
    if r.code ~= 220 then finish("ERROR", "STARTTLS: " .. tostring(r)) end
    r = c:ehlo(options.helo)
    if r.code ~= 250 then finish("ERROR", "EHLO after STARTTLS: " .. tostring(r)) end
  end
  if self.user and options.auth ~= false then
    r = c:auth(self.user, self.password)
    if r.code ~= 235 then finish("ERROR", "AUTH as " .. self.user .. ": " .. tostring(r)) end
  end
  for _, keyword in ipairs(self._needs) do
    if not c:has(keyword) then finish("SKIP", keyword .. " is not advertised") end
  end
  return c
end

---------------------------------------------------------------------------
-- What the C++ side keeps: builds t, and the body of a check's coroutine.
local function new_test(target, info, nonce)
  return setmetatable({
    target = target.target, profile = target.profile, domain = target.domain, tls = target.tls,
    oracle = target.oracle,
    user = target.user, password = target.password, timeout = target.timeout,
    id = info.id, level = info.level,
    _unmet_verdict = unmet_verdicts[info.level], _needs = info.needs, _notes = {}, _fresh = {}, _infos = {},
    _unique = 0, _nonce = nonce,
  }, Test)
end

local function body(run, t)
  run(t)
  if t.level == "INFO" and #t._infos > 0 then
    return { check_verdict = "INFO", reason = t._infos[#t._infos] }
  end
  return { check_verdict = "PASS", reason = "" }
end

return new_test, body
