#include "reports/html/latency_distribution.hpp"

#include <gtest/gtest.h>

#include <numeric>

#include "load/histogram.hpp"
#include "reports/result_json.hpp"

namespace smtp::reports::html::latency_distribution_test {
namespace {

using load::Histogram;

const HistogramLayout kLayout{Histogram::kSubBucketBits, Histogram::kLowestTrackable,
                              Histogram::kHighestTrackable};

// The schema's formula, as the renderer reads it, against the histogram's own
// bucket arithmetic: the chart must place each count where it was recorded.
TEST(BucketBounds, AgreeWithTheHistogram) {
  for (std::uint32_t index = 0; index < Histogram::bucket_count(); index += 13) {
    const BucketBounds bounds = bucket_bounds(kLayout, index);
    EXPECT_EQ(bounds.low, static_cast<double>(Histogram::bucket_lowest(index))) << index;
    EXPECT_EQ(bounds.high, static_cast<double>(Histogram::bucket_highest(index)) + 1) << index;
  }
}

nlohmann::json latency_entry(const std::string& phase, const std::string& reply_class,
                             const Histogram& histogram) {
  return {{"phase", phase}, {"class", reply_class}, {"histogram", histogram_to_json(histogram)}};
}

std::uint64_t sum(const std::vector<std::uint64_t>& counts) {
  return std::accumulate(counts.begin(), counts.end(), std::uint64_t{0});
}

TEST(LatencyDistribution, KeepsEveryCountOfThePhasePerClass) {
  Histogram ok;
  Histogram refused;
  for (std::uint64_t v = 100'000; v < 50'000'000; v = v * 11 / 10) ok.record(v, 3);
  refused.record(2'000'000, 5);
  Histogram other_phase;
  other_phase.record(1'000, 100);
  const nlohmann::json latency = nlohmann::json::array(
      {latency_entry("mail", "2xx", other_phase), latency_entry("transaction", "2xx", ok),
       latency_entry("transaction", "4xx", refused)});

  const Distribution distribution = latency_distribution(latency, "transaction", 40);
  ASSERT_EQ(distribution.series.size(), 2u);
  EXPECT_EQ(distribution.series[0].label, "2xx");
  EXPECT_EQ(distribution.series[1].label, "4xx");
  EXPECT_EQ(sum(distribution.series[0].counts), ok.count());
  EXPECT_EQ(sum(distribution.series[1].counts), 5u);
  EXPECT_EQ(distribution.total, ok.count() + 5);
  ASSERT_EQ(distribution.edges.size(), 41u);
  // From the first bucket's midpoint to the last's: within 1% of min and max.
  EXPECT_NEAR(distribution.edges.front(), static_cast<double>(ok.min()), ok.min() * 0.01);
  EXPECT_NEAR(distribution.edges.back(), static_cast<double>(ok.max()), ok.max() * 0.01);
  // The 4xx timings all sit in the bin that holds 2 ms.
  std::size_t bin = 0;
  while (distribution.edges[bin + 1] <= 2'000'000) ++bin;
  EXPECT_EQ(distribution.series[1].counts[bin], 5u);
}

TEST(LatencyDistribution, ASingleValueIsOneBin) {
  Histogram single;
  single.record(1'234'567, 7);
  const Distribution distribution = latency_distribution(
      nlohmann::json::array({latency_entry("transaction", "2xx", single)}), "transaction");
  ASSERT_EQ(distribution.edges.size(), 2u);
  EXPECT_LT(distribution.edges[0], 1'234'567);
  EXPECT_GT(distribution.edges[1], 1'234'567);
  EXPECT_EQ(distribution.series.at(0).counts, (std::vector<std::uint64_t>{7}));
}

TEST(LatencyDistribution, NoEntriesOrEmptyHistogramsGiveNothing) {
  EXPECT_TRUE(latency_distribution(nlohmann::json::array(), "transaction").edges.empty());
  const Distribution empty = latency_distribution(
      nlohmann::json::array({latency_entry("transaction", "2xx", Histogram())}), "transaction");
  EXPECT_TRUE(empty.edges.empty());
  EXPECT_TRUE(empty.series.empty());
  EXPECT_EQ(empty.total, 0u);
}

TEST(LatencyDistribution, UnderflowAndOverflowStayInRange) {
  Histogram extremes;
  extremes.record(0);                  // underflow bucket
  extremes.record(3'700'000'000'000);  // above the hour: the last bucket
  const Distribution distribution = latency_distribution(
      nlohmann::json::array({latency_entry("service", "4xx", extremes)}), "service");
  ASSERT_FALSE(distribution.edges.empty());
  EXPECT_EQ(sum(distribution.series.at(0).counts), 2u);
  EXPECT_GE(distribution.edges.front(), 1);
}

}  // namespace
}  // namespace smtp::reports::html::latency_distribution_test
