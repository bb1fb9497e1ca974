// One check as a Lua coroutine (ARCHITECTURE.md §3, the coroutine bridge): resumed
// with the result of the I/O it asked for, it runs until it asks for more
// or ends. The request and result tables are the prelude's (check_prelude.lua).
#include <lua.hpp>
#include <utility>

#include "script/check_primitives.hpp"
#include "script/check_suite.hpp"
#include "script/lua_state.hpp"

namespace smtp::script {
namespace {

std::string field_string(lua_State* L, int table, const char* name) {
  std::string out;
  if (lua_getfield(L, table, name) == LUA_TSTRING) {
    std::size_t n = 0;
    const char* s = lua_tolstring(L, -1, &n);
    out.assign(s, n);
  }
  lua_pop(L, 1);
  return out;
}

lua_Integer field_integer(lua_State* L, int table, const char* name) {
  lua_getfield(L, table, name);
  const lua_Integer v = lua_tointeger(L, -1);
  lua_pop(L, 1);
  return v;
}

bool field_boolean(lua_State* L, int table, const char* name) {
  lua_getfield(L, table, name);
  const bool v = lua_toboolean(L, -1) != 0;
  lua_pop(L, 1);
  return v;
}

void set_string(lua_State* L, const char* name, const std::string& value) {
  lua_pushlstring(L, value.data(), value.size());
  lua_setfield(L, -2, name);
}

// The yielded request table at `index` → IoRequest. The prelude builds these,
// so a bad kind is a bug of ours, reported as such.
std::optional<IoRequest> read_request(lua_State* L, int index) {
  if (!lua_istable(L, index)) return std::nullopt;
  static const std::pair<const char*, IoRequest::Kind> kinds[] = {
      {"connect", IoRequest::Kind::connect},       {"write", IoRequest::Kind::write},
      {"read_reply", IoRequest::Kind::read_reply}, {"handshake", IoRequest::Kind::handshake},
      {"wait_close", IoRequest::Kind::wait_close}, {"close", IoRequest::Kind::close},
      {"sleep", IoRequest::Kind::sleep},           {"delivered", IoRequest::Kind::delivered},
  };
  const std::string kind = field_string(L, index, "kind");
  IoRequest request;
  bool known = false;
  for (const auto& [name, k] : kinds) {
    if (kind == name) {
      request.kind = k;
      known = true;
    }
  }
  if (!known) return std::nullopt;
  request.connection = static_cast<int>(field_integer(L, index, "connection"));
  request.bytes = field_string(L, index, "bytes");
  request.secret = field_boolean(L, index, "secret");
  request.tls = field_boolean(L, index, "tls");
  request.timeout = std::chrono::milliseconds(field_integer(L, index, "timeout_ms"));
  return request;
}

const char* status_name(IoResult::Status status) {
  switch (status) {
    case IoResult::Status::ok:
      return "ok";
    case IoResult::Status::timeout:
      return "timeout";
    case IoResult::Status::closed:
      return "closed";
    case IoResult::Status::malformed:
      return "malformed";
    case IoResult::Status::failed:
      return "failed";
  }
  return "failed";
}

void push_result(lua_State* L, const IoResult& result) {
  lua_newtable(L);
  lua_pushstring(L, status_name(result.status));
  lua_setfield(L, -2, "status");
  lua_pushinteger(L, result.connection);
  lua_setfield(L, -2, "connection");
  if (!result.detail.empty()) set_string(L, "detail", result.detail);
  if (!result.raw.empty()) set_string(L, "raw", result.raw);
  if (result.reply) {
    const proto::Reply& reply = *result.reply;
    lua_pushinteger(L, reply.code);
    lua_setfield(L, -2, "code");
    if (const auto& enhanced = reply.enhanced()) set_string(L, "enhanced", enhanced->to_string());
    lua_createtable(L, static_cast<int>(reply.lines.size()), 0);
    lua_createtable(L, static_cast<int>(reply.lines.size()), 0);
    for (std::size_t i = 0; i < reply.lines.size(); ++i) {
      const auto& line = reply.lines[i];
      lua_pushlstring(L, line.text.data(), line.text.size());
      lua_rawseti(L, -3, static_cast<lua_Integer>(i + 1));
      if (line.enhanced) {
        const std::string code = line.enhanced->to_string();
        lua_pushlstring(L, code.data(), code.size());
      } else {
        lua_pushboolean(L, 0);
      }
      lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
    }
    lua_setfield(L, -3, "line_enhanced");
    lua_setfield(L, -2, "lines");
  }
}

// The strings of the list t[name] (the notes), in order.
std::vector<std::string> string_list(lua_State* L, int table, const char* name) {
  std::vector<std::string> out;
  if (lua_getfield(L, table, name) == LUA_TTABLE) {
    const lua_Integer n = luaL_len(L, -1);
    for (lua_Integer i = 1; i <= n; ++i) {
      lua_geti(L, -1, i);
      std::size_t len = 0;
      if (const char* s = lua_tolstring(L, -1, &len)) out.emplace_back(s, len);
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  return out;
}

}  // namespace

std::unique_ptr<CheckCoroutine> CheckSuite::start(std::size_t index, const CheckTarget& target) {
  lua_State* L = lua_->get();
  const CheckInfo& info = checks_.at(index);

  // t = new_test(target, info, nonce), built in a protected call.
  lua_rawgeti(L, LUA_REGISTRYINDEX, new_test_ref_);
  lua_newtable(L);
  set_string(L, "target", target.target);
  set_string(L, "profile", target.profile);
  set_string(L, "domain", target.domain);
  lua_pushboolean(L, target.starttls);
  lua_setfield(L, -2, "tls");
  lua_pushboolean(L, target.oracle);
  lua_setfield(L, -2, "oracle");
  if (target.user) set_string(L, "user", *target.user);
  if (target.password) set_string(L, "password", *target.password);
  lua_pushnumber(L, static_cast<double>(target.reply_timeout.count()) / 1000.0);
  lua_setfield(L, -2, "timeout");
  lua_newtable(L);
  set_string(L, "id", info.id);
  set_string(L, "level", std::string(check::to_string(info.level)));
  lua_createtable(L, static_cast<int>(info.needs.size()), 0);
  for (std::size_t i = 0; i < info.needs.size(); ++i) {
    lua_pushlstring(L, info.needs[i].data(), info.needs[i].size());
    lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
  }
  lua_setfield(L, -2, "needs");
  // Local parts made by t:unique() differ between checks and between runs.
  const std::string nonce = "h" + std::to_string(++started_) + "x" + std::to_string(run_nonce_);
  lua_pushlstring(L, nonce.data(), nonce.size());
  lua_->call(3, 1);
  const int test_ref = luaL_ref(L, LUA_REGISTRYINDEX);

  lua_State* thread = lua_newthread(L);
  const int thread_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  check_primitives::register_check_thread(L, thread);
  lua_rawgeti(thread, LUA_REGISTRYINDEX, body_ref_);
  lua_rawgeti(thread, LUA_REGISTRYINDEX, run_refs_.at(index));
  lua_rawgeti(thread, LUA_REGISTRYINDEX, test_ref);
  return std::unique_ptr<CheckCoroutine>(new CheckCoroutine(*this, thread_ref, test_ref, thread));
}

CheckCoroutine::CheckCoroutine(CheckSuite& suite, int thread_ref, int test_ref, lua_State* thread)
    : suite_(suite), thread_ref_(thread_ref), test_ref_(test_ref), thread_(thread) {}

CheckCoroutine::~CheckCoroutine() {
  lua_State* L = suite_.lua_->get();
  check_primitives::unregister_check_thread(L, thread_);
  luaL_unref(L, LUA_REGISTRYINDEX, thread_ref_);
  luaL_unref(L, LUA_REGISTRYINDEX, test_ref_);
}

std::vector<std::string> CheckCoroutine::take_notes() {
  lua_State* L = suite_.lua_->get();
  lua_rawgeti(L, LUA_REGISTRYINDEX, test_ref_);
  auto notes = string_list(L, -1, "_fresh");
  lua_newtable(L);
  lua_setfield(L, -2, "_fresh");
  lua_pop(L, 1);
  return notes;
}

std::variant<IoRequest, CheckOutcome> CheckCoroutine::resume(const IoResult* result) {
  lua_State* L = suite_.lua_->get();
  int nargs = 2;  // the first resume: run and t, under the body function
  if (result != nullptr) {
    push_result(thread_, *result);
    nargs = 1;
  }
  suite_.lua_->reset_instruction_budget();
  int nresults = 0;
  const int status = lua_resume(thread_, L, nargs, &nresults);

  CheckOutcome outcome;
  auto finish = [&]() -> std::variant<IoRequest, CheckOutcome> {
    lua_rawgeti(L, LUA_REGISTRYINDEX, test_ref_);
    outcome.notes = string_list(L, -1, "_notes");
    lua_pop(L, 1);
    return outcome;
  };

  if (status == LUA_YIELD) {
    auto request = nresults == 1 ? read_request(thread_, -1) : std::nullopt;
    lua_pop(thread_, nresults);
    if (request) return *request;
    outcome.verdict = check::Verdict::error;
    outcome.reason =
        "the check yielded something that is not an I/O request (coroutine.yield "
        "outside a coroutine of its own?)";
    return finish();
  }
  // Returned (the prelude's body gives the verdict) or raised: a verdict
  // object from t:fail and friends, or a Lua error (a bug in the check).
  if (lua_istable(thread_, -1)) {
    auto verdict = check::parse_verdict(field_string(thread_, -1, "check_verdict"));
    if (verdict) {
      outcome.verdict = *verdict;
      outcome.reason = field_string(thread_, -1, "reason");
      lua_settop(thread_, 0);
      return finish();
    }
  }
  outcome.verdict = check::Verdict::error;
  if (status == LUA_OK) {
    outcome.reason = "the check returned something the runner cannot read";
  } else {
    // The message (file:line: what) is the reason; the traceback, which
    // says how the check got there, goes with the notes.
    const char* message = lua_tostring(thread_, -1);
    outcome.reason = message != nullptr ? message : "(an error object that is not a string)";
    luaL_traceback(L, thread_, nullptr, 0);
    const std::string traceback = lua_tostring(L, -1);
    lua_pop(L, 1);
    lua_settop(thread_, 0);
    auto ended = finish();
    std::get<CheckOutcome>(ended).notes.push_back(traceback);
    return ended;
  }
  lua_settop(thread_, 0);
  return finish();
}

}  // namespace smtp::script
