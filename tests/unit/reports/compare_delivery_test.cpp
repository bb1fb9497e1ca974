// compare with delivery sections (runs with --sink): the delivery counts and
// latencies side by side, and compare thresholds on them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "compare_thresholds.hpp"
#include "reports/compare.hpp"
#include "reports/compare_output.hpp"
#include "sample_result.hpp"

namespace smtp::reports::compare_delivery_test {
namespace {

using Kind = CompareMetric::Kind;
using Verdict = ThresholdJudgement::Verdict;

using testing::thresholds;

const CompareRow* row_of(const Comparison& comparison, const std::string& label) {
  for (const CompareRow& row : comparison.rows) {
    if (metric_label(row.metric) == label) return &row;
  }
  return nullptr;
}

// NEW lost 6 more pairs, delivered 6 fewer, and every delivery took 2 s
// longer than BASE's.
load::RunResult worse_sink_run() {
  load::RunResult run = testing::sample_sink_result();
  load::DeliveryResult& delivery = *run.delivery;
  delivery.counts.lost += 6;
  delivery.counts.delivered -= 6;
  load::Histogram later;
  const auto sparse = delivery.latency.to_sparse();
  for (const auto& [index, count] : sparse.buckets) {
    (void)index;
    later.record(2'000'000'000 + delivery.latency.max(), count);
  }
  delivery.latency = later;
  return run;
}

TEST(CompareDelivery, RowsSideBySide) {
  const load::RunResult base = testing::sample_sink_result();
  const load::RunResult candidate = worse_sink_run();
  const Comparison comparison = compare_runs(base, candidate, {});
  for (const char* label :
       {"delivered_pairs", "lost", "bounced", "duplicated", "corrupted", "unexpected", "retried",
        "p50:delivery", "p99:delivery", "p50:delivery_from_start", "p99:delivery_from_start"}) {
    EXPECT_NE(row_of(comparison, label), nullptr) << label;
  }
  const CompareRow& lost = *row_of(comparison, "lost");
  EXPECT_EQ(lost.base, 6);
  EXPECT_EQ(lost.candidate, 12);
  EXPECT_EQ(unit_of(lost.metric.kind), CompareUnit::count);
  EXPECT_EQ(row_of(comparison, "delivered_pairs")->candidate, 1749);
  const CompareRow& p99 = *row_of(comparison, "p99:delivery");
  EXPECT_EQ(p99.base, static_cast<double>(base.delivery->latency.quantile(0.99)));
  EXPECT_GT(*p99.candidate, 2e9);
  // "delivered" keeps its meaning: transactions answered 250.
  EXPECT_EQ(row_of(comparison, "delivered")->base,
            static_cast<double>(base.metrics.counters().delivered));
}

TEST(CompareDelivery, RunsWithoutASinkHaveNoDeliveryRows) {
  const Comparison comparison =
      compare_runs(testing::sample_result(), testing::sample_result(), {});
  EXPECT_EQ(row_of(comparison, "lost"), nullptr);
  EXPECT_EQ(row_of(comparison, "p99:delivery"), nullptr);
}

TEST(CompareDelivery, ThresholdsOnTheDeliveryMetrics) {
  const Comparison comparison = compare_runs(
      testing::sample_sink_result(), worse_sink_run(),
      thresholds({"lost:+0", "lost:+6", "p99:delivery:+20%", "p99:delivery_from_start:+1%",
                  "delivered_pairs:-1%", "duplicated:+0"}));
  ASSERT_EQ(comparison.judgements.size(), 6u);
  EXPECT_EQ(comparison.judgements[0].verdict, Verdict::regression);
  EXPECT_EQ(comparison.judgements[0].detail, "lost +6 (limit +0)");
  EXPECT_EQ(comparison.judgements[1].verdict, Verdict::ok);
  EXPECT_EQ(comparison.judgements[2].verdict, Verdict::regression);
  EXPECT_EQ(comparison.judgements[2].detail.rfind("p99:delivery +", 0), 0u)
      << comparison.judgements[2].detail;
  EXPECT_EQ(comparison.judgements[3].verdict, Verdict::ok);  // unchanged
  EXPECT_EQ(comparison.judgements[4].verdict, Verdict::ok);  // 6 of 1755 is under 1%
  EXPECT_EQ(comparison.judgements[5].verdict, Verdict::ok);
  EXPECT_EQ(comparison.outcome(), Comparison::Outcome::regression);
}

TEST(CompareDelivery, NewWithoutASinkIsARegressionBaseWithoutOneIsNoData) {
  const auto judged = [](const load::RunResult& base, const load::RunResult& candidate) {
    return compare_runs(base, candidate, thresholds({"lost:+0", "p99:delivery:+10%"})).judgements;
  };
  const auto new_without = judged(testing::sample_sink_result(), testing::sample_result());
  EXPECT_EQ(new_without[0].verdict, Verdict::regression);
  EXPECT_EQ(new_without[0].detail, "lost: no data in NEW, BASE had 6 (limit +0)");
  EXPECT_EQ(new_without[1].verdict, Verdict::regression);
  const auto base_without = judged(testing::sample_result(), testing::sample_sink_result());
  EXPECT_EQ(base_without[0].verdict, Verdict::no_data);
  EXPECT_EQ(base_without[0].detail, "lost: no data in BASE");
}

TEST(CompareDelivery, TheOutputsGroupAndNameTheDeliveryRows) {
  const Comparison comparison =
      compare_runs(testing::sample_sink_result(), worse_sink_run(), thresholds({"lost:+0"}));
  const nlohmann::json json = compare_json(comparison);
  bool lost = false;
  bool p99 = false;
  for (const nlohmann::json& row : json.at("rows")) {
    if (row.at("metric") == "lost") {
      lost = true;
      EXPECT_FALSE(row.contains("phase"));
      EXPECT_EQ(row.at("unit"), "count");
      EXPECT_EQ(row.at("new"), 12);
    }
    if (row.at("metric") == "p99" && row.value("phase", "") == "delivery") p99 = true;
  }
  EXPECT_TRUE(lost);
  EXPECT_TRUE(p99);
  const std::string html = compare_html(comparison);
  EXPECT_NE(html.find(">delivery at the sink (--sink)</th>"), std::string::npos);
  EXPECT_NE(html.find(">phase delivery_from_start</th>"), std::string::npos);
  const std::string text = compare_text(comparison);
  EXPECT_NE(text.find("p99:delivery"), std::string::npos) << text;
  EXPECT_NE(compare_markdown(comparison).find("lost"), std::string::npos);
}

TEST(CompareDelivery, ParsesAndRefuses) {
  std::string error;
  const auto p99 = parse_compare_threshold("p99:delivery_from_start:+5ms", error);
  ASSERT_TRUE(p99) << error;
  EXPECT_EQ(p99->metric.delivery_latency, load::DeliveryLatency::from_start);
  EXPECT_EQ(metric_label(p99->metric), "p99:delivery_from_start");
  EXPECT_FALSE(parse_compare_threshold("lost:-1", error));
  EXPECT_NE(error.find("'lost' gets worse when it rises"), std::string::npos) << error;
  EXPECT_FALSE(parse_compare_threshold("lost:delivery:+1", error));
  EXPECT_NE(error.find("'lost' has no phase"), std::string::npos) << error;
  EXPECT_FALSE(parse_compare_threshold("delivered_pairs:+1", error));
  EXPECT_NE(error.find("gets worse when it falls"), std::string::npos) << error;
  EXPECT_FALSE(parse_compare_threshold("p99:deliveryx:+1ms", error));
  EXPECT_NE(error.find("delivery, delivery_from_start"), std::string::npos) << error;
}

}  // namespace
}  // namespace smtp::reports::compare_delivery_test
