#pragma once
// Greylisting (the classic one, as postgrey does it): the first RCPT of an
// (ip, sender, recipient) triplet is deferred with a 4xx; a retry of the same
// triplet after `delay` passes, and the triplet then passes at once until it
// has not been seen for `expire`. A triplet never retried is forgotten after
// `expire` too. The table is bounded: past `max_entries` the oldest entry
// goes, so a flood of random senders cannot grow it without limit.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "fake-server/rules/reply_spec.hpp"

namespace smtp::fake::rules {

struct GreylistSettings {
  std::chrono::milliseconds delay{std::chrono::seconds(300)};
  std::chrono::milliseconds expire{std::chrono::hours(4)};
  std::size_t max_entries = 100000;
  // RFC 6647 §2.1 / RFC 3463 §3.8: 4.7.1 "delivery not authorized" is the
  // usual temporary refusal of greylisting.
  ReplySpec reply{450, proto::EnhancedCode{4, 7, 1}, {"Greylisted, try again later"}};
  std::string source;  // "file:line" of greylist { }
};

class Greylist {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Greylist(GreylistSettings settings) : settings_(std::move(settings)) {}

  struct Verdict {
    bool pass = false;
    bool first_seen = false;                // deferred for the first time
    std::chrono::milliseconds retry_in{0};  // when deferred: the rest of the delay
  };
  Verdict check(std::string_view ip, std::string_view sender, std::string_view recipient,
                Clock::time_point now);

  struct Counts {
    std::size_t entries = 0;  // triplets known now
    std::size_t passed = 0;   // of which, have passed
    std::uint64_t deferred_total = 0, passed_total = 0;
  };
  Counts counts() const;
  const GreylistSettings& settings() const { return settings_; }

 private:
  struct Entry {
    Clock::time_point first_seen, last_seen;
    bool passed = false;
  };
  using Key = std::tuple<std::string, std::string, std::string>;
  bool expired(const Entry& entry, Clock::time_point now) const;
  // Drops expired entries and, when the table is full, the least recently
  // seen ones, so that a new entry fits.
  void evict(Clock::time_point now);

  GreylistSettings settings_;
  std::map<Key, Entry> entries_;
  std::uint64_t deferred_total_ = 0, passed_total_ = 0;
  std::uint64_t checks_ = 0;  // evict() runs every so many checks
};

}  // namespace smtp::fake::rules
