#include "fake-server/rules/greylist.hpp"

#include <algorithm>
#include <chrono>

namespace smtp::fake::rules {

namespace {

// Expired entries are swept every this many checks, so a quiet table does not
// keep triplets that were never retried.
constexpr std::uint64_t sweep_interval = 1024;

}  // namespace

bool Greylist::expired(const Entry& entry, Clock::time_point now) const {
  return now - entry.last_seen > settings_.expire;
}

Greylist::Verdict Greylist::check(std::string_view ip, std::string_view sender,
                                  std::string_view recipient, Clock::time_point now) {
  if (++checks_ % sweep_interval == 0) evict(now);

  Key key{std::string(ip), std::string(sender), std::string(recipient)};
  auto it = entries_.find(key);
  if (it != entries_.end() && expired(it->second, now)) {
    // Not seen for `expire`: forgotten, so this is a first sighting again.
    entries_.erase(it);
    it = entries_.end();
  }

  Verdict verdict;
  if (it == entries_.end()) {
    if (entries_.size() >= settings_.max_entries) evict(now);
    entries_.emplace(std::move(key), Entry{now, now, false});
    ++deferred_total_;
    verdict.first_seen = true;
    verdict.retry_in = settings_.delay;
    return verdict;
  }

  Entry& entry = it->second;
  entry.last_seen = now;
  if (!entry.passed) {
    // Retries do not restart the delay: it counts from the first attempt.
    const auto waited =
        std::chrono::duration_cast<std::chrono::milliseconds>(now - entry.first_seen);
    if (waited < settings_.delay) {
      ++deferred_total_;
      verdict.retry_in = settings_.delay - waited;
      return verdict;
    }
    entry.passed = true;
  }
  ++passed_total_;
  verdict.pass = true;
  return verdict;
}

void Greylist::evict(Clock::time_point now) {
  std::erase_if(entries_, [&](const auto& item) { return expired(item.second, now); });
  if (entries_.size() < settings_.max_entries) return;

  // Full of live entries: drop the least recently seen tenth (at least one) in
  // one pass, so a flood of new triplets costs one sort per tenth of the
  // table, not one scan per triplet.
  const std::size_t drop = entries_.size() - settings_.max_entries + 1 + settings_.max_entries / 10;
  std::vector<Clock::time_point> seen;
  seen.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) seen.push_back(entry.last_seen);
  if (drop >= seen.size()) {
    entries_.clear();
    return;
  }
  std::nth_element(seen.begin(), seen.begin() + static_cast<std::ptrdiff_t>(drop - 1), seen.end());
  const Clock::time_point cutoff = seen[drop - 1];
  // Fewer than `drop` entries are older than the cutoff; the rest come from
  // those last seen exactly at it.
  std::size_t dropped = 0;
  for (auto it = entries_.begin(); it != entries_.end() && dropped < drop;) {
    if (it->second.last_seen < cutoff) {
      it = entries_.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
  for (auto it = entries_.begin(); it != entries_.end() && dropped < drop;) {
    if (it->second.last_seen == cutoff) {
      it = entries_.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
}

Greylist::Counts Greylist::counts() const {
  Counts c;
  c.entries = entries_.size();
  c.passed = static_cast<std::size_t>(std::count_if(
      entries_.begin(), entries_.end(), [](const auto& item) { return item.second.passed; }));
  c.deferred_total = deferred_total_;
  c.passed_total = passed_total_;
  return c;
}

}  // namespace smtp::fake::rules
