#pragma once
// The `session` argument of a hook: a read-only view whose fields are read
// on demand. Building a full table for every hook call cost about a quarter
// of the server's time per message with a hook on every command
// (bench/fake-smtpd-rules.sh, callgrind); a hook reads two or three fields.
// The view is valid only while its hook runs: the session it shows changes
// as soon as the hook returns.
#include "fake-server/lua_hooks.hpp"

struct lua_State;

namespace smtp::fake {

// Creates the view's metatable; once per Lua state.
void register_session_view(lua_State* L);

// Pushes a view of `session` (which must outlive the handle) for a hook's
// argument, and keeps a second reference below it on the stack, so the
// view's memory stays alive until the handle detaches it. Used inside the
// protected call that runs the hook (lua_hooks.cpp), whose frame holds the
// anchor until it returns.
class SessionViewHandle {
 public:
  SessionViewHandle(lua_State* L, const HookSession& session);
  // Detaches the view: a script that kept it gets a clear error.
  ~SessionViewHandle() { *slot_ = nullptr; }
  SessionViewHandle(const SessionViewHandle&) = delete;
  SessionViewHandle& operator=(const SessionViewHandle&) = delete;

 private:
  const HookSession** slot_;
};

}  // namespace smtp::fake
