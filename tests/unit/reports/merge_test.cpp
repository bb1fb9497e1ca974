// merge_results (reports/merge.hpp): shards add up, histograms exactly, and
// what cannot be added is refused by name.
#include "reports/merge.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include "sample_result.hpp"

namespace smtp::reports::merge_test {
namespace {

using load::MeasuredPhase;

load::RunResult shard(std::uint32_t index, std::uint32_t count) {
  auto result = testing::sample_result();
  result.settings.shard_index = index;
  result.settings.shard_count = count;
  return result;
}

// The second shard sees other latencies than the first: one more value far
// out in the transaction phase, so that a merge that dropped or doubled a
// histogram would show.
load::RunResult slower(load::RunResult result) {
  result.metrics.record_latency(MeasuredPhase::transaction, 2, 900'000'000);
  result.metrics.counters().transactions_started += 1;
  result.metrics.counters().delivered += 1;
  return result;
}

TEST(MergeResults, CountsAndHistogramsAddUpExactly) {
  const auto a = shard(1, 2);
  const auto b = slower(shard(2, 2));
  std::string error;
  auto merged = merge_results({{"a.json", a}, {"b.json", b}}, error);
  ASSERT_TRUE(merged) << error;

  const auto& c = merged->metrics.counters();
  EXPECT_EQ(c.transactions_started,
            a.metrics.counters().transactions_started + b.metrics.counters().transactions_started);
  EXPECT_EQ(c.delivered, a.metrics.counters().delivered + b.metrics.counters().delivered);
  EXPECT_EQ(c.refused_4xx, a.metrics.counters().refused_4xx + b.metrics.counters().refused_4xx);
  // Exact: the merge equals recording both into one Metrics.
  load::Metrics expected;
  expected.merge(a.metrics);
  expected.merge(b.metrics);
  EXPECT_TRUE(merged->metrics == expected);
  const auto latency = merged->metrics.latency(MeasuredPhase::transaction);
  EXPECT_EQ(latency.max(), 900'000'000u > a.metrics.latency(MeasuredPhase::transaction).max()
                               ? 900'000'000u
                               : a.metrics.latency(MeasuredPhase::transaction).max());
  EXPECT_EQ(latency.count(), a.metrics.latency(MeasuredPhase::transaction).count() +
                                 b.metrics.latency(MeasuredPhase::transaction).count());
}

TEST(MergeResults, MergedPercentilesAreTheSamplesOwnWithinTheHistogramsError) {
  // Known samples, split between two shards as a run would split them.
  auto a = shard(1, 2);
  auto b = shard(2, 2);
  a.metrics = load::Metrics();
  b.metrics = load::Metrics();
  std::vector<std::uint64_t> samples;
  std::uint64_t state = 12345;
  for (int i = 0; i < 20000; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const std::uint64_t ns = 50'000 + (state >> 20) % 400'000'000;  // 50 µs .. 400 ms
    samples.push_back(ns);
    (i % 3 == 0 ? a : b).metrics.record_latency(MeasuredPhase::transaction, 2, ns);
  }
  std::sort(samples.begin(), samples.end());
  std::string error;
  auto merged = merge_results({{"a", a}, {"b", b}}, error);
  ASSERT_TRUE(merged) << error;
  const auto latency = merged->metrics.latency(MeasuredPhase::transaction);
  ASSERT_EQ(latency.count(), samples.size());
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    // Nearest rank, as the histogram defines it (histogram.hpp).
    const auto rank = static_cast<std::size_t>(std::ceil(q * samples.size()));
    const double exact = static_cast<double>(samples[rank - 1]);
    // A bucket is at most 2^-7 of its lower bound wide; the midpoint is
    // within half of that.
    EXPECT_NEAR(static_cast<double>(latency.quantile(q)), exact, exact / 128.0) << "q = " << q;
  }
}

TEST(MergeResults, SettingsAddUpAndTheShardIsDropped) {
  auto a = shard(1, 2);
  auto b = shard(2, 2);
  a.settings.connections = 5;
  b.settings.connections = 4;
  a.settings.target_rate = 100;
  b.settings.target_rate = 100;
  a.settings.messages = 500;
  b.settings.messages = 499;
  a.settings.duration_seconds = 10;
  b.settings.duration_seconds = 12;
  std::string error;
  auto merged = merge_results({{"a", a}, {"b", b}}, error);
  ASSERT_TRUE(merged) << error;
  EXPECT_EQ(merged->settings.connections, 9u);
  EXPECT_EQ(merged->settings.threads, a.settings.threads + b.settings.threads);
  EXPECT_DOUBLE_EQ(merged->settings.target_rate.value_or(0), 200);
  EXPECT_EQ(merged->settings.messages.value_or(0), 999u);
  EXPECT_DOUBLE_EQ(merged->settings.duration_seconds.value_or(0), 12);
  EXPECT_EQ(merged->settings.shard_count, 0u);
  EXPECT_EQ(merged->settings.merged_runs, 2u);
  EXPECT_DOUBLE_EQ(merged->achieved_rate, a.achieved_rate + b.achieved_rate);
  EXPECT_EQ(merged->workers.size(), a.workers.size() + b.workers.size());
  for (std::size_t i = 0; i < merged->workers.size(); ++i) {
    EXPECT_EQ(merged->workers[i].index, i);
  }
}

TEST(MergeResults, TheTimeRunsFromTheFirstStartToTheLastEnd) {
  auto a = shard(1, 2);
  auto b = shard(2, 2);
  b.started_at = a.started_at + std::chrono::seconds(2);
  a.elapsed_seconds = 10;
  b.elapsed_seconds = 10;
  std::string error;
  auto merged = merge_results({{"a", a}, {"b", b}}, error);
  ASSERT_TRUE(merged) << error;
  EXPECT_EQ(merged->started_at, a.started_at);
  EXPECT_NEAR(merged->elapsed_seconds, 12, 1e-6);
}

TEST(MergeResults, SeriesAddUpSecondBySecond) {
  const auto a = shard(1, 2);
  const auto b = shard(2, 2);
  std::string error;
  auto merged = merge_results({{"a", a}, {"b", b}}, error);
  ASSERT_TRUE(merged) << error;
  ASSERT_EQ(merged->series.size(), a.series.size());
  for (std::size_t i = 0; i < a.series.size(); ++i) {
    EXPECT_EQ(merged->series[i].second, a.series[i].second);
    EXPECT_EQ(merged->series[i].started, a.series[i].started + b.series[i].started);
    EXPECT_EQ(merged->series[i].delivered, a.series[i].delivered + b.series[i].delivered);
    EXPECT_DOUBLE_EQ(merged->series[i].target_rate,
                     a.series[i].target_rate + b.series[i].target_rate);
    EXPECT_EQ(merged->series[i].p99_ns, std::max(a.series[i].p99_ns, b.series[i].p99_ns));
  }
}

TEST(MergeResults, ThresholdsAreJudgedAgainOnTheSum) {
  const auto a = shard(1, 2);
  // Judged on the merged metrics, over the window the summed rate implies.
  auto b = shard(2, 2);
  std::string error;
  auto merged = merge_results({{"a", a}, {"b", b}}, error);
  ASSERT_TRUE(merged) << error;
  ASSERT_EQ(merged->thresholds.size(), a.thresholds.size());  // each text once
  for (std::size_t i = 0; i < a.thresholds.size(); ++i) {
    const auto& verdict = merged->thresholds[i];
    EXPECT_EQ(verdict.threshold.text, a.thresholds[i].threshold.text);
    const double window =
        merged->achieved_rate > 0
            ? merged->metrics.counters().transactions_started / merged->achieved_rate
            : 0;
    const auto again = load::evaluate(verdict.threshold, merged->metrics, window, merged->delivery);
    EXPECT_EQ(verdict.passed, again.passed) << verdict.detail;
    EXPECT_DOUBLE_EQ(verdict.observed, again.observed) << verdict.detail;
  }
}

TEST(MergeResults, RefusesResultsThatAreNotPartsOfOneLoad) {
  std::string error;
  auto a = shard(1, 2);
  auto b = shard(2, 2);
  b.settings.target = "127.0.0.1:2626";
  EXPECT_FALSE(merge_results({{"a.json", a}, {"b.json", b}}, error));
  EXPECT_EQ(error, "settings.target differs: a.json and b.json are not parts of one load");

  b = shard(2, 2);
  b.settings.size = a.settings.size + 1;
  EXPECT_FALSE(merge_results({{"a.json", a}, {"b.json", b}}, error));
  EXPECT_NE(error.find("settings.size differs"), std::string::npos) << error;

  EXPECT_FALSE(merge_results({{"a.json", a}, {"again.json", a}}, error));
  EXPECT_EQ(error, "again.json and a.json are both shard 1/2");

  b = shard(2, 3);
  EXPECT_FALSE(merge_results({{"a.json", a}, {"b.json", b}}, error));
  EXPECT_EQ(error, "b.json is shard 2/3, a.json of 2 shards");

  EXPECT_FALSE(merge_results({{"a.json", a}}, error));
  EXPECT_EQ(error, "merge needs at least two results");
}

TEST(MergeResults, UnshardedRunsOfTheSameLoadMergeToo) {
  auto a = testing::sample_result();
  auto b = testing::sample_result();
  std::string error;
  auto merged = merge_results({{"a", a}, {"b", b}}, error);
  ASSERT_TRUE(merged) << error;
  EXPECT_EQ(merged->metrics.counters().delivered, 2 * a.metrics.counters().delivered);
}

TEST(MergeResults, GeneratorHealthKeepsTheWorstAndNamesTheInput) {
  auto a = shard(1, 2);
  auto b = shard(2, 2);
  a.generator.bound = false;
  a.generator.reasons.clear();
  b.generator.bound = true;
  b.generator.reasons = {"the busiest worker used 97% of a core"};
  b.generator.busiest_worker_cpu = 0.97;
  a.generator.busiest_worker_cpu = 0.2;
  std::string error;
  auto merged = merge_results({{"a.json", a}, {"b.json", b}}, error);
  ASSERT_TRUE(merged) << error;
  EXPECT_TRUE(merged->generator.bound);
  ASSERT_EQ(merged->generator.reasons.size(), 1u);
  EXPECT_EQ(merged->generator.reasons[0], "b.json: the busiest worker used 97% of a core");
  EXPECT_DOUBLE_EQ(merged->generator.busiest_worker_cpu, 0.97);
  EXPECT_DOUBLE_EQ(merged->generator.cpu_seconds,
                   a.generator.cpu_seconds + b.generator.cpu_seconds);
}

}  // namespace
}  // namespace smtp::reports::merge_test
