#include "fake-server/rules/token_bucket.hpp"

#include <algorithm>

namespace smtp::fake::rules {

bool TokenBucket::take(double rate_per_second, double burst, Clock::time_point now) {
  if (tokens < 0) {
    // A bucket starts full: the first `burst` events pass at once.
    tokens = burst;
    last = now;
  } else if (now > last) {
    const std::chrono::duration<double> elapsed = now - last;
    tokens = std::min(burst, tokens + rate_per_second * elapsed.count());
    last = now;
  }
  if (tokens >= 1) {
    tokens -= 1;
    return true;
  }
  return false;
}

}  // namespace smtp::fake::rules
