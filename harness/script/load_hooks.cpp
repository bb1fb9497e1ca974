#include "script/load_hooks.hpp"

#include <lua.hpp>

#include <cmath>

#include "script/load_message.hpp"
#include "script/lua_fields.hpp"
#include "script/lua_value.hpp"

namespace smtp::script::load_hooks {
namespace {

namespace f = lua_fields;

// Registry keys (each state has its own registry).
int counters_key;
int reply_table_key;
int names_key;  // { [name] = true } for every counter name the state used

// Distinct counter names per worker over the whole run (the engine clears
// counters_ each second, so its size is no bound): ctx:count(reply.text) by
// mistake would otherwise grow the merged counters, and the report, without
// bound.
constexpr lua_Unsigned kMaxCounterNames = 1000;

// Raises an error when the name at index 2 is new and the state already
// used kMaxCounterNames names. The names table keeps its size under a light
// userdata key, which no name can be.
void admit_name(lua_State* L, std::string_view context) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &names_key) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &names_key);
  }
  const int names = lua_gettop(L);
  lua_pushvalue(L, 2);
  if (lua_rawget(L, names) == LUA_TNIL) {
    lua_rawgetp(L, names, &names_key);
    const auto used = static_cast<lua_Unsigned>(lua_tointeger(L, -1));
    if (used >= kMaxCounterNames) {
      f::fail(L, context,
              "more than " + std::to_string(kMaxCounterNames) +
                  " counter names; count kinds of events, not individual values");
    }
    lua_pushinteger(L, static_cast<lua_Integer>(used + 1));
    lua_rawsetp(L, names, &names_key);
    lua_pushvalue(L, 2);
    lua_pushboolean(L, 1);
    lua_rawset(L, names);
  }
  lua_settop(L, names - 1);
}

// ctx:count(name[, n])
int count(lua_State* L) {
  constexpr std::string_view context = "ctx:count";
  if (!lua_istable(L, 1)) f::fail(L, context, "call it with a colon: ctx:count(name[, n])");
  if (lua_type(L, 2) != LUA_TSTRING || lua_rawlen(L, 2) == 0) {
    f::fail(L, context, "the counter's name must be a non-empty string");
  }
  double n = 1;
  if (!lua_isnoneornil(L, 3)) {
    if (lua_type(L, 3) != LUA_TNUMBER || !std::isfinite(lua_tonumber(L, 3))) {
      f::fail(L, context, "n must be a finite number");
    }
    n = static_cast<double>(lua_tonumber(L, 3));
  }
  admit_name(L, context);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &counters_key);
  auto* counters = static_cast<std::map<std::string, double>*>(lua_touserdata(L, -1));
  if (counters == nullptr) return 0;
  std::size_t length = 0;
  const char* name = lua_tolstring(L, 2, &length);
  (*counters)[std::string(name, length)] += n;
  return 0;
}

struct ContextJob {
  const Value* shared;
  MessageContext sample;
};

int push_context_entry(lua_State* L) {
  const auto* job = static_cast<const ContextJob*>(lua_touserdata(L, 1));
  lua_createtable(L, 0, 6);
  push_read_only(L, *job->shared, "ctx.shared");
  lua_setfield(L, -2, "shared");
  lua_pushcfunction(L, count);
  lua_setfield(L, -2, "count");
  fill_context(L, -1, job->sample);
  // ctx is reused for every call: a script that stored its own state in it
  // would see it leak into other connections' messages.
  make_read_only(L, "ctx");
  return 1;
}

void set_integer(lua_State* L, int table, const char* field, std::uint64_t value) {
  lua_pushinteger(L, static_cast<lua_Integer>(value));
  lua_setfield(L, table, field);
}

void set_string(lua_State* L, int table, const char* field, std::string_view value) {
  lua_pushlstring(L, value.data(), value.size());
  lua_setfield(L, table, field);
}

struct MessageJob {
  std::string where;
  MessageSpec spec;
};

int read_message_entry(lua_State* L) {
  auto* job = static_cast<MessageJob*>(lua_touserdata(L, 2));
  job->spec = read_message_spec(L, 1, job->where);
  return 0;
}

// Pushes the phase and the reply table, reused from the registry.
int push_reply_entry(lua_State* L) {
  const auto* reply = static_cast<const ReplyInfo*>(lua_touserdata(L, 1));
  lua_pushlstring(L, reply->phase.data(), reply->phase.size());
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &reply_table_key) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_createtable(L, 0, 3);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &reply_table_key);
  }
  const int table = lua_gettop(L);
  set_integer(L, table, "code", static_cast<std::uint64_t>(reply->code));
  if (reply->enhanced.empty()) {
    lua_pushnil(L);
    lua_setfield(L, table, "enhanced");
  } else {
    set_string(L, table, "enhanced", reply->enhanced);
  }
  set_string(L, table, "text", reply->text);
  return 2;
}

}  // namespace

StackGuard::StackGuard(lua_State* L) : L_(L), top_(lua_gettop(L)) {}
StackGuard::~StackGuard() {
  lua_settop(L_, top_);
}

void call_c(lua_State* L, int (*fn)(lua_State*), void* job, int nargs, int nresults) {
  lua_pushcfunction(L, fn);
  lua_insert(L, -(nargs + 1));
  lua_pushlightuserdata(L, job);
  // No traceback, but a position: `fn` may run the script's metamethods
  // (__len, __index of a settings table), whose error(msg, 0) has none.
  const int handler = lua_gettop(L) - nargs - 1;
  lua_pushcfunction(L, locate_error);
  lua_insert(L, handler);
  const int status = lua_pcall(L, nargs + 1, nresults, handler);
  lua_remove(L, handler);
  if (status != LUA_OK) {
    std::string message = lua_tostring(L, -1) != nullptr ? lua_tostring(L, -1) : "unknown error";
    lua_pop(L, 1);
    throw ScriptError(message);
  }
}

void set_counters(lua_State* L, std::map<std::string, double>* counters) {
  if (counters == nullptr) {
    lua_pushnil(L);
  } else {
    lua_pushlightuserdata(L, counters);
  }
  lua_rawsetp(L, LUA_REGISTRYINDEX, &counters_key);
}

void push_context(lua_State* L, const Value& shared, const MessageContext& sample) {
  ContextJob job{&shared, sample};
  call_c(L, push_context_entry, &job, 0, 1);
}

void fill_context(lua_State* L, int index, const MessageContext& context) {
  push_contents(L, index);
  const int data = lua_gettop(L);
  set_integer(L, data, "seq", context.seq);
  set_integer(L, data, "worker", context.worker);
  set_integer(L, data, "connection", context.connection);
  set_integer(L, data, "in_connection", context.in_connection);
  lua_pop(L, 1);
}

std::string function_location(lua_State* L, int index, const std::string& path) {
  lua_pushvalue(L, index);
  lua_Debug ar;
  lua_getinfo(L, ">S", &ar);
  return path + ":" + std::to_string(ar.linedefined);
}

MessageSpec call_message(LuaState& state, const std::string& path) {
  lua_State* L = state.get();
  MessageJob job{function_location(L, -2, path), {}};
  state.call(1, 1);
  call_c(L, read_message_entry, &job, 1, 0);
  return std::move(job.spec);
}

void call_reply(LuaState& state, const ReplyInfo& reply) {
  ReplyInfo job = reply;
  call_c(state.get(), push_reply_entry, &job, 0, 2);
  state.call(3, 0);
}

}  // namespace smtp::script::load_hooks
