// LoadScenario: the state that reads the settings and runs init() and
// done(summary) once (the per-worker LoadScript is in load_script.cpp).
#include "script/load_scenario.hpp"

#include <lua.hpp>

#include "script/load_hooks.hpp"
#include "script/load_scenario_settings.hpp"
#include "script/lua_fields.hpp"
#include "script/lua_value.hpp"

namespace smtp::script {
namespace {

// Registry keys of the hooks in the settings state: the functions
// themselves, so that the file's globals cannot change what runs later.
int init_key;
int message_key;
int done_key;

struct SettingsJob {
  const std::string* path;
  ScenarioSettings settings;
};

int read_settings_entry(lua_State* L) {
  auto* job = static_cast<SettingsJob*>(lua_touserdata(L, 2));
  if (!lua_istable(L, 1)) {
    lua_fields::fail(L, *job->path, "a load scenario must return a table of settings");
  }
  job->settings = read_scenario_settings(L, 1, *job->path);
  for (const auto& [name, key] :
       {std::pair{"init", &init_key}, {"message", &message_key}, {"done", &done_key}}) {
    lua_pushstring(L, name);
    lua_rawget(L, 1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, key);
  }
  return 0;
}

int push_summary_entry(lua_State* L) {
  push_value(L, *static_cast<const Value*>(lua_touserdata(L, 1)));
  return 1;
}

std::string type_name(lua_State* L, int index) {
  return lua_isboolean(L, index) ? (lua_toboolean(L, index) != 0 ? "true" : "false")
                                 : luaL_typename(L, index);
}

}  // namespace

LoadScenario::LoadScenario(std::string path) : path_(std::move(path)) {
  LuaState::Options options;
  options.instruction_limit = load_hooks::kInstructionLimit;
  state_ = std::make_unique<LuaState>(options);
  lua_State* L = state_->get();
  const load_hooks::StackGuard guard(L);
  state_->run_file(path_, 1);
  SettingsJob job{&path_, {}};
  load_hooks::call_c(L, read_settings_entry, &job, 1, 0);
  settings_ = std::move(job.settings);
}

LoadScenario::~LoadScenario() = default;

void LoadScenario::run_init() {
  if (!settings_.has_init) return;
  lua_State* L = state_->get();
  const load_hooks::StackGuard guard(L);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &init_key);
  const std::string where = load_hooks::function_location(L, -1, path_);
  state_->call(0, 1);
  try {
    shared_ = to_value(L, -1, "shared");
  } catch (const ScriptError& e) {
    throw ScriptError(where +
                      ": init() returned data that cannot be shared with the workers: " + e.what());
  }
}

MessageSpec LoadScenario::dry_run_message() {
  if (!settings_.has_message) return {};
  lua_State* L = state_->get();
  const load_hooks::StackGuard guard(L);
  load_hooks::set_counters(L, nullptr);  // a dry run counts nothing
  lua_rawgetp(L, LUA_REGISTRYINDEX, &message_key);
  MessageContext sample;
  sample.connection = 1;
  sample.in_connection = 1;
  load_hooks::push_context(L, shared_, sample);
  return load_hooks::call_message(*state_, path_);
}

std::optional<std::string> LoadScenario::run_done(const Value& summary) {
  if (!settings_.has_done) return std::nullopt;
  lua_State* L = state_->get();
  const load_hooks::StackGuard guard(L);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &done_key);
  const std::string where = load_hooks::function_location(L, -1, path_);
  Value argument = summary;
  load_hooks::call_c(L, push_summary_entry, &argument, 0, 1);
  state_->call(1, 2);
  const int verdict = lua_gettop(L) - 1;
  const int reason = verdict + 1;
  if (lua_isnil(L, verdict) || (lua_isboolean(L, verdict) && lua_toboolean(L, verdict) != 0)) {
    return std::nullopt;
  }
  if (!lua_isboolean(L, verdict)) {
    throw ScriptError(where + ": done(summary) returned " + type_name(L, verdict) +
                      "; expected nothing, true, or false and a reason");
  }
  if (lua_type(L, reason) == LUA_TSTRING) return std::string(lua_tostring(L, reason));
  if (!lua_isnil(L, reason)) {
    throw ScriptError(where + ": done(summary) returned false and " + type_name(L, reason) +
                      "; the reason must be a string");
  }
  return std::string("done(summary) returned false");
}

}  // namespace smtp::script
