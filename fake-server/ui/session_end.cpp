#include "fake-server/ui/session_end.hpp"

#include <array>
#include <iterator>
#include <optional>

namespace smtp::fake::ui {
namespace {

constexpr std::array<SessionEnd, 10> kEnds = {{
    {"open", "still open"},
    {"quit", "QUIT (221)"},
    {"client-closed", "client closed"},
    {"idle-timeout", "idle timeout (421)"},
    {"server-421", "server closed (421)"},
    {"rule-close", "closed by a rule"},
    {"rule-reset", "reset by a rule"},
    {"tls-failed", "TLS handshake failed"},
    {"over-limit", "over max_sessions"},
    {"other", "closed"},
}};

SessionEnd end_named(std::string_view key) {
  for (const auto& end : kEnds) {
    if (end.key == key) return end;
  }
  return kEnds.back();
}

// The event texts the session writes as it ends, and what each means.
struct EventEnd {
  std::string_view prefix;
  std::string_view key;
};
constexpr std::array<EventEnd, 6> kEventEnds = {{
    {"idle timeout", "idle-timeout"},
    {"client closed", "client-closed"},
    {"connection reset", "rule-reset"},
    {"connection closed instead of", "rule-close"},
    {"TLS handshake failed", "tls-failed"},
    {"over max_sessions", "over-limit"},
}};

std::optional<std::string_view> event_end(const TranscriptEntry& entry) {
  if (entry.direction != Direction::event) return std::nullopt;
  for (const auto& known : kEventEnds) {
    if (entry.bytes.starts_with(known.prefix)) return known.key;
  }
  return std::nullopt;
}

// The code of the last reply in a server entry ("...\r\n221 2.0.0 Bye\r\n").
std::string_view last_reply_code(std::string_view bytes) {
  if (bytes.ends_with("\r\n")) bytes.remove_suffix(2);
  const auto line_start = bytes.rfind('\n');
  const auto line = line_start == std::string_view::npos ? bytes : bytes.substr(line_start + 1);
  return line.substr(0, 3);
}

}  // namespace

std::span<const SessionEnd> session_ends() {
  return kEnds;
}

SessionEnd session_end(const SessionRecord& session) {
  if (!session.ended) return end_named("open");
  const auto& entries = session.entries;
  for (auto entry = entries.rbegin(); entry != entries.rend(); ++entry) {
    if (entry->direction == Direction::event) {
      if (const auto key = event_end(*entry)) return end_named(*key);
      continue;  // an event that does not end a session (a rule fired, TLS up)
    }
    if (entry->direction == Direction::server) {
      const auto code = last_reply_code(entry->bytes);
      if (code == "221") return end_named("quit");
      if (code != "421") break;
      // The 421 of an idle timeout follows the event that says so.
      const auto before = std::next(entry);
      if (before != entries.rend()) {
        if (const auto key = event_end(*before)) return end_named(*key);
      }
      return end_named("server-421");
    }
  }
  return end_named("other");
}

}  // namespace smtp::fake::ui
