#include "check/transcript_recorder.hpp"

#include <algorithm>
#include <utility>

#include "check/runner.hpp"

namespace smtp::check {

namespace {

// Events and notes are the runner's and the check's words, not the peer's
// bytes; they get their own budget so that traffic cannot crowd them out.
constexpr std::size_t kMaxRemarkOctets = kMaxTranscriptOctets / 4;

}  // namespace

TranscriptRecorder::TranscriptRecorder(Clock::time_point started) : started_(started) {}

double TranscriptRecorder::now() const {
  return std::chrono::duration<double>(Clock::now() - started_).count();
}

void TranscriptRecorder::client(int connection, std::string_view bytes, bool secret) {
  if (secret) {
    std::string redacted = "<redacted " + std::to_string(bytes.size()) + " octets>";
    traffic(connection, TranscriptEntry::Kind::client, redacted);
    return;
  }
  traffic(connection, TranscriptEntry::Kind::client, bytes);
}

void TranscriptRecorder::server(int connection, std::string_view bytes) {
  traffic(connection, TranscriptEntry::Kind::server, bytes);
}

void TranscriptRecorder::event(int connection, std::string text) {
  remark(connection, TranscriptEntry::Kind::event, std::move(text));
}

void TranscriptRecorder::note(std::string text) {
  remark(0, TranscriptEntry::Kind::note, std::move(text));
}

void TranscriptRecorder::traffic(int connection, TranscriptEntry::Kind kind,
                                 std::string_view bytes) {
  if (bytes.empty()) return;
  // Each entry costs its bytes plus a fixed share, so that a server sending
  // one byte per segment cannot make the transcript a million tiny entries.
  constexpr std::size_t kEntryCost = 64;
  const std::size_t left = kMaxTranscriptOctets - traffic_octets_;
  const std::size_t room = left > kEntryCost ? left - kEntryCost : 0;
  const std::size_t kept = std::min(room, bytes.size());
  dropped_octets_ += bytes.size() - kept;
  if (kept == 0) return;
  traffic_octets_ += kept + kEntryCost;
  TranscriptEntry entry;
  entry.at_seconds = now();
  entry.connection = connection;
  entry.kind = kind;
  entry.text.assign(bytes.substr(0, kept));
  entries_.push_back(std::move(entry));
}

void TranscriptRecorder::remark(int connection, TranscriptEntry::Kind kind, std::string text) {
  if (remark_octets_ + text.size() > kMaxRemarkOctets) {
    dropped_octets_ += text.size();
    return;
  }
  remark_octets_ += text.size();
  TranscriptEntry entry;
  entry.at_seconds = now();
  entry.connection = connection;
  entry.kind = kind;
  entry.text = std::move(text);
  entries_.push_back(std::move(entry));
}

std::vector<TranscriptEntry> TranscriptRecorder::take() {
  if (dropped_octets_ > 0) {
    TranscriptEntry entry;
    entry.at_seconds = now();
    entry.kind = TranscriptEntry::Kind::event;
    entry.text = "transcript truncated: " + std::to_string(dropped_octets_) + " octets not kept";
    entries_.push_back(std::move(entry));
  }
  return std::exchange(entries_, {});
}

}  // namespace smtp::check
