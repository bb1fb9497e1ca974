#include "load/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace smtp::load::histogram_test {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kHour = 3'600'000'000'000;
constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
constexpr double kQuantiles[] = {0.0,  0.0001, 0.001, 0.01, 0.05,  0.1,    0.25,    0.5,
                                 0.75, 0.9,    0.95,  0.99, 0.999, 0.9999, 0.99999, 1.0};

// The exact nearest-rank quantile of the recorded values, the reference the
// histogram is judged against.
std::uint64_t exact_quantile(const std::vector<std::uint64_t>& sorted, double q) {
  return sorted[Histogram::rank_of(q, sorted.size()) - 1];
}

// The documented bound: within 2^-8 of the exact value (so within 1%).
bool within_bound(std::uint64_t reported, std::uint64_t exact) {
  const std::uint64_t error = reported > exact ? reported - exact : exact - reported;
  return error <= exact / 256;
}

Histogram record_all(const std::vector<std::uint64_t>& values) {
  Histogram h;
  for (auto v : values) h.record(v);
  return h;
}

// Checks every quantile against the exact one, and min/max/mean/count.
void expect_matches_exact(std::vector<std::uint64_t> values, const std::string& name) {
  const Histogram h = record_all(values);
  std::sort(values.begin(), values.end());
  ASSERT_EQ(h.count(), values.size()) << name;
  EXPECT_EQ(h.min(), values.front()) << name;
  EXPECT_EQ(h.max(), values.back()) << name;
  long double sum = 0;  // exact: every sum in these tests stays below 2^64
  for (auto v : values) sum += static_cast<long double>(v);
  EXPECT_DOUBLE_EQ(h.mean(), static_cast<double>(sum / values.size())) << name;
  EXPECT_EQ(h.quantile(0.0), values.front()) << name;
  EXPECT_EQ(h.quantile(1.0), values.back()) << name;
  for (double q : kQuantiles) {
    const std::uint64_t exact = exact_quantile(values, q);
    const std::uint64_t reported = h.quantile(q);
    EXPECT_TRUE(within_bound(reported, exact))
        << name << " q=" << q << " exact=" << exact << " reported=" << reported;
  }
  // Finer sweep: every 1/1000.
  for (int i = 0; i <= 1000; ++i) {
    const double q = i / 1000.0;
    const std::uint64_t exact = exact_quantile(values, q);
    ASSERT_TRUE(within_bound(h.quantile(q), exact)) << name << " q=" << q;
  }
}

std::mt19937_64 seeded() {
  return std::mt19937_64(20240605);
}

std::vector<std::uint64_t> uniform_values(std::uint64_t low, std::uint64_t high, int n) {
  auto rng = seeded();
  std::uniform_int_distribution<std::uint64_t> dist(low, high);
  std::vector<std::uint64_t> values;
  for (int i = 0; i < n; ++i) values.push_back(dist(rng));
  return values;
}

std::vector<std::uint64_t> exponential_values(double mean_ns, int n) {
  auto rng = seeded();
  std::exponential_distribution<double> dist(1.0 / mean_ns);
  std::vector<std::uint64_t> values;
  for (int i = 0; i < n; ++i) values.push_back(1000 + static_cast<std::uint64_t>(dist(rng)));
  return values;
}

// A fast path (~2 ms) and a slow one (~800 ms, e.g. greylisting or a DNS
// timeout), log-normally spread: the shape SMTP latencies tend to have.
std::vector<std::uint64_t> bimodal_values(int n) {
  auto rng = seeded();
  std::lognormal_distribution<double> fast(std::log(2e6), 0.3);
  std::lognormal_distribution<double> slow(std::log(8e8), 0.5);
  std::bernoulli_distribution pick_slow(0.07);
  std::vector<std::uint64_t> values;
  for (int i = 0; i < n; ++i) {
    const double v = pick_slow(rng) ? slow(rng) : fast(rng);
    values.push_back(std::clamp<std::uint64_t>(static_cast<std::uint64_t>(v), 512, kHour));
  }
  return values;
}

TEST(HistogramLayout, BucketsTileTheTrackedRangeWithoutGaps) {
  const std::uint32_t n = Histogram::bucket_count();
  EXPECT_EQ(Histogram::bucket_lowest(0), 0u);
  EXPECT_EQ(Histogram::bucket_highest(0), Histogram::kLowestTrackable - 1);
  for (std::uint32_t i = 1; i < n; ++i) {
    ASSERT_EQ(Histogram::bucket_lowest(i), Histogram::bucket_highest(i - 1) + 1) << i;
    ASSERT_EQ(Histogram::bucket_index(Histogram::bucket_lowest(i)), i);
    ASSERT_EQ(Histogram::bucket_index(Histogram::bucket_highest(i)), i);
  }
  EXPECT_LE(Histogram::bucket_lowest(n - 1), kHour);
  EXPECT_GE(Histogram::bucket_highest(n - 1), kHour);
  EXPECT_EQ(Histogram::bucket_index(kHour + 1), n - 1);
  EXPECT_EQ(Histogram::bucket_index(kMax), n - 1);
}

TEST(HistogramLayout, EveryBucketIsNarrowerThan1In128OfItsLowestValue) {
  for (std::uint32_t i = 1; i < Histogram::bucket_count(); ++i) {
    const std::uint64_t low = Histogram::bucket_lowest(i);
    const std::uint64_t width = Histogram::bucket_highest(i) - low + 1;
    ASSERT_LE(width * 128, low) << i;
  }
}

TEST(HistogramLayout, MemoryIsAboutThirtyFourKilobytes) {
  // 33 power-of-two ranges (2^9 .. 2^41) of 128 sub-buckets, cut at 1 hour.
  EXPECT_EQ(Histogram::bucket_count(), 4179u);
}

TEST(HistogramRank, NearestRankDefinition) {
  EXPECT_EQ(Histogram::rank_of(0.0, 100), 1u);
  EXPECT_EQ(Histogram::rank_of(0.001, 100), 1u);
  EXPECT_EQ(Histogram::rank_of(0.5, 100), 50u);
  EXPECT_EQ(Histogram::rank_of(0.505, 100), 51u);
  EXPECT_EQ(Histogram::rank_of(0.99, 100), 99u);
  EXPECT_EQ(Histogram::rank_of(1.0, 100), 100u);
  EXPECT_EQ(Histogram::rank_of(0.5, 1), 1u);
  EXPECT_EQ(Histogram::rank_of(-1.0, 100), 1u);
  EXPECT_EQ(Histogram::rank_of(2.0, 100), 100u);
  EXPECT_EQ(Histogram::rank_of(std::nan(""), 100), 1u);
  EXPECT_EQ(Histogram::rank_of(0.5, kMax), std::uint64_t{1} << 63);  // kMax is 2^64 as a double
  EXPECT_EQ(Histogram::rank_of(1.0, kMax), kMax);
}

TEST(HistogramQuantile, EveryBucketsMidpointIsWithinTheBoundOfEveryValueInIt) {
  // One value per probe, between a tiny and a huge one so that clamping to
  // [min, max] does not help: the bucket's representative alone is judged.
  Histogram h;
  for (std::uint32_t i = 1; i < Histogram::bucket_count(); ++i) {
    const std::uint64_t low = Histogram::bucket_lowest(i);
    const std::uint64_t high = std::min(Histogram::bucket_highest(i), kHour);
    for (std::uint64_t v : {low, low + (high - low) / 2, high}) {
      h.reset();
      h.record(1);
      h.record(v);
      h.record(kHour);
      ASSERT_TRUE(within_bound(h.quantile(0.5), v)) << "bucket " << i << " value " << v;
    }
  }
}

TEST(HistogramQuantile, Uniform) {
  expect_matches_exact(uniform_values(1'000, 10'000'000'000, 100'000), "uniform 1us..10s");
  expect_matches_exact(uniform_values(512, kHour, 50'000), "uniform 512ns..1h");
  expect_matches_exact(uniform_values(1'000'000, 1'100'000, 20'000), "uniform narrow");
}

TEST(HistogramQuantile, Exponential) {
  expect_matches_exact(exponential_values(5e6, 100'000), "exponential mean 5ms");
  expect_matches_exact(exponential_values(2e3, 50'000), "exponential mean 2us");
}

TEST(HistogramQuantile, Bimodal) {
  expect_matches_exact(bimodal_values(100'000), "bimodal");
}

TEST(HistogramQuantile, ConstantIsReportedExactly) {
  for (std::uint64_t v : std::vector<std::uint64_t>{1'000, 1'234'567, 999'999'999, kHour}) {
    Histogram h;
    h.record(v, 1000);
    for (double q : kQuantiles) EXPECT_EQ(h.quantile(q), v) << v << " q=" << q;
    EXPECT_EQ(h.mean(), static_cast<double>(v));
  }
}

TEST(HistogramQuantile, ValuesAtBucketEdges) {
  std::vector<std::uint64_t> values;
  for (std::uint32_t i = 1; i < Histogram::bucket_count(); i += 7) {
    values.push_back(Histogram::bucket_lowest(i));
    values.push_back(std::min(Histogram::bucket_highest(i), kHour));
  }
  expect_matches_exact(values, "bucket edges");
}

TEST(HistogramQuantile, EveryPowerOfTwoAndItsNeighbours) {
  std::vector<std::uint64_t> values;
  for (unsigned e = 9; e <= 41; ++e) {
    const std::uint64_t p = std::uint64_t{1} << e;
    values.insert(values.end(), {p - 1, p, p + 1});
  }
  expect_matches_exact(values, "powers of two");
  for (unsigned e = 9; e <= 41; ++e) {
    Histogram h;
    h.record(std::uint64_t{1} << e);
    EXPECT_EQ(h.quantile(0.5), std::uint64_t{1} << e) << e;  // a single value: min = max
  }
}

TEST(HistogramQuantile, PicksTheNearestRanksBucketMidpoint) {
  Histogram h;
  for (std::uint64_t v = 1'000; v <= 10'000; v += 1'000) h.record(v);
  EXPECT_EQ(h.quantile(0.1), 1'000u);    // rank 1: min itself
  EXPECT_EQ(h.quantile(0.11), 2'004u);   // rank 2: 2000 is in [2000, 2007]
  EXPECT_EQ(h.quantile(0.5), 5'008u);    // rank 5: 5000 is in [4992, 5023]
  EXPECT_EQ(h.quantile(0.51), 6'000u);   // rank 6: 6000 is in [5984, 6015]
  EXPECT_EQ(h.quantile(0.95), 10'000u);  // rank 10: max itself
}

TEST(HistogramQuantile, ExtremesAreMinAndMaxExactly) {
  Histogram h;
  h.record(1'234'567);
  h.record(7'654'321'987);
  h.record(42'000'000, 500);
  EXPECT_EQ(h.quantile(0.0), 1'234'567u);
  EXPECT_EQ(h.quantile(1.0), 7'654'321'987u);
  EXPECT_EQ(h.quantile(-3.0), 1'234'567u);
  EXPECT_EQ(h.quantile(std::nan("")), 1'234'567u);
  EXPECT_EQ(h.quantile(7.0), 7'654'321'987u);
}

TEST(HistogramRecord, CountRecordsThatManyAndZeroRecordsNothing) {
  Histogram repeated;
  for (int i = 0; i < 5; ++i) repeated.record(123'456);
  Histogram counted;
  counted.record(123'456, 5);
  EXPECT_EQ(counted, repeated);

  Histogram nothing;
  nothing.record(99, 0);
  EXPECT_EQ(nothing, Histogram{});
  EXPECT_EQ(nothing.min(), 0u);
}

TEST(HistogramRecord, DurationsAreNanosecondsAndNegativeOnesAreZero) {
  Histogram from_duration;
  from_duration.record(1h);
  from_duration.record(250ms);
  from_duration.record(-5ns);
  Histogram from_integer;
  from_integer.record(kHour);
  from_integer.record(250'000'000);
  from_integer.record(0);
  EXPECT_EQ(from_duration, from_integer);
  EXPECT_EQ(from_duration.min(), 0u);
  EXPECT_EQ(from_duration.underflow(), 1u);
}

TEST(HistogramRecord, UnderflowIsBelow512Nanoseconds) {
  Histogram h;
  h.record(0);
  h.record(1);
  h.record(511);
  h.record(512);
  h.record(1'000);
  EXPECT_EQ(h.underflow(), 3u);
  EXPECT_EQ(h.overflow(), 0u);
  EXPECT_EQ(h.count(), 5u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.quantile(0.4), 256u);  // the underflow bucket's midpoint
  EXPECT_EQ(h.quantile(0.8), 514u);  // the midpoint of 512's bucket, [512, 515]
}

TEST(HistogramRecord, OverflowIsCountedAndMinMaxMeanKeepTrueValues) {
  Histogram h;
  h.record(kHour);
  EXPECT_EQ(h.overflow(), 0u);
  h.record(kHour + 1);
  h.record(kMax, 2);
  EXPECT_EQ(h.overflow(), 3u);
  EXPECT_EQ(h.count_at(Histogram::bucket_count() - 1), 4u);
  EXPECT_EQ(h.max(), kMax);
  EXPECT_EQ(h.quantile(1.0), kMax);
  EXPECT_EQ(h.min(), kHour);
  // The 128-bit sum does not wrap: (1h + 1h+1 + 2·(2^64-1)) / 4.
  const long double sum = 2.0L * kHour + 1 + 2.0L * static_cast<long double>(kMax);
  EXPECT_DOUBLE_EQ(h.mean(), static_cast<double>(sum / 4));
}

TEST(HistogramEmpty, ReportsZeroEverywhere) {
  const Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
  for (double q : kQuantiles) EXPECT_EQ(h.quantile(q), 0u);
  EXPECT_EQ(h.underflow(), 0u);
  EXPECT_EQ(h.overflow(), 0u);
}

TEST(HistogramReset, ReturnsToEmpty) {
  Histogram h = record_all(bimodal_values(1'000));
  h.record(kMax);
  h.reset();
  EXPECT_EQ(h, Histogram{});
  h.record(700);
  EXPECT_EQ(h.min(), 700u);  // min tracking restarted too
}

// Splits `values` into `shards` histograms, each value to a random shard.
std::vector<Histogram> shard(const std::vector<std::uint64_t>& values, std::size_t shards) {
  std::vector<Histogram> out(shards);
  auto rng = seeded();
  std::uniform_int_distribution<std::size_t> pick(0, shards - 1);
  for (auto v : values) out[pick(rng)].record(v);
  return out;
}

void expect_same_everywhere(const Histogram& merged, const Histogram& whole) {
  EXPECT_EQ(merged, whole);  // every bucket, count, min, max, sum, overflow
  for (std::uint32_t i = 0; i < Histogram::bucket_count(); ++i) {
    ASSERT_EQ(merged.count_at(i), whole.count_at(i)) << i;
  }
  for (double q : kQuantiles) EXPECT_EQ(merged.quantile(q), whole.quantile(q)) << q;
  EXPECT_EQ(merged.mean(), whole.mean());
}

TEST(HistogramMerge, ShardsMergeToTheWholeInAnyOrder) {
  auto values = bimodal_values(50'000);
  values.push_back(0);     // an underflow
  values.push_back(kMax);  // an overflow
  const Histogram whole = record_all(values);
  const auto shards = shard(values, 7);

  Histogram forward;
  for (const auto& s : shards) forward.merge(s);
  expect_same_everywhere(forward, whole);

  Histogram backward;
  for (auto it = shards.rbegin(); it != shards.rend(); ++it) backward.merge(*it);
  expect_same_everywhere(backward, whole);

  // Pairwise, as workers would combine in a tree.
  std::vector<Histogram> level = shards;
  while (level.size() > 1) {
    std::vector<Histogram> next;
    for (std::size_t i = 0; i + 1 < level.size(); i += 2) {
      next.push_back(level[i]);
      next.back().merge(level[i + 1]);
    }
    if (level.size() % 2 == 1) next.push_back(level.back());
    level = std::move(next);
  }
  expect_same_everywhere(level.front(), whole);

  // Into a non-empty shard, in a shuffled order.
  std::vector<std::size_t> order(shards.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto rng = seeded();
  std::shuffle(order.begin(), order.end(), rng);
  Histogram shuffled = shards[order[0]];
  for (std::size_t i = 1; i < order.size(); ++i) shuffled.merge(shards[order[i]]);
  expect_same_everywhere(shuffled, whole);
}

TEST(HistogramMerge, EmptyIsTheIdentity) {
  const Histogram h = record_all(uniform_values(1'000, 1'000'000, 1'000));
  Histogram merged = h;
  merged.merge(Histogram{});
  EXPECT_EQ(merged, h);
  Histogram into_empty;
  into_empty.merge(h);
  EXPECT_EQ(into_empty, h);
  EXPECT_EQ(into_empty.min(), h.min());
}

TEST(HistogramSparse, RoundTrips) {
  std::vector<Histogram> cases;
  cases.push_back(record_all(bimodal_values(10'000)));
  cases.push_back(record_all(uniform_values(0, 2'000, 500)));  // with underflow
  cases.emplace_back();                                        // empty
  Histogram overflowed = record_all(exponential_values(5e6, 1'000));
  overflowed.record(kMax, 3);  // the sum needs its high half
  cases.push_back(overflowed);
  Histogram single;
  single.record(kHour + 1);
  cases.push_back(single);

  for (const auto& h : cases) {
    const auto sparse = h.to_sparse();
    const auto back = Histogram::from_sparse(sparse);
    ASSERT_TRUE(back.has_value()) << h.count();
    EXPECT_EQ(*back, h);
    EXPECT_EQ(back->to_sparse(), sparse);
  }
  EXPECT_NE(overflowed.to_sparse().sum_high, 0u);
}

TEST(HistogramSparse, ListsOnlyNonEmptyBucketsInOrder) {
  Histogram h;
  h.record(5'000'000);
  h.record(100);
  h.record(5'000'001);
  const auto sparse = h.to_sparse();
  ASSERT_EQ(sparse.buckets.size(), 2u);
  EXPECT_EQ(sparse.buckets[0], std::make_pair(Histogram::kUnderflowBucket, std::uint64_t{1}));
  EXPECT_EQ(sparse.buckets[1],
            std::make_pair(Histogram::bucket_index(5'000'000), std::uint64_t{2}));
  EXPECT_EQ(sparse.count, 3u);
  EXPECT_EQ(sparse.min, 100u);
  EXPECT_EQ(sparse.max, 5'000'001u);
  EXPECT_EQ(sparse.sum_low, 10'000'101u);
  EXPECT_EQ(sparse.sum_high, 0u);
  EXPECT_EQ(sparse.sub_bucket_bits, 7u);
  EXPECT_EQ(sparse.lowest_trackable, 512u);
  EXPECT_EQ(sparse.highest_trackable, kHour);
}

// A valid sparse form to break one field at a time: values 2 ms, 3 ms (x2)
// and one above an hour.
Histogram::Sparse valid_sparse() {
  Histogram h;
  h.record(2'000'000);
  h.record(3'000'000, 2);
  h.record(kHour + 10);
  return h.to_sparse();
}

template <typename Breaker>
void expect_refused(Breaker&& breaker, const char* what) {
  auto sparse = valid_sparse();
  ASSERT_TRUE(Histogram::from_sparse(sparse).has_value());
  breaker(sparse);
  EXPECT_FALSE(Histogram::from_sparse(sparse).has_value()) << what;
}

TEST(HistogramSparse, RefusesALayoutMismatch) {
  expect_refused([](auto& s) { s.sub_bucket_bits = 8; }, "sub-bucket bits");
  expect_refused([](auto& s) { s.lowest_trackable = 1'000; }, "lowest");
  expect_refused([](auto& s) { s.highest_trackable = 2 * kHour; }, "highest");
}

TEST(HistogramSparse, RefusesBadIndices) {
  expect_refused([](auto& s) { s.buckets.back().first = Histogram::bucket_count(); }, "range");
  expect_refused([](auto& s) { std::swap(s.buckets[0], s.buckets[1]); }, "order");
  expect_refused(
      [](auto& s) {
        s.buckets[1].first = s.buckets[0].first;
        s.count = 4;
      },
      "duplicate");
  expect_refused(
      [](auto& s) {
        s.buckets.insert(s.buckets.begin() + 1, {s.buckets[0].first + 1, 0});
      },
      "zero count");
}

TEST(HistogramSparse, RefusesCountsThatDoNotAddUp) {
  expect_refused([](auto& s) { s.count += 1; }, "count too high");
  expect_refused([](auto& s) { s.count -= 1; }, "count too low");
  expect_refused([](auto& s) { s.buckets[1].second += 1; }, "bucket too high");
  expect_refused(
      [](auto& s) {
        s.buckets[0].second = kMax;
        s.buckets[1].second = 2;
        s.count = 2;  // kMax + 2 + 1 wrapped around 2^64: only the wrap check can refuse it
      },
      "total wraps");
}

TEST(HistogramSparse, RefusesMinMaxSumOrOverflowThatDisagreeWithTheBuckets) {
  expect_refused([](auto& s) { s.min = s.max + 1; }, "min above max");
  expect_refused([](auto& s) { s.min = 1'000'000; }, "min outside first bucket");
  expect_refused([](auto& s) { s.max = 3'000'000; }, "max outside last bucket");
  expect_refused([](auto& s) { s.sum_low = 1'000; }, "sum too small");
  expect_refused([](auto& s) { s.sum_high = 1; }, "sum too large");
  expect_refused([](auto& s) { s.overflow = 0; }, "overflow missing");
  expect_refused([](auto& s) { s.overflow = 2; }, "overflow above the top bucket's count");
  expect_refused(
      [](auto& s) {
        s.max = kHour;
        s.sum_low -= 10;
      },
      "overflow without a value above an hour");
  expect_refused(
      [](auto& s) {
        s.buckets.clear();
        s.count = s.min = s.max = s.sum_low = s.sum_high = s.overflow = 0;
        s.max = 5;
      },
      "empty with a max");
}

TEST(HistogramSparse, AcceptsTheEmptyForm) {
  const auto h = Histogram::from_sparse(Histogram::Sparse{});
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(*h, Histogram{});
}

}  // namespace
}  // namespace smtp::load::histogram_test
