#pragma once
// The profile's Lua hooks (SCRIPTING.md "Hooks"): on_connect(session),
// on_<verb>(session, cmd) and on_message(session, message). The profile's
// Lua state stays alive for them: fake-smtpd runs on one thread, and
// ARCHITECTURE.md §3 gives each thread that runs scripts one lua_State. A hook
// that is not defined is never called and costs nothing.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fake-server/rules/rule.hpp"
#include "proto/envelope.hpp"

struct lua_State;

namespace smtp::script {
class LuaState;
}

namespace smtp::fake {

// What a hook may look at: a read-only view while the hook runs
// (lua_session_view.hpp).
struct HookSession {
  std::uint64_t id = 0;
  std::string_view ip;
  std::uint16_t port = 0;
  bool tls = false;
  std::string_view auth_user;  // empty: not authenticated
  std::string_view helo;       // empty: no EHLO/HELO yet
  std::uint64_t messages = 0;
  const proto::Envelope* envelope = nullptr;  // the transaction so far, or null
};

struct HookResult {
  std::optional<rules::Action> action;  // nullopt: the hook returned nil
  std::string error;                    // non-empty: the hook failed
};

// "on_connect", "on_message", "on_rcpt" for "connect", ".", "RCPT".
std::string hook_function_name(std::string_view on);

class LuaHooks {
 public:
  // Takes over the state a profile ran in, and finds its hooks. Returns null
  // when the profile defines none. Seeds math.random from `seed`.
  static std::shared_ptr<LuaHooks> adopt(std::unique_ptr<script::LuaState> state,
                                         std::uint64_t seed);
  ~LuaHooks();

  // `on` as rules use it: "connect", ".", or an upper-case verb.
  bool has(std::string_view on) const { return functions_.find(on) != functions_.end(); }
  bool any_command() const { return commands_; }
  std::vector<std::string> names() const;  // "on_connect", "on_rcpt", ...

  HookResult on_connect(const HookSession& session);
  HookResult on_command(const HookSession& session, std::string_view verb, std::string_view arg,
                        std::string_view line);
  HookResult on_message(const HookSession& session, const proto::Message& message);

 private:
  explicit LuaHooks(std::unique_ptr<script::LuaState> state);
  // Calls the hook for `on` inside a protected call; `push_args` pushes the
  // arguments and calls call_function (lua_hooks.cpp).
  HookResult call(std::string_view on, const std::function<int(lua_State*)>& push_args);

  std::unique_ptr<script::LuaState> state_;
  // "connect", ".", "MAIL", ... → the hook function's registry reference.
  std::map<std::string, int, std::less<>> functions_;
  bool commands_ = false;  // some on_<verb> exists
};

}  // namespace smtp::fake
