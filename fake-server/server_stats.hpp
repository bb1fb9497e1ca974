#pragma once
// Counters behind GET /api/stats. The server runs on one io_context thread,
// so plain integers suffice.
#include <chrono>
#include <cstdint>
#include <map>

namespace smtp::fake {

struct ServerStats {
  std::chrono::system_clock::time_point started = std::chrono::system_clock::now();
  std::uint64_t seed = 0;  // the master seed (--seed), for replaying a run
  std::uint64_t connections = 0;
  std::uint64_t active_sessions = 0;
  std::uint64_t peak_sessions = 0;
  std::uint64_t tls_handshakes = 0;
  std::uint64_t tls_failures = 0;
  std::uint64_t messages_accepted = 0;
  std::uint64_t messages_refused = 0;  // a 4xx/5xx at the end of DATA or BDAT
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t idle_timeouts = 0;
  std::uint64_t rules_fired = 0;         // every fired rule, counted once per event
  std::uint64_t greylist_deferred = 0;   // RCPTs deferred by greylisting
  std::uint64_t hook_errors = 0;         // hooks that failed (answered 451 4.3.0)
  std::map<int, std::uint64_t> replies;  // by code
};

}  // namespace smtp::fake
