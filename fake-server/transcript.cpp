#include "fake-server/transcript.hpp"

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
  // Events are always kept (they are short and say what happened); data is
  // kept up to the cap, the rest only counted.
  if (direction != Direction::event && kept_bytes + bytes.size() > cap) {
    const std::size_t room = cap > kept_bytes ? cap - kept_bytes : 0;
    omitted_bytes += bytes.size() - room;
    bytes = bytes.substr(0, room);
    if (bytes.empty()) return;
  }
  if (direction != Direction::event) kept_bytes += bytes.size();
  const auto now = std::chrono::system_clock::now();
  if (direction != Direction::event && !entries.empty() && entries.back().direction == direction &&
      entries.back().tls == tls) {
    entries.back().bytes.append(bytes);
    return;
  }
  entries.push_back({now, direction, tls, std::string(bytes)});
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
