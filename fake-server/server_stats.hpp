#pragma once
// Counters behind GET /api/stats and GET /metrics. The server runs on one
// io_context thread, so plain integers suffice.
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "common/classic_histogram.hpp"

namespace smtp::fake {

// Upper bounds of the session-duration histogram, in seconds (README,
// "Prometheus metrics").
inline constexpr std::array<double, 14> kSessionDurationBounds = {
    0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600};

// Distinct rule names counted one by one; a server whose rules were
// replaced with ever new names counts the rest under "other", so that
// /metrics stays bounded.
inline constexpr std::size_t kMaxRuleNamesCounted = 1000;

struct ServerStats {
  std::chrono::system_clock::time_point started = std::chrono::system_clock::now();
  std::uint64_t seed = 0;  // the master seed (--seed), for replaying a run
  std::uint64_t connections = 0;
  std::uint64_t sessions = 0;  // connections admitted (not turned away over --max-sessions)
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
  // By what the reply answered (reply_label.hpp: a verb, "connect",
  // "end_of_data" or "other") and code; the labels are static strings.
  std::map<std::pair<std::string_view, int>, std::uint64_t> replies_by_command;
  std::map<std::string, std::uint64_t, std::less<>> rules_fired_by_name;
  common::ClassicHistogram session_seconds{kSessionDurationBounds};

  void count_rule_fired(std::string_view name) {
    ++rules_fired;
    auto it = rules_fired_by_name.find(name);
    if (it == rules_fired_by_name.end()) {
      const bool room = rules_fired_by_name.size() < kMaxRuleNamesCounted;
      it = rules_fired_by_name.try_emplace(std::string(room ? name : "other")).first;
    }
    ++it->second;
  }
};

}  // namespace smtp::fake
