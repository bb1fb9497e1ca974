#include "fake-server/lua_hooks.hpp"

#include <lua.hpp>

#include <functional>

#include "fake-server/lua_session_view.hpp"
#include "fake-server/profile_rules.hpp"
#include "proto/ascii.hpp"
#include "script/lua_state.hpp"

namespace smtp::fake {
namespace {

void set_string(lua_State* L, const char* field, std::string_view value) {
  lua_pushlstring(L, value.data(), value.size());
  lua_setfield(L, -2, field);
}

void push_recipients(lua_State* L, const std::vector<proto::Recipient>& recipients) {
  lua_createtable(L, static_cast<int>(recipients.size()), 0);
  lua_Integer i = 0;
  for (const auto& r : recipients) {
    const auto text = r.path.address();
    lua_pushlstring(L, text.data(), text.size());
    lua_seti(L, -2, ++i);
  }
}

// Reads a hook's returned action inside a protected call, so that a bad
// field raises a Lua error the caller catches as ScriptError.
struct ActionJob {
  std::string_view on;
  rules::Action action;
};

int read_action_entry(lua_State* L) {
  auto* job = static_cast<ActionJob*>(lua_touserdata(L, 1));
  job->action = read_action(L, 2, job->on);
  return 0;
}

// The hook's return value is on top of the stack: a reply string becomes
// { reply = string }.
rules::Action read_returned_action(script::LuaState& state, std::string_view on) {
  lua_State* L = state.get();
  if (lua_type(L, -1) == LUA_TSTRING) {
    lua_createtable(L, 0, 1);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "reply");
  } else {
    lua_pushvalue(L, -1);
  }
  ActionJob job{on, {}};
  lua_pushcfunction(L, read_action_entry);
  lua_insert(L, -2);
  lua_pushlightuserdata(L, &job);
  lua_insert(L, -2);
  state.call(2, 0);
  return job.action;
}

// One hook call, run as a protected C function: the hook (a registry
// reference) is pushed first, then its arguments, and called.
struct Invocation {
  int function;
  const std::function<int(lua_State*)>* push_args;
};

int invoke(lua_State* L) {
  const auto* invocation = static_cast<const Invocation*>(lua_touserdata(L, 1));
  lua_settop(L, 0);
  lua_rawgeti(L, LUA_REGISTRYINDEX, invocation->function);
  return (*invocation->push_args)(L);
}

// Calls the function pushed by invoke() (at stack index 1) with the `nargs`
// values on top: the stack is [function, anchors..., args...].
int call_function(lua_State* L, int nargs) {
  lua_rotate(L, 1, -1);         // the function goes to the top ...
  lua_insert(L, -(nargs + 1));  // ... then below its arguments
  lua_call(L, nargs, 1);
  return 1;
}

}  // namespace

std::string hook_function_name(std::string_view on) {
  if (on == rules::on_connect) return "on_connect";
  if (on == rules::on_end_of_data) return "on_message";
  return "on_" + proto::to_lower_ascii(on);
}

LuaHooks::LuaHooks(std::unique_ptr<script::LuaState> state) : state_(std::move(state)) {}
LuaHooks::~LuaHooks() = default;

std::shared_ptr<LuaHooks> LuaHooks::adopt(std::unique_ptr<script::LuaState> state,
                                          std::uint64_t seed) {
  lua_State* L = state->get();
  std::shared_ptr<LuaHooks> hooks(new LuaHooks(std::move(state)));
  lua_pushglobaltable(L);
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TFUNCTION) {
      const std::string_view name = lua_tostring(L, -2);
      if (name.size() > 3 && name.substr(0, 3) == "on_") {
        const auto rest = name.substr(3);
        std::string on;
        if (rest == "connect") {
          on = rules::on_connect;
        } else if (rest == "message") {
          on = rules::on_end_of_data;
        } else {
          on = proto::to_upper_ascii(rest);
          hooks->commands_ = true;
        }
        // The function itself, not its global name: looked up once here, not
        // per call, and a profile that reassigns the global later does not
        // change what runs.
        lua_pushvalue(L, -1);
        hooks->functions_[on] = luaL_ref(L, LUA_REGISTRYINDEX);
      }
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  if (hooks->functions_.empty()) return nullptr;
  register_session_view(L);
  // math.random replays with the same --seed (SCRIPTING.md). Protected: a
  // profile may have replaced `math`.
  hooks->state_->run_string("if type(math) == 'table' and math.randomseed then math.randomseed(" +
                                std::to_string(static_cast<std::int64_t>(seed)) + ") end",
                            "seed");
  return hooks;
}

std::vector<std::string> LuaHooks::names() const {
  std::vector<std::string> out;
  for (const auto& [on, ref] : functions_) out.push_back(hook_function_name(on));
  return out;
}

HookResult LuaHooks::call(std::string_view on, const std::function<int(lua_State*)>& push_args) {
  lua_State* L = state_->get();
  HookResult result;
  const int base = lua_gettop(L);
  // Everything that allocates in Lua happens inside the protected call: a
  // full heap (the 256 MiB cap) must fail the hook, not the session.
  Invocation invocation{functions_.find(on)->second, &push_args};
  try {
    lua_pushcfunction(L, invoke);
    lua_pushlightuserdata(L, &invocation);
    state_->call(1, 1);
    if (lua_isnil(L, -1)) {
      // nil: the server answers as usual.
    } else if (lua_type(L, -1) == LUA_TSTRING || lua_istable(L, -1)) {
      result.action = read_returned_action(*state_, on);
    } else {
      result.error = hook_function_name(on) + " returned a " + luaL_typename(L, -1) +
                     "; expected nil, a reply string or an action table";
    }
  } catch (const script::ScriptError& e) {
    // The first line is "file:line: reason"; the traceback goes nowhere
    // useful in a transcript entry.
    const std::string what = e.what();
    result.error = what.substr(0, what.find('\n'));
  }
  lua_settop(L, base);
  return result;
}

HookResult LuaHooks::on_connect(const HookSession& session) {
  return call(rules::on_connect, [&](lua_State* L) {
    SessionViewHandle view(L, session);
    return call_function(L, 1);
  });
}

HookResult LuaHooks::on_command(const HookSession& session, std::string_view verb,
                                std::string_view arg, std::string_view line) {
  return call(verb, [&](lua_State* L) {
    SessionViewHandle view(L, session);
    lua_createtable(L, 0, 3);
    set_string(L, "verb", verb);
    set_string(L, "arg", arg);
    set_string(L, "line", line);
    return call_function(L, 2);
  });
}

HookResult LuaHooks::on_message(const HookSession& session, const proto::Message& message) {
  return call(rules::on_end_of_data, [&](lua_State* L) {
    SessionViewHandle view(L, session);
    lua_createtable(L, 0, 4);
    set_string(L, "from", message.envelope.reverse_path.address());
    push_recipients(L, message.envelope.recipients);
    lua_setfield(L, -2, "to");
    lua_pushinteger(L, static_cast<lua_Integer>(message.size));
    lua_setfield(L, -2, "size");
    // With --store none the content was never kept (server_config keep_content).
    if (!message.content.empty() || message.size == 0) set_string(L, "data", message.content);
    return call_function(L, 2);
  });
}

}  // namespace smtp::fake
