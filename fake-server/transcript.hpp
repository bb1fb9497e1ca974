#pragma once
// Every session's exact bytes in both directions, with timestamps, the TLS
// state and the events (TLS up, rule fired, close): ARCHITECTURE.md §2,
// fake-smtpd step 6. AUTH secrets are redacted before they get here. Memory
// is bounded twice: per session (bytes kept) and in the number of sessions
// retained.
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtp::fake {

enum class Direction { client, server, event };
std::string_view to_string(Direction direction);

struct TranscriptEntry {
  std::chrono::system_clock::time_point at;
  Direction direction;
  bool tls;
  std::string bytes;  // exact bytes for client/server, text for events
};

struct SessionRecord {
  std::uint64_t id = 0;
  std::string peer;   // "127.0.0.1:51234"
  std::string local;  // the listener it came in on
  bool implicit_tls = false;
  std::chrono::system_clock::time_point started;
  std::optional<std::chrono::system_clock::time_point> ended;
  std::string client_name;
  std::string auth_user;
  std::string tls_version, tls_cipher;
  std::uint64_t messages = 0;
  std::uint64_t bytes_in = 0, bytes_out = 0;
  // The names of the rules that fired in this session, each once, in the
  // order they first fired (the web UI's session list filters on them):
  // bounded by the number of rules.
  std::vector<std::string> rules_fired;
  std::vector<TranscriptEntry> entries;
  std::uint64_t omitted_bytes = 0;  // over the per-session cap, counted not kept
  std::size_t kept_bytes = 0;       // bytes held in `entries`, plus entry_overhead per entry
  static constexpr std::size_t entry_overhead = 64;

  // Appends, merging with the previous entry of the same direction and TLS
  // state so that a byte-at-a-time client does not make one entry per byte.
  void record(Direction direction, bool tls, std::string_view bytes, std::size_t cap);
  void rule_fired(std::string_view name);
};

class SessionLog {
 public:
  SessionLog(std::size_t max_sessions, std::size_t max_bytes_per_session)
      : max_sessions_(max_sessions), max_bytes_(max_bytes_per_session) {}

  std::shared_ptr<SessionRecord> open(std::string peer, std::string local, bool implicit_tls);
  std::size_t bytes_cap() const { return max_bytes_; }
  const std::deque<std::shared_ptr<SessionRecord>>& sessions() const { return sessions_; }
  std::shared_ptr<SessionRecord> find(std::uint64_t id) const;

 private:
  std::size_t max_sessions_;
  std::size_t max_bytes_;
  std::uint64_t last_id_ = 0;
  std::deque<std::shared_ptr<SessionRecord>> sessions_;
};

}  // namespace smtp::fake
