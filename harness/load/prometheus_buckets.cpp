#include "load/prometheus_buckets.hpp"

#include <algorithm>

namespace smtp::load {

ClassicBuckets classic_buckets(const Histogram& histogram) {
  std::array<std::uint64_t, kLatencyBucketBounds.size()> bound_ns{};
  for (std::size_t j = 0; j < bound_ns.size(); ++j)
    bound_ns[j] = static_cast<std::uint64_t>(kLatencyBucketBounds[j] * 1e9 + 0.5);
  ClassicBuckets out;
  out.cumulative.assign(bound_ns.size(), 0);
  if (histogram.count() > 0) {
    for (std::uint32_t i = 0; i < Histogram::bucket_count(); ++i) {
      const auto n = histogram.count_at(i);
      if (n == 0) continue;
      // The first bound at or above the bucket's largest value.
      const auto at =
          std::lower_bound(bound_ns.begin(), bound_ns.end(), Histogram::bucket_highest(i));
      if (at != bound_ns.end())
        out.cumulative[static_cast<std::size_t>(at - bound_ns.begin())] += n;
    }
    // The largest value's bucket holds the overflow too (histogram.hpp):
    // above every bound, so it is in +Inf only, as above.
    for (std::size_t j = 1; j < out.cumulative.size(); ++j)
      out.cumulative[j] += out.cumulative[j - 1];
  }
  out.count = histogram.count();
  out.sum_seconds = histogram.mean() * static_cast<double>(histogram.count()) / 1e9;
  return out;
}

}  // namespace smtp::load
