#pragma once
// Calling a load scenario's message(ctx) and reply(ctx, phase, reply) hooks:
// shared by LoadScript (one per worker) and LoadScenario's dry run.
//
// ctx is one read-only table per state, made once and refilled before each
// call (seq, worker, connection, in_connection), with ctx.shared (read-only
// too) and ctx:count(name[, n]). The reply table is reused the same way, so a hook
// call allocates nothing on our side.
#include <cstdint>
#include <map>
#include <string>

#include "script/load_scenario.hpp"
#include "script/lua_state.hpp"
#include "script/value.hpp"

struct lua_State;

namespace smtp::script::load_hooks {

// Each state's hooks may run this many instructions per call (the file's
// top level, init, one hook call, done): the settings state has the same
// limit as the workers, so what passes validation also runs in a worker.
inline constexpr std::uint64_t kInstructionLimit = 10'000'000;

// Restores the stack's height when a call returns or throws.
class StackGuard {
 public:
  explicit StackGuard(lua_State* L);
  ~StackGuard();
  StackGuard(const StackGuard&) = delete;
  StackGuard& operator=(const StackGuard&) = delete;

 private:
  lua_State* L_;
  int top_;
};

// Calls the C function `fn`, protected but without a traceback (its errors
// are about values, and a traceback would only show "[C]: in ?"). Its
// arguments are the `nargs` values on top of the stack, then `job` as a
// light userdata. Throws ScriptError with the Lua error's message.
void call_c(lua_State* L, int (*fn)(lua_State*), void* job, int nargs, int nresults);

// Where ctx:count() adds up in this state; nullptr: counts are checked and
// dropped (LoadScenario's dry run).
void set_counters(lua_State* L, std::map<std::string, double>* counters);

// Pushes a new ctx table with `shared` read-only and the fields of
// `sample`. Throws ScriptError.
void push_context(lua_State* L, const Value& shared, const MessageContext& sample);

// Refills ctx (at `index`, as push_context made it) for the next call.
void fill_context(lua_State* L, int index, const MessageContext& context);

// "path:LINE" where the function at `index` is defined.
std::string function_location(lua_State* L, int index, const std::string& path);

// With [message, ctx] on top of the stack: calls message(ctx), pops both and
// returns what it answered. Throws ScriptError "path:line: reason".
MessageSpec call_message(LuaState& state, const std::string& path);

// With [reply, ctx] on top of the stack: calls reply(ctx, phase, reply) with
// the per-state reply table refilled from `reply`; pops both. Its return
// value is ignored. Throws ScriptError.
void call_reply(LuaState& state, const ReplyInfo& reply);

}  // namespace smtp::script::load_hooks
