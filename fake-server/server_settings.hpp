#pragma once
// What a profile (profile.hpp) and the command line set about the server,
// apart from where it listens: standard library only, so the Lua glue that
// fills it in sees neither Asio nor the sessions. FakeServerOptions
// (fake_server.hpp) adds the listening addresses and the TLS context.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "fake-server/lua_hooks.hpp"
#include "fake-server/profile_rules.hpp"
#include "proto/server_config.hpp"

namespace smtp::fake {

struct ServerSettings {
  proto::ServerConfig smtp;
  std::string store = "memory";
  std::size_t store_limit = 10000;  // messages in the store's index; 0: no limit
  // Octets of messages the store holds in memory (--store-bytes); past it
  // the oldest go first, as past store_limit. 0: no limit.
  std::uint64_t store_bytes = 256 * 1024 * 1024;
  // RFC 5321 §4.5.3.2.7: a server should wait at least 5 minutes for a command.
  std::chrono::steady_clock::duration idle_timeout = std::chrono::minutes(5);
  std::size_t max_line = 16384;  // framer bound; the command limits are the parser's
  // Sessions served at once; one more is greeted 421 and closed (RFC 5321
  // §3.8). 0: no limit. Unset: fake-smtpd derives it from the open-file
  // limit (descriptor_budget.hpp); a server run in process has none.
  std::optional<std::size_t> max_sessions;
  std::size_t sessions_kept = 1000;
  std::size_t transcript_bytes = 256 * 1024;  // per session
  std::uint64_t seed = 0;
  RuleSet rules;                    // the profile's rule { } and greylist { }
  std::shared_ptr<LuaHooks> hooks;  // null: the profile defines none
};

}  // namespace smtp::fake
