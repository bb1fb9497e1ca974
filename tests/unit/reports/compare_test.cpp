#include "reports/compare.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "compare_thresholds.hpp"

namespace smtp::reports::compare_test {
namespace {

using Kind = CompareMetric::Kind;
using load::MeasuredPhase;
using Outcome = Comparison::Outcome;
using Verdict = ThresholdJudgement::Verdict;

constexpr std::uint64_t kMs = 1'000'000;

// A run of 100 transactions whose response times are 1, 2, ... 100 ms (the
// slowest tenth, 91..100, times tail_percent / 100): 2xx for the first half
// and 4xx for the second, so that only the phase's classes merged give the
// whole distribution. rcpt takes a tenth of each untouched time. 100
// started over a 2 s start window (achieved_rate 50/s), 90 delivered, 5
// refused with a 4xx and 1 with a 5xx, 1 timeout: 7 errors in all.
load::RunResult sample_run(std::uint64_t tail_percent = 100) {
  load::RunResult run;
  run.settings.target = "127.0.0.1:2525";
  run.elapsed_seconds = 2.5;
  run.stop_reason = "messages";
  run.achieved_rate = 50;
  load::Counters& counters = run.metrics.counters();
  counters.transactions_started = 100;
  counters.delivered = 90;
  counters.refused_4xx = 5;
  counters.refused_5xx = 1;
  run.metrics.count_error(load::ErrorKind::reply_4xx, 5);
  run.metrics.count_error(load::ErrorKind::reply_5xx, 1);
  run.metrics.count_error(load::ErrorKind::timeout, 1);
  for (std::uint64_t i = 1; i <= 100; ++i) {
    const std::uint64_t ns = i <= 90 ? i * kMs : i * kMs * tail_percent / 100;
    run.metrics.record_latency(MeasuredPhase::transaction, i <= 50 ? 2 : 4, ns);
    run.metrics.record_latency(MeasuredPhase::rcpt, 2, i * kMs / 10);
  }
  return run;
}

// The slowest tenth 1.5 times slower: p50 and p90 stay, p99 rises by half.
load::RunResult slower_tail() {
  return sample_run(150);
}

using testing::thresholds;

const CompareRow& row_of(const Comparison& comparison, const std::string& label) {
  for (const CompareRow& row : comparison.rows) {
    if (metric_label(row.metric) == label) return row;
  }
  ADD_FAILURE() << "no row " << label;
  static const CompareRow none;
  return none;
}

// |value - expected| within the histogram's bound (0.4%, histogram.hpp).
void expect_within_histogram_error(const std::optional<double>& value, double expected,
                                   const std::string& what) {
  ASSERT_TRUE(value.has_value()) << what;
  EXPECT_NEAR(*value, expected, expected * 0.004) << what;
}

TEST(Compare, LatencyRowsComeFromThePhaseWithItsClassesMerged) {
  const Comparison comparison = compare_runs(sample_run(), slower_tail(), {});
  expect_within_histogram_error(row_of(comparison, "p50").base, 50 * kMs, "p50");
  expect_within_histogram_error(row_of(comparison, "p90").base, 90 * kMs, "p90");
  expect_within_histogram_error(row_of(comparison, "p99").base, 99 * kMs, "p99");
  // p99.9's nearest rank is the 100th value: the exact maximum.
  EXPECT_EQ(row_of(comparison, "p99.9").base, 100.0 * kMs);
  EXPECT_EQ(row_of(comparison, "max").base, 100.0 * kMs);
  EXPECT_EQ(row_of(comparison, "mean").base, 50.5 * kMs);
  expect_within_histogram_error(row_of(comparison, "p99:rcpt").base, 9.9 * kMs, "p99:rcpt");

  expect_within_histogram_error(row_of(comparison, "p50").candidate, 50 * kMs, "NEW p50");
  expect_within_histogram_error(row_of(comparison, "p99").candidate, 148.5 * kMs, "NEW p99");
  EXPECT_EQ(row_of(comparison, "max").candidate, 150.0 * kMs);
}

TEST(Compare, RunWideRows) {
  const Comparison comparison = compare_runs(sample_run(), sample_run(), {});
  // 90 delivered over the 2 s in which the 100 transactions could start.
  EXPECT_EQ(row_of(comparison, "throughput").base, 45.0);
  EXPECT_EQ(row_of(comparison, "rate").base, 50.0);
  EXPECT_EQ(row_of(comparison, "delivered").base, 90.0);
  EXPECT_EQ(row_of(comparison, "errors").base, 7.0);
  EXPECT_EQ(row_of(comparison, "4xx").base, 5.0);
  EXPECT_EQ(row_of(comparison, "5xx").base, 1.0);
}

TEST(Compare, RowOrder) {
  load::RunResult base = sample_run();
  base.metrics.record_latency(MeasuredPhase::service, 2, kMs);
  load::RunResult candidate = sample_run();
  candidate.metrics.record_latency(MeasuredPhase::connect, 2, kMs);
  const Comparison comparison =
      compare_runs(base, candidate, thresholds({"p95:+10%", "p99:auth:+10%", "p99:+10%"}));
  std::vector<std::string> labels;
  for (const CompareRow& row : comparison.rows) labels.push_back(metric_label(row.metric));
  const std::vector<std::string> expected = {
      "throughput",  "rate",        "delivered",   "errors",        "4xx",
      "5xx",         "p50",         "p90",         "p99",           "p99.9",
      "mean",        "max",  // transaction
      "p50:service", "p90:service", "p99:service", "p99.9:service", "mean:service",
      "max:service",  // service, then the phases in their order: connect before rcpt
      "p50:connect", "p90:connect", "p99:connect", "p99.9:connect", "mean:connect",
      "max:connect", "p50:rcpt",    "p90:rcpt",    "p99:rcpt",      "p99.9:rcpt",
      "mean:rcpt",   "max:rcpt",    "p95",         "p99:auth",  // the thresholds' own rows
  };
  EXPECT_EQ(labels, expected);
  EXPECT_EQ(row_of(comparison, "p99").judgements, std::vector<std::size_t>{2});
}

TEST(Compare, IdenticalRunsHaveNoRegression) {
  const Comparison comparison =
      compare_runs(sample_run(), sample_run(),
                   thresholds({"p99:+0%", "p50:+0ms", "max:rcpt:+0%", "throughput:-0%", "rate:-0/s",
                               "delivered:-0", "errors:+0pp", "4xx:+0pp", "5xx:+0pp"}));
  EXPECT_EQ(comparison.outcome(), Outcome::no_regression);
  for (const ThresholdJudgement& judgement : comparison.judgements) {
    EXPECT_EQ(judgement.verdict, Verdict::ok) << judgement.detail;
  }
  for (const CompareRow& row : comparison.rows) {
    EXPECT_EQ(row.change(), 0.0) << metric_label(row.metric);
  }
  EXPECT_EQ(summary_line(comparison), "no regression: 9 thresholds passed");
}

TEST(Compare, InjectedP99RegressionIsDetected) {
  const Comparison comparison = compare_runs(
      sample_run(), slower_tail(), thresholds({"p50:+10%", "p99:+10%", "throughput:-5%"}));
  EXPECT_EQ(comparison.outcome(), Outcome::regression);
  ASSERT_EQ(comparison.judgements.size(), 3u);
  EXPECT_EQ(comparison.judgements[0].verdict, Verdict::ok);
  EXPECT_EQ(comparison.judgements[1].verdict, Verdict::regression);
  EXPECT_EQ(comparison.judgements[2].verdict, Verdict::ok);
  ASSERT_TRUE(comparison.judgements[1].change.has_value());
  EXPECT_NEAR(*comparison.judgements[1].change, 50, 1);
  const std::string summary = summary_line(comparison);
  EXPECT_EQ(summary.rfind("REGRESSION: p99 +", 0), 0u) << summary;
  EXPECT_TRUE(summary.ends_with("% (limit +10%)")) << summary;
  EXPECT_EQ(row_verdict(comparison, row_of(comparison, "p99")), Verdict::regression);
  EXPECT_EQ(row_verdict(comparison, row_of(comparison, "p50")), Verdict::ok);
  EXPECT_FALSE(row_verdict(comparison, row_of(comparison, "p90")).has_value());
}

TEST(Compare, ThroughputFallIsDetected) {
  load::RunResult candidate = sample_run();
  candidate.metrics.counters().delivered = 80;  // 40/s over the same window: -11.1%
  const Comparison comparison =
      compare_runs(sample_run(), candidate, thresholds({"throughput:-5%", "throughput:-20%"}));
  EXPECT_EQ(comparison.judgements[0].verdict, Verdict::regression);
  EXPECT_EQ(comparison.judgements[1].verdict, Verdict::ok);
  EXPECT_EQ(row_limits(comparison, row_of(comparison, "throughput")), "-5%, -20%");
  EXPECT_EQ(summary_line(comparison), "REGRESSION: throughput -11.1% (limit -5%)");
}

TEST(Compare, ThroughputWindowFallsBackToTheElapsedTime) {
  load::RunResult run = sample_run();
  run.achieved_rate = 0;  // as when nothing started
  run.metrics.counters().transactions_started = 0;
  const Comparison comparison = compare_runs(run, run, {});
  EXPECT_EQ(row_of(comparison, "throughput").base, 90 / 2.5);
}

TEST(Compare, ErrorShareRiseInPercentagePoints) {
  load::RunResult candidate = sample_run();
  candidate.metrics.count_error(load::ErrorKind::closed, 2);  // 9 of 100
  const Comparison comparison =
      compare_runs(sample_run(), candidate, thresholds({"errors:+1.5pp", "errors:+2pp"}));
  EXPECT_EQ(row_of(comparison, "errors").change(), 2.0);
  EXPECT_EQ(comparison.judgements[0].verdict, Verdict::regression);
  EXPECT_EQ(comparison.judgements[1].verdict, Verdict::ok);
}

TEST(Compare, MissingPhases) {
  load::RunResult base = sample_run();
  base.metrics.record_latency(MeasuredPhase::bdat, 2, kMs);
  const load::RunResult candidate = sample_run();
  const Comparison comparison =
      compare_runs(base, candidate, thresholds({"p99:bdat:+10%", "p99:starttls:+10%"}));
  EXPECT_EQ(row_of(comparison, "p99:bdat").base, 1.0 * kMs);
  EXPECT_FALSE(row_of(comparison, "p99:bdat").candidate.has_value());
  EXPECT_FALSE(row_of(comparison, "p99:bdat").change().has_value());
  // Another phase gone from NEW, or a phase neither run has: not judged.
  EXPECT_EQ(comparison.judgements[0].verdict, Verdict::no_data);
  EXPECT_EQ(comparison.judgements[1].verdict, Verdict::no_data);
  EXPECT_EQ(comparison.outcome(), Outcome::no_regression);
  EXPECT_EQ(summary_line(comparison), "no regression: 0 thresholds passed, 2 without data");
}

TEST(Compare, NewWithoutTransactionsIsARegression) {
  load::RunResult candidate;  // nothing recorded at all
  candidate.elapsed_seconds = 10;
  const Comparison comparison = compare_runs(sample_run(), candidate, thresholds({"p99:+10%"}));
  EXPECT_FALSE(row_of(comparison, "p99").candidate.has_value());
  EXPECT_EQ(comparison.judgements[0].verdict, Verdict::regression);
  EXPECT_EQ(comparison.outcome(), Outcome::regression);
  // ... but a BASE without them leaves nothing to judge.
  const Comparison reversed = compare_runs(candidate, sample_run(), thresholds({"p99:+10%"}));
  EXPECT_EQ(reversed.judgements[0].verdict, Verdict::no_data);
  EXPECT_EQ(reversed.outcome(), Outcome::no_regression);
}

TEST(Compare, WithoutThresholdsNothingIsJudged) {
  const Comparison comparison = compare_runs(sample_run(), slower_tail(), {});
  EXPECT_EQ(comparison.outcome(), Outcome::no_thresholds);
  EXPECT_EQ(summary_line(comparison).rfind("no thresholds given", 0), 0u);
  for (const CompareRow& row : comparison.rows) EXPECT_TRUE(row.judgements.empty());
}

TEST(Compare, RelativeChange) {
  CompareRow row;
  row.base = 200;
  row.candidate = 250;
  EXPECT_EQ(row.change(), 50.0);
  EXPECT_EQ(row.relative_percent(), 25.0);
  row.base = 0;
  EXPECT_FALSE(row.relative_percent().has_value());
  row.base.reset();
  EXPECT_FALSE(row.change().has_value());
}

}  // namespace
}  // namespace smtp::reports::compare_test
