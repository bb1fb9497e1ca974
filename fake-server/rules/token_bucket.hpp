#pragma once
// A token bucket (rate limit that responds to load): `rate` tokens per second
// flow in up to `burst`; each event takes one. An event that finds the bucket
// empty is over the limit. Time is passed in, so tests need no clock.
#include <chrono>

namespace smtp::fake::rules {

struct TokenBucket {
  using Clock = std::chrono::steady_clock;
  double tokens = -1;  // < 0: not started, starts full
  Clock::time_point last{};

  // Refills for the time since the last call, then takes one token.
  // Returns false when there was none (the event is over the limit).
  bool take(double rate_per_second, double burst, Clock::time_point now);
};

}  // namespace smtp::fake::rules
