#include "fake-server/transcript.hpp"

#include <algorithm>

namespace smtp::fake {

std::string_view to_string(Direction direction) {
  switch (direction) {
    case Direction::client:
      return "client";
    case Direction::server:
      return "server";
    case Direction::event:
      return "event";
  }
  return "event";
}

void SessionRecord::record(Direction direction, bool tls, std::string_view bytes, std::size_t cap) {
  if (direction == Direction::client) bytes_in += bytes.size();
  if (direction == Direction::server) bytes_out += bytes.size();
  // Bytes and events are kept up to the cap, the rest only counted: a peer
  // that provokes an event per line must not grow the record without bound.
  const bool merges = direction != Direction::event && !entries.empty() &&
                      entries.back().direction == direction && entries.back().tls == tls;
  // A new entry costs memory beyond its bytes; charging it against the cap
  // keeps a NOOP loop (two small entries per round trip) within the cap too.
  const std::size_t overhead = merges ? 0 : entry_overhead;
  if (kept_bytes + overhead + bytes.size() > cap) {
    const std::size_t room = cap > kept_bytes + overhead ? cap - kept_bytes - overhead : 0;
    omitted_bytes += bytes.size() - std::min(room, bytes.size());
    bytes = bytes.substr(0, room);
    if (bytes.empty()) return;
  }
  kept_bytes += overhead + bytes.size();
  if (merges) {
    entries.back().bytes.append(bytes);
    return;
  }
  entries.push_back({std::chrono::system_clock::now(), direction, tls, std::string(bytes)});
}

void SessionRecord::rule_fired(std::string_view name) {
  if (std::find(rules_fired.begin(), rules_fired.end(), name) == rules_fired.end()) {
    rules_fired.emplace_back(name);
  }
}

std::shared_ptr<SessionRecord> SessionLog::open(std::string peer, std::string local,
                                                bool implicit_tls) {
  auto record = std::make_shared<SessionRecord>();
  record->id = ++last_id_;
  record->peer = std::move(peer);
  record->local = std::move(local);
  record->implicit_tls = implicit_tls;
  record->started = std::chrono::system_clock::now();
  sessions_.push_back(record);
  // The oldest sessions are forgotten first; a session still running keeps
  // its record alive through its own shared_ptr.
  while (sessions_.size() > max_sessions_) sessions_.pop_front();
  return record;
}

std::shared_ptr<SessionRecord> SessionLog::find(std::uint64_t id) const {
  if (sessions_.empty() || id < sessions_.front()->id) return nullptr;
  const auto index = id - sessions_.front()->id;
  return index < sessions_.size() ? sessions_[index] : nullptr;
}

}  // namespace smtp::fake
