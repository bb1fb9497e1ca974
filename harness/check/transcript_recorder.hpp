#pragma once
// The evidence of one check (ARCHITECTURE.md §2, check step 4: every verdict
// carries its transcript): the bytes of every connection in both directions, the
// runner's events and the check's notes, stamped with the time since the
// check started.
//
// Bounded: a hostile server (or a check that sends 1 MiB lines, L2) must not
// make a transcript grow without limit. Traffic keeps at most
// kMaxTranscriptOctets octets; events and notes, which the runner and the
// check write, get a budget of their own (a quarter of it), so that the
// events that explain the end of a check survive a flood of traffic. What
// does not fit is counted and dropped, and the result says so.
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "check/check_result.hpp"

namespace smtp::check {

class TranscriptRecorder {
 public:
  using Clock = std::chrono::steady_clock;

  explicit TranscriptRecorder(Clock::time_point started);

  // Bytes the harness wrote. Secret ones (credentials) are replaced by
  // "<redacted N octets>" (ARCHITECTURE.md §6: credentials never appear in
  // transcripts).
  void client(int connection, std::string_view bytes, bool secret = false);
  // Bytes the target sent, as read.
  void server(int connection, std::string_view bytes);
  // What happened to a connection: connected, TLS, closed, a timeout ...
  void event(int connection, std::string text);
  // The check's own remark (t:note).
  void note(std::string text);

  bool truncated() const { return dropped_octets_ > 0; }
  std::size_t dropped_octets() const { return dropped_octets_; }

  // The entries, in time order; with a last event saying how much was
  // dropped when anything was.
  std::vector<TranscriptEntry> take();

 private:
  double now() const;
  void traffic(int connection, TranscriptEntry::Kind kind, std::string_view bytes);
  void remark(int connection, TranscriptEntry::Kind kind, std::string text);

  Clock::time_point started_;
  std::vector<TranscriptEntry> entries_;
  std::size_t traffic_octets_ = 0;
  std::size_t remark_octets_ = 0;
  std::size_t dropped_octets_ = 0;
};

}  // namespace smtp::check
