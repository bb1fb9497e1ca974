#pragma once
// The classic Prometheus histogram `load --metrics` serves for each
// latency (README, "Prometheus metrics"), derived from the log-linear
// Histogram. One fixed layout for every phase, every shard and every run,
// so that buckets of the same `le` add up across shards.
//
// A log-linear bucket is counted under `le = b` when its largest value is
// at most b. A bucket that straddles b (its values are at most 0.79% apart,
// histogram.hpp) is counted under the next bound: `le = b` may miss values
// in the last 0.79% below b, and never counts one above it. Values above
// the last bound (60 s) are in `+Inf` only. Standard library only.
#include <array>
#include <cstdint>
#include <vector>

#include "load/histogram.hpp"

namespace smtp::load {

// Upper bounds in seconds.
inline constexpr std::array<double, 16> kLatencyBucketBounds = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

struct ClassicBuckets {
  std::vector<std::uint64_t> cumulative;  // one per kLatencyBucketBounds entry
  std::uint64_t count = 0;                // the +Inf bucket
  double sum_seconds = 0;
};

ClassicBuckets classic_buckets(const Histogram& histogram);

}  // namespace smtp::load
