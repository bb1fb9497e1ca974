#include "load/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace smtp::load {
namespace {

constexpr unsigned kLowestExponent = std::bit_width(Histogram::kLowestTrackable) - 1;  // 9
constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << Histogram::kSubBucketBits;

static_assert(std::has_single_bit(Histogram::kLowestTrackable),
              "power-of-two ranges start at the lowest trackable value");
static_assert(kLowestExponent >= Histogram::kSubBucketBits,
              "a sub-bucket must be at least 1 ns wide");

// The bucket of a value in [kLowestTrackable, kHighestTrackable]: which
// power-of-two range (its highest set bit, e) and, within it, which of the
// 2^kSubBucketBits linear slices (the kSubBucketBits bits below that one).
constexpr std::uint32_t tracked_index(std::uint64_t value) {
  const unsigned exponent = std::bit_width(value) - 1;
  const std::uint64_t slice = (value >> (exponent - Histogram::kSubBucketBits)) - kSubBuckets;
  return static_cast<std::uint32_t>(1 + (exponent - kLowestExponent) * kSubBuckets + slice);
}

constexpr std::uint32_t kBucketCount = tracked_index(Histogram::kHighestTrackable) + 1;
constexpr std::uint32_t kTopBucket = kBucketCount - 1;

// The value a bucket stands for in quantile(): its midpoint (see the error
// bound in the header). The underflow bucket's is 256 ns.
std::uint64_t representative(std::uint32_t index) {
  const std::uint64_t low = Histogram::bucket_lowest(index);
  const std::uint64_t width = Histogram::bucket_highest(index) - low + 1;
  return low + width / 2;
}

}  // namespace

std::uint32_t Histogram::bucket_index(std::uint64_t value) {
  if (value < kLowestTrackable) return kUnderflowBucket;
  return tracked_index(std::min(value, kHighestTrackable));
}

std::uint64_t Histogram::bucket_lowest(std::uint32_t index) {
  if (index == kUnderflowBucket) return 0;
  const std::uint64_t position = index - 1;
  const unsigned exponent = kLowestExponent + static_cast<unsigned>(position / kSubBuckets);
  const std::uint64_t slice = position % kSubBuckets;
  return (kSubBuckets + slice) << (exponent - kSubBucketBits);
}

std::uint64_t Histogram::bucket_highest(std::uint32_t index) {
  if (index == kUnderflowBucket) return kLowestTrackable - 1;
  const std::uint64_t position = index - 1;
  const unsigned exponent = kLowestExponent + static_cast<unsigned>(position / kSubBuckets);
  return bucket_lowest(index) + (std::uint64_t{1} << (exponent - kSubBucketBits)) - 1;
}

std::uint32_t Histogram::bucket_count() {
  return kBucketCount;
}

std::uint64_t Histogram::rank_of(double q, std::uint64_t count) {
  if (!(q > 0.0)) return 1;  // also NaN
  const auto n = static_cast<double>(count);
  const double rank = std::ceil(q * n);
  // rank < n <= 2^64 here, so the conversion is defined.
  if (q >= 1.0 || rank >= n) return count;
  return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(rank));
}

Histogram::Histogram() : counts_(kBucketCount, 0) {}

void Histogram::record(std::uint64_t nanoseconds, std::uint64_t count) {
  if (count == 0) return;
  counts_[bucket_index(nanoseconds)] += count;
  count_ += count;
  min_ = std::min(min_, nanoseconds);
  max_ = std::max(max_, nanoseconds);
  sum_ += static_cast<Sum>(nanoseconds) * count;  // < 2^128: exact
  if (nanoseconds > kHighestTrackable) overflow_ += count;
}

void Histogram::record(std::chrono::nanoseconds duration, std::uint64_t count) {
  record(static_cast<std::uint64_t>(std::max<std::chrono::nanoseconds::rep>(0, duration.count())),
         count);
}

void Histogram::merge(const Histogram& other) {
  for (std::uint32_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
  overflow_ += other.overflow_;
}

void Histogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
  sum_ = 0;
  overflow_ = 0;
}

double Histogram::mean() const {
  if (count_ == 0) return 0.0;
  return static_cast<double>(static_cast<long double>(sum_) / static_cast<long double>(count_));
}

std::uint64_t Histogram::quantile(double q) const {
  if (count_ == 0) return 0;
  const std::uint64_t rank = rank_of(q, count_);
  // The extremes are known exactly; a bucket's midpoint could miss them.
  if (rank == 1) return min_;
  if (rank == count_) return max_;
  std::uint64_t seen = 0;
  std::uint32_t index = 0;
  for (; index < kBucketCount; ++index) {
    seen += counts_[index];
    if (seen >= rank) break;
  }
  return std::clamp(representative(index), min_, max_);
}

Histogram::Sparse Histogram::to_sparse() const {
  Sparse sparse;
  for (std::uint32_t i = 0; i < kBucketCount; ++i) {
    if (counts_[i] != 0) sparse.buckets.emplace_back(i, counts_[i]);
  }
  sparse.count = count_;
  sparse.min = min();
  sparse.max = max_;
  sparse.sum_high = static_cast<std::uint64_t>(sum_ >> 64);
  sparse.sum_low = static_cast<std::uint64_t>(sum_);
  sparse.overflow = overflow_;
  return sparse;
}

std::optional<Histogram> Histogram::from_sparse(const Sparse& sparse) {
  if (sparse.sub_bucket_bits != kSubBucketBits || sparse.lowest_trackable != kLowestTrackable ||
      sparse.highest_trackable != kHighestTrackable) {
    return std::nullopt;
  }
  const Sum sum = (static_cast<Sum>(sparse.sum_high) << 64) | sparse.sum_low;
  if (sparse.buckets.empty()) {
    const bool all_zero =
        sparse.count == 0 && sparse.min == 0 && sparse.max == 0 && sum == 0 && sparse.overflow == 0;
    if (!all_zero) return std::nullopt;
    return Histogram{};
  }
  if (sparse.min > sparse.max) return std::nullopt;

  Histogram h;
  // Each value of bucket i lies in [max(lowest_i, min), min(highest_i, max)],
  // except that overflowed values in the top bucket reach up to max; the sum
  // must lie between those bounds summed. Neither bound can exceed 2^128:
  // the counts add up to at most 2^64 - 1 and each value is below 2^64.
  Sum least = 0;
  Sum most = 0;
  std::uint64_t total = 0;
  std::optional<std::uint32_t> previous;
  for (const auto& [index, count] : sparse.buckets) {
    if (index >= kBucketCount || count == 0) return std::nullopt;
    if (previous && index <= *previous) return std::nullopt;
    previous = index;
    if (total > UINT64_MAX - count) return std::nullopt;
    total += count;
    h.counts_[index] = count;
    const std::uint64_t low = std::max(bucket_lowest(index), sparse.min);
    const std::uint64_t high =
        index == kTopBucket ? sparse.max : std::min(bucket_highest(index), sparse.max);
    if (low > high) return std::nullopt;
    least += static_cast<Sum>(low) * count;
    most += static_cast<Sum>(high) * count;
  }
  if (total != sparse.count) return std::nullopt;
  if (bucket_index(sparse.min) != sparse.buckets.front().first ||
      bucket_index(sparse.max) != sparse.buckets.back().first) {
    return std::nullopt;
  }
  if (sum < least || sum > most) return std::nullopt;
  // Overflowed values are exactly those above the highest trackable value.
  const bool max_overflowed = sparse.max > kHighestTrackable;
  if (max_overflowed != (sparse.overflow > 0) || sparse.overflow > h.counts_[kTopBucket]) {
    return std::nullopt;
  }
  h.count_ = sparse.count;
  h.min_ = sparse.min;
  h.max_ = sparse.max;
  h.sum_ = sum;
  h.overflow_ = sparse.overflow;
  return h;
}

}  // namespace smtp::load
