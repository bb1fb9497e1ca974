#pragma once
// A log-linear latency histogram (ARCHITECTURE.md §4): one per phase and reply
// class, mergeable exactly across workers and across result files.
//
// Layout (HdrHistogram-style, fixed for every instance so shards always merge):
//   bucket 0          underflow: values in [0, 512 ns), below the clock and
//                     network resolution that matters for SMTP latency
//   buckets 1..4178   each power-of-two range [2^e, 2^(e+1)), e = 9..41, split
//                     into 2^7 = 128 linear sub-buckets of width 2^(e-7),
//                     the last range ending with the bucket that holds 1 h
//   highest trackable 1 hour; a larger value is counted in overflow() and
//                     recorded as if it were 1 hour (min/max/mean keep the
//                     true value)
//
// Error bound. A value v >= 512 ns lies in a bucket [lo, lo + w) with
// lo >= 2^e and w = 2^(e-7), so w / lo <= 2^-7. quantile() reports the
// bucket's midpoint lo + w/2, so |midpoint - v| <= w/2 and the relative error
// is at most (w/2) / lo <= 2^-8 < 0.40%, well inside the 1% ARCHITECTURE.md §4 asks
// (the upper bound would give < 0.79%; 64 sub-buckets with the midpoint also
// fit, but the spare margin costs only 17 KB more per histogram). The result
// is then clamped to [min(), max()]: the true value is inside that interval,
// and clamping onto an interval containing v never moves a point away from
// v, so the bound survives. The first and last ranks (p0, p100) return the
// exactly tracked min() and max() instead of a midpoint. The bound
// does not hold for a quantile that lands in the underflow (absolute error
// < 512 ns) or in the overflow (the true value is only known to be > 1 h);
// underflow() and overflow() let a report say so.
//
// Memory: 4179 counters (33.4 KB), allocated once in the constructor;
// record() is O(1) and never allocates.
#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace smtp::load {

class Histogram {
 public:
  // The layout, in nanoseconds. Serialised with every histogram so that a
  // file written by a build with another layout is refused, not misread.
  static constexpr unsigned kSubBucketBits = 7;
  static constexpr std::uint64_t kLowestTrackable = std::uint64_t{1} << 9;  // 512 ns
  static constexpr std::uint64_t kHighestTrackable = 3'600'000'000'000;     // 1 h
  static constexpr std::uint32_t kUnderflowBucket = 0;

  // Bucket arithmetic, public so that reports can draw the buckets.
  // bucket_index() clamps values above kHighestTrackable to its bucket.
  static std::uint32_t bucket_index(std::uint64_t value);
  static std::uint64_t bucket_lowest(std::uint32_t index);   // smallest value in the bucket
  static std::uint64_t bucket_highest(std::uint32_t index);  // largest value in the bucket
  static std::uint32_t bucket_count();

  // The nearest-rank definition of a quantile: the rank (1-based, in
  // [1, count]) of the value quantile(q) reports. q <= 0 and NaN give 1,
  // q >= 1 gives count. count must be > 0.
  static std::uint64_t rank_of(double q, std::uint64_t count);

  // The compact form for the JSON result file: non-empty buckets in
  // increasing index order. The 128-bit sum is split in two halves because
  // JSON numbers cannot carry it.
  struct Sparse {
    unsigned sub_bucket_bits = kSubBucketBits;
    std::uint64_t lowest_trackable = kLowestTrackable;
    std::uint64_t highest_trackable = kHighestTrackable;
    std::vector<std::pair<std::uint32_t, std::uint64_t>> buckets;  // (index, count)
    std::uint64_t count = 0;
    std::uint64_t min = 0;
    std::uint64_t max = 0;
    std::uint64_t sum_high = 0;  // sum = sum_high * 2^64 + sum_low
    std::uint64_t sum_low = 0;
    std::uint64_t overflow = 0;

    bool operator==(const Sparse&) const = default;
  };

  Histogram();

  // Records `count` occurrences of `nanoseconds`. A count of 0 records nothing.
  void record(std::uint64_t nanoseconds, std::uint64_t count = 1);
  // A negative duration (a clock that stepped back) is recorded as 0.
  void record(std::chrono::nanoseconds duration, std::uint64_t count = 1);

  // Bucket-wise sum: merging shards gives exactly the histogram of recording
  // every value into one, in any order.
  void merge(const Histogram& other);
  void reset();

  // An empty histogram reports 0 for every one of these.
  std::uint64_t count() const { return count_; }
  std::uint64_t min() const { return count_ == 0 ? 0 : min_; }
  std::uint64_t max() const { return max_; }
  double mean() const;  // from the exact 128-bit sum
  std::uint64_t quantile(double q) const;
  std::uint64_t underflow() const { return counts_[kUnderflowBucket]; }
  std::uint64_t overflow() const { return overflow_; }
  std::uint64_t count_at(std::uint32_t index) const { return counts_.at(index); }

  Sparse to_sparse() const;
  // nullopt for a layout mismatch, an index out of range or out of order, a
  // zero count, counts that do not add up to `count`, or min, max, sum or
  // overflow that disagree with the buckets.
  static std::optional<Histogram> from_sparse(const Sparse& sparse);

  bool operator==(const Histogram&) const = default;

 private:
  // GCC and Clang's 128-bit integer: the sum of up to 2^64 values below 2^64
  // is exact in it. __extension__ keeps -Wpedantic quiet about the type.
  __extension__ typedef unsigned __int128 Sum;

  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t min_ = UINT64_MAX;  // UINT64_MAX while empty, so merge needs no branch
  std::uint64_t max_ = 0;
  Sum sum_ = 0;
  std::uint64_t overflow_ = 0;
};

}  // namespace smtp::load
