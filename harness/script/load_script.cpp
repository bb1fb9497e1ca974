// LoadScript: a scenario's hooks in one worker's own lua_State (ARCHITECTURE.md §3).
#include <lua.hpp>

#include "script/load_hooks.hpp"
#include "script/load_scenario.hpp"
#include "script/load_scenario_settings.hpp"
#include "script/lua_fields.hpp"

namespace smtp::script {
namespace {

struct HookJob {
  const std::string* path;
  int message = 0;
  int reply = 0;
};

// Takes message and reply from the table the file returned: a registry
// reference each, or 0 when the file has no such hook.
int take_hooks_entry(lua_State* L) {
  auto* job = static_cast<HookJob*>(lua_touserdata(L, 2));
  if (!lua_istable(L, 1)) {
    lua_fields::fail(L, *job->path, "a load scenario must return a table of settings");
  }
  for (const auto& [name, ref] : {std::pair{"message", &job->message}, {"reply", &job->reply}}) {
    lua_pushstring(L, name);
    lua_rawget(L, 1);
    if (read_hook(L, *job->path, name)) {
      *ref = luaL_ref(L, LUA_REGISTRYINDEX);
    } else {
      lua_pop(L, 1);
    }
  }
  return 0;
}

}  // namespace

LoadScript::LoadScript(const std::string& path, const Value& shared, std::uint32_t worker,
                       std::uint64_t seed)
    : path_(path) {
  LuaState::Options options;
  options.instruction_limit = load_hooks::kInstructionLimit;
  state_ = std::make_unique<LuaState>(options);
  lua_State* L = state_->get();
  const load_hooks::StackGuard guard(L);
  load_hooks::set_counters(L, &counters_);
  // Hooks that draw from math.random replay with the run's --seed; each
  // worker gets its own stream.
  state_->run_string("math.randomseed(" + std::to_string(static_cast<std::int64_t>(seed)) + ")",
                     "seed");
  state_->run_file(path_, 1);
  HookJob job{&path_};
  load_hooks::call_c(L, take_hooks_entry, &job, 1, 0);
  message_ref_ = job.message;
  reply_ref_ = job.reply;
  if (message_ref_ == 0 && reply_ref_ == 0) return;  // no hook: no ctx either
  MessageContext sample;
  sample.worker = worker;
  load_hooks::push_context(L, shared, sample);
  ctx_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
}

LoadScript::~LoadScript() = default;

MessageSpec LoadScript::message(const MessageContext& ctx) {
  if (message_ref_ == 0) return {};
  lua_State* L = state_->get();
  const load_hooks::StackGuard guard(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, message_ref_);
  lua_rawgeti(L, LUA_REGISTRYINDEX, ctx_ref_);
  load_hooks::fill_context(L, -1, ctx);
  return load_hooks::call_message(*state_, path_);
}

void LoadScript::reply(const MessageContext& ctx, const ReplyInfo& reply) {
  if (reply_ref_ == 0) return;
  lua_State* L = state_->get();
  const load_hooks::StackGuard guard(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, reply_ref_);
  lua_rawgeti(L, LUA_REGISTRYINDEX, ctx_ref_);
  load_hooks::fill_context(L, -1, ctx);
  load_hooks::call_reply(*state_, reply);
}

}  // namespace smtp::script
