// merge_results with delivery sections (runs with --sink): they add up
// exactly, the delivery thresholds are judged again on the sum, and inputs
// with and without a section are refused, naming the one without.
#include <gtest/gtest.h>

#include "reports/merge.hpp"
#include "reports/result_json.hpp"
#include "sample_result.hpp"

namespace smtp::reports::merge_delivery_test {
namespace {

load::RunResult sink_shard(std::uint32_t index, std::string sink) {
  auto result = testing::sample_sink_result();
  result.settings.shard_index = index;
  result.settings.shard_count = 2;
  result.delivery->sink = std::move(sink);
  return result;
}

const load::ThresholdVerdict& verdict_of(const load::RunResult& result, std::string_view text) {
  for (const auto& verdict : result.thresholds) {
    if (verdict.threshold.text == text) return verdict;
  }
  ADD_FAILURE() << "no threshold " << text;
  return result.thresholds.front();
}

TEST(MergeDelivery, SectionsAddUpExactly) {
  const auto a = sink_shard(1, "127.0.0.1:2526");
  auto b = sink_shard(2, "127.0.0.1:2527");
  b.delivery->latency.record(4'000'000'000);  // one late arrival only in b
  b.delivery->counts.delivered += 1;
  b.delivery->counts.accepted += 1;
  std::string error;
  const auto merged = merge_results({{"a.json", a}, {"b.json", b}}, error);
  ASSERT_TRUE(merged) << error;
  ASSERT_TRUE(merged->delivery);
  const load::DeliveryResult& d = *merged->delivery;
  EXPECT_EQ(d.sink, "127.0.0.1:2526, 127.0.0.1:2527");
  EXPECT_EQ(d.counts.accepted, 2 * 1770 + 1u);
  EXPECT_EQ(d.counts.delivered, 2 * 1755 + 1u);
  EXPECT_EQ(d.counts.lost, 12u);
  load::Histogram expected = a.delivery->latency;
  expected.merge(b.delivery->latency);
  EXPECT_TRUE(d.latency == expected);
  EXPECT_EQ(d.latency.max(), 4'000'000'000u);
  EXPECT_EQ(d.attempts.at(2), 66u);
  EXPECT_EQ(d.relay.max_messages_per_connection, 100u);
  EXPECT_EQ(d.relay.connections, 24u);
  EXPECT_EQ(d.series.size(), 5u);
  EXPECT_EQ(d.series[4].backlog, 12u);
  EXPECT_EQ(d.samples.size(), 8u);  // 4 + 4, at most kMaxSamples
}

TEST(MergeDelivery, DeliveryThresholdsAreJudgedAgainOnTheSum) {
  auto a = sink_shard(1, "127.0.0.1:2526");
  auto b = sink_shard(2, "127.0.0.1:2527");
  // a alone lost nothing; the sum lost b's 6.
  a.delivery->counts.lost = 0;
  a.delivery->counts.delivered += 6;
  std::string error;
  const auto merged = merge_results({{"a.json", a}, {"b.json", b}}, error);
  ASSERT_TRUE(merged) << error;
  const auto& lost = verdict_of(*merged, "lost<=0");
  EXPECT_FALSE(lost.passed);
  EXPECT_EQ(lost.observed, 6);
  const auto& delivered = verdict_of(*merged, "delivered>=99.9%");
  EXPECT_DOUBLE_EQ(delivered.observed, 100.0 * (1761 + 1755) / (2 * 1770));
  const auto& p99 = verdict_of(*merged, "p99:delivery<5s");
  EXPECT_TRUE(p99.passed);
  EXPECT_EQ(p99.observed, static_cast<double>(merged->delivery->latency.quantile(0.99)));
  // The merged result is a valid result file.
  std::string read_error;
  EXPECT_TRUE(load_result_from_json(to_json(*merged), read_error)) << read_error;
}

TEST(MergeDelivery, RefusesInputsWithAndWithoutASection) {
  const auto with = sink_shard(1, "127.0.0.1:2526");
  auto without = testing::sample_result();
  without.settings.shard_index = 2;
  without.settings.shard_count = 2;
  std::string error;
  EXPECT_FALSE(merge_results({{"with.json", with}, {"without.json", without}}, error));
  EXPECT_EQ(error,
            "without.json has no delivery section (run without --sink), with.json has one: "
            "merge the runs with --sink, or those without, apart");
  error.clear();
  EXPECT_FALSE(merge_results({{"without.json", without}, {"with.json", with}}, error));
  EXPECT_EQ(error.rfind("without.json has no delivery section", 0), 0u) << error;
}

TEST(MergeDelivery, RunsWithoutASinkMergeWithoutASection) {
  auto a = testing::sample_result();
  auto b = testing::sample_result();
  std::string error;
  const auto merged = merge_results({{"a.json", a}, {"b.json", b}}, error);
  ASSERT_TRUE(merged) << error;
  EXPECT_FALSE(merged->delivery);
}

}  // namespace
}  // namespace smtp::reports::merge_delivery_test
