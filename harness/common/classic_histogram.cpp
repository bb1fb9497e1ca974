#include "common/classic_histogram.hpp"

#include <algorithm>

namespace smtp::common {

ClassicHistogram::ClassicHistogram(std::span<const double> bounds)
    : bounds_(bounds.begin(), bounds.end()), counts_(bounds.size(), 0) {}

void ClassicHistogram::observe(double value) {
  // The first bound at or above the value; past the last one only +Inf
  // (count_) holds it.
  const auto at = std::lower_bound(bounds_.begin(), bounds_.end(), value);
  if (at != bounds_.end()) ++counts_[static_cast<std::size_t>(at - bounds_.begin())];
  ++count_;
  sum_ += value;
}

std::vector<std::uint64_t> ClassicHistogram::cumulative() const {
  std::vector<std::uint64_t> out(counts_.size());
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    running += counts_[i];
    out[i] = running;
  }
  return out;
}

}  // namespace smtp::common
