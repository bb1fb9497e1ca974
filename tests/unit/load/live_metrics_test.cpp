#include "load/live_metrics.hpp"

#include <gtest/gtest.h>

#include <string>

#include "load/prometheus_buckets.hpp"
#include "support/prometheus_parse.hpp"

namespace smtp::load::live_metrics_test {
namespace {

constexpr std::uint64_t kMs = 1'000'000;

TEST(ClassicBuckets, CountsEachValueUnderTheFirstBoundAtOrAboveIt) {
  Histogram h;
  h.record(100'000);       // 0.1 ms: le 0.0005 and up
  h.record(2 * kMs);       // 2 ms: le 0.0025 and up
  h.record(40 * kMs);      // 40 ms: le 0.05 and up
  h.record(90'000 * kMs);  // 90 s: +Inf only
  const auto b = classic_buckets(h);
  ASSERT_EQ(b.cumulative.size(), kLatencyBucketBounds.size());
  EXPECT_EQ(b.cumulative[0], 1u);      // 0.0005
  EXPECT_EQ(b.cumulative[1], 1u);      // 0.001
  EXPECT_EQ(b.cumulative[2], 2u);      // 0.0025
  EXPECT_EQ(b.cumulative[5], 2u);      // 0.025
  EXPECT_EQ(b.cumulative[6], 3u);      // 0.05
  EXPECT_EQ(b.cumulative.back(), 3u);  // 60
  EXPECT_EQ(b.count, 4u);
  EXPECT_NEAR(b.sum_seconds, 90.0421, 1e-6);
}

// A bucket that straddles a bound is counted under the next one: `le`
// never counts a value above it, and misses at most the last 0.79% below.
TEST(ClassicBuckets, NeverCountsAValueAboveItsBound) {
  for (std::size_t j = 0; j < kLatencyBucketBounds.size(); ++j) {
    const auto bound = static_cast<std::uint64_t>(kLatencyBucketBounds[j] * 1e9 + 0.5);
    Histogram above;
    above.record(bound + 1);
    EXPECT_EQ(classic_buckets(above).cumulative[j], 0u) << kLatencyBucketBounds[j];
    Histogram below;
    below.record(bound - bound / 125);  // 0.8% below
    EXPECT_EQ(classic_buckets(below).cumulative[j], 1u) << kLatencyBucketBounds[j];
  }
}

Metrics sample_metrics() {
  Metrics m;
  auto& c = m.counters();
  c.transactions_started = 12;
  c.delivered = 9;
  c.refused_4xx = 2;
  c.failed = 1;
  c.late_starts = 3;
  m.count_reply(MeasuredPhase::rcpt, 250, "2.1.5", 10);
  m.count_reply(MeasuredPhase::rcpt, 250, "", 1);
  m.count_reply(MeasuredPhase::rcpt, 451, "4.7.1", 2);
  m.count_error(ErrorKind::reply_4xx, 2);
  m.record_latency(MeasuredPhase::transaction, 2, 3 * kMs);
  m.record_latency(MeasuredPhase::transaction, 4, 700 * kMs);
  m.record_latency(MeasuredPhase::mail, 2, kMs / 2);
  return m;
}

TEST(LiveMetrics, ParsesBackWithEveryFigureAndTheConstantLabels) {
  const auto m = sample_metrics();
  SecondSample second;
  second.started = 7;
  second.loop_lag_max_ns = 2 * kMs;
  second.cpu_seconds = 1.5;
  LiveMetricsInput in;
  in.shard = "2/4";
  in.run_id = "ab\"c\n";
  in.so_far = &m;
  in.last_second = &second;
  in.target_rate = 250;
  const auto text = live_metrics_text(in);
  const auto parsed = test::parse_prometheus(text);
  ASSERT_EQ(parsed.error, "") << text;
  for (const auto& s : parsed.samples) {
    EXPECT_EQ(s.labels.at("shard"), "2/4") << s.name;
    EXPECT_EQ(s.labels.at("run_id"), "ab\"c\n") << s.name;
  }
  EXPECT_EQ(parsed.value("smtp_harness_transactions_started_total"), 12.0);
  EXPECT_EQ(parsed.value("smtp_harness_transactions_total", {{"outcome", "delivered"}}), 9.0);
  EXPECT_EQ(parsed.value("smtp_harness_transactions_total", {{"outcome", "refused_4xx"}}), 2.0);
  EXPECT_EQ(parsed.value("smtp_harness_transactions_total", {{"outcome", "failed"}}), 1.0);
  // The enhanced codes of one phase and code add up into one series.
  EXPECT_EQ(parsed.value("smtp_harness_replies_total", {{"phase", "rcpt"}, {"code", "250"}}), 11.0);
  EXPECT_EQ(parsed.value("smtp_harness_replies_total", {{"phase", "rcpt"}, {"code", "451"}}), 2.0);
  EXPECT_EQ(parsed.value("smtp_harness_errors_total", {{"kind", "4xx"}}), 2.0);
  EXPECT_EQ(parsed.value("smtp_harness_errors_total", {{"kind", "connect"}}), 0.0);
  EXPECT_EQ(parsed.value("smtp_harness_late_starts_total"), 3.0);
  EXPECT_EQ(parsed.value("smtp_harness_target_rate"), 250.0);
  EXPECT_EQ(parsed.value("smtp_harness_achieved_rate"), 7.0);
  EXPECT_EQ(parsed.value("smtp_harness_loop_lag_seconds"), 0.002);
  EXPECT_EQ(parsed.value("smtp_harness_cpu_seconds_total"), 1.5);
  EXPECT_EQ(parsed.value("smtp_harness_run_finished"), 0.0);
  // Every class of a phase in one histogram; phases never timed are absent.
  EXPECT_EQ(parsed.value("smtp_harness_latency_seconds_count", {{"phase", "transaction"}}), 2.0);
  EXPECT_EQ(parsed.value("smtp_harness_latency_seconds_bucket",
                         {{"phase", "transaction"}, {"le", "0.5"}}),
            1.0);
  EXPECT_EQ(
      parsed.value("smtp_harness_latency_seconds_bucket", {{"phase", "transaction"}, {"le", "1"}}),
      2.0);
  EXPECT_EQ(parsed.value("smtp_harness_latency_seconds_count", {{"phase", "mail"}}), 1.0);
  EXPECT_EQ(parsed.value("smtp_harness_latency_seconds_count", {{"phase", "data"}}), std::nullopt);
  EXPECT_EQ(parsed.types.count("smtp_harness_delivery_total"), 0u);
}

TEST(LiveMetrics, DeliveryFiguresWithASink) {
  DeliveryResult d;
  d.counts.accepted = 5;
  d.counts.delivered = 4;
  d.counts.lost = 1;
  d.latency.record(30 * kMs);
  LiveMetricsInput in;
  in.shard = "1/1";
  in.run_id = "x";
  in.delivery = &d;
  in.finished = true;
  const auto parsed = test::parse_prometheus(live_metrics_text(in));
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.value("smtp_harness_delivery_total", {{"outcome", "delivered"}}), 4.0);
  EXPECT_EQ(parsed.value("smtp_harness_delivery_pending"), 1.0);
  EXPECT_EQ(parsed.value("smtp_harness_delivery_latency_seconds_count"), 1.0);
  EXPECT_EQ(parsed.value("smtp_harness_run_finished"), 1.0);
  // The closed model has no target rate.
  EXPECT_EQ(parsed.types.count("smtp_harness_target_rate"), 0u);
}

}  // namespace
}  // namespace smtp::load::live_metrics_test
