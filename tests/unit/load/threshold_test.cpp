#include "load/threshold.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace smtp::load::threshold_test {
namespace {

using Metric = Threshold::Metric;
using Op = Threshold::Op;

constexpr double kMs = 1e6;

Threshold parse_ok(std::string_view text) {
  std::string error;
  const auto threshold = parse_threshold(text, error);
  EXPECT_TRUE(threshold.has_value()) << text << ": " << error;
  EXPECT_EQ(error, "") << text;
  return threshold.value_or(Threshold{});
}

std::string parse_error(std::string_view text) {
  std::string error;
  const auto threshold = parse_threshold(text, error);
  EXPECT_FALSE(threshold.has_value()) << text;
  return error;
}

ThresholdVerdict judge(std::string_view text, const Metrics& metrics, double elapsed = 10) {
  return evaluate(parse_ok(text), metrics, elapsed, std::nullopt);
}

// n transactions whose response time was `nanoseconds` each.
Metrics transactions_taking(std::uint64_t nanoseconds, int n, int reply_class = 2) {
  Metrics metrics;
  for (int i = 0; i < n; ++i) {
    metrics.record_latency(MeasuredPhase::transaction, reply_class, nanoseconds);
  }
  return metrics;
}

// 1000 transactions started, 990 delivered, 6 refused with a 4xx, 3 with a
// 5xx, one lost; 5 errors counted of two kinds.
Metrics mixed_run() {
  Metrics metrics;
  Counters& c = metrics.counters();
  c.transactions_started = 1000;
  c.delivered = 990;
  c.refused_4xx = 6;
  c.refused_5xx = 3;
  c.failed = 1;
  metrics.count_error(ErrorKind::timeout, 2);
  metrics.count_error(ErrorKind::reply_4xx, 3);
  return metrics;
}

TEST(ParseThreshold, Percentile) {
  const Threshold t = parse_ok("p99<250ms");
  EXPECT_EQ(t.text, "p99<250ms");
  EXPECT_EQ(t.metric, Metric::percentile);
  EXPECT_EQ(t.percentile, 99);
  EXPECT_EQ(t.phase, MeasuredPhase::transaction);
  EXPECT_EQ(t.op, Op::less);
  EXPECT_EQ(t.value, 250 * kMs);
  EXPECT_FALSE(t.share);
}

TEST(ParseThreshold, FractionalPercentileAndEveryOperator) {
  const Threshold le = parse_ok("p99.9<=1.5s");
  EXPECT_EQ(le.percentile, 99.9);
  EXPECT_EQ(le.op, Op::less_equal);
  EXPECT_EQ(le.value, 1.5e9);
  EXPECT_EQ(parse_ok("p50>1ms").op, Op::greater);
  EXPECT_EQ(parse_ok("p50>=1ms").op, Op::greater_equal);
  EXPECT_EQ(parse_ok("p0>=1ns").percentile, 0);
  EXPECT_EQ(parse_ok("p100<1h").percentile, 100);
  EXPECT_EQ(parse_ok("p100<1h").value, 3600e9);
}

TEST(ParseThreshold, SpacesAroundThePartsAndAPhase) {
  const Threshold t = parse_ok("  p50 : end_of_data  >=  20us ");
  EXPECT_EQ(t.text, "p50 : end_of_data  >=  20us");
  EXPECT_EQ(t.percentile, 50);
  EXPECT_EQ(t.phase, MeasuredPhase::end_of_data);
  EXPECT_EQ(t.op, Op::greater_equal);
  EXPECT_EQ(t.value, 20e3);
}

TEST(ParseThreshold, OtherLatencyMetrics) {
  const Threshold mean = parse_ok("mean:rcpt<100us");
  EXPECT_EQ(mean.metric, Metric::mean);
  EXPECT_EQ(mean.phase, MeasuredPhase::rcpt);
  EXPECT_EQ(mean.value, 100e3);
  EXPECT_EQ(parse_ok("max:tls_handshake<2m").metric, Metric::max);
  EXPECT_EQ(parse_ok("max:tls_handshake<2m").value, 120e9);
  EXPECT_EQ(parse_ok("min>500ns").metric, Metric::min);
  EXPECT_EQ(parse_ok("min>500ns").value, 500);
}

TEST(ParseThreshold, CountsAndShares) {
  const Threshold share = parse_ok("errors<1%");
  EXPECT_EQ(share.metric, Metric::errors);
  EXPECT_TRUE(share.share);
  EXPECT_EQ(share.value, 1);
  const Threshold count = parse_ok("errors<=10");
  EXPECT_FALSE(count.share);
  EXPECT_EQ(count.value, 10);
  const Threshold spaced = parse_ok("4xx < 0.5 %");
  EXPECT_EQ(spaced.metric, Metric::reply_4xx);
  EXPECT_TRUE(spaced.share);
  EXPECT_EQ(spaced.value, 0.5);
  EXPECT_EQ(parse_ok("5xx<=0").metric, Metric::reply_5xx);
  const Threshold delivered = parse_ok("delivered>=99.5%");
  EXPECT_EQ(delivered.metric, Metric::delivered);
  EXPECT_TRUE(delivered.share);
  EXPECT_EQ(delivered.value, 99.5);
  EXPECT_EQ(parse_ok("delivered>=100%").value, 100);
  EXPECT_FALSE(parse_ok("delivered>1000").share);
}

TEST(ParseThreshold, Rate) {
  const Threshold t = parse_ok("rate>=5000");
  EXPECT_EQ(t.metric, Metric::rate);
  EXPECT_EQ(t.value, 5000);
  EXPECT_FALSE(t.share);
  EXPECT_EQ(parse_ok("rate >= 4999.5/s").value, 4999.5);
}

struct BadThreshold {
  std::string text;
  std::string expected;  // a part of the error message
};

TEST(ParseThreshold, RejectsBadInputWithAClearReason) {
  const std::vector<BadThreshold> cases = {
      {"", "empty threshold"},
      {"   ", "empty threshold"},
      {"p99 250ms", "missing operator in 'p99 250ms' (expected <, <=, > or >=)"},
      {"p99=250ms", "missing operator"},
      {"<250ms", "missing metric in '<250ms'"},
      {"p99x<250ms", "unknown metric 'p99x' in 'p99x<250ms' (expected pN, mean"},
      {"latency<250ms", "unknown metric 'latency'"},
      {"P99<250ms", "unknown metric 'P99'"},
      {"p<1s", "unknown metric 'p'"},
      {"p99.<1s", "unknown metric 'p99.'"},
      {"p.9<1s", "unknown metric 'p.9'"},
      {"p-1<1s", "unknown metric 'p-1'"},
      {"p99:foo<250ms", "unknown phase 'foo' in 'p99:foo<250ms'"},
      {"p99:RCPT<250ms", "unknown phase 'RCPT'"},
      {"p99:<250ms", "missing phase after ':'"},
      {"p99<", "missing value in 'p99<'"},
      {"errors<= ", "missing value"},
      {"p99<abc", "bad duration 'abc' in 'p99<abc' (expected a duration such as 250ms)"},
      {"p99<-5ms", "bad duration '-5ms'"},
      {"p99<<250ms", "bad duration '<250ms'"},
      {"p99<250ms junk", "bad duration '250ms junk'"},
      {"p99<250", "the limit '250' in 'p99<250' needs a unit"},
      {"mean<1.5", "needs a unit"},
      {"p99<1e3", "the limit '1e3' in 'p99<1e3' needs a unit"},
      {"p99<5%", "a latency limit cannot be a percentage in 'p99<5%'"},
      {"p101<1s", "percentile 101 in 'p101<1s' is above 100"},
      {"p100.5<1s", "percentile 100.5 in 'p100.5<1s' is above 100"},
      {"errors<5ms", "'errors' takes a number, not a duration in 'errors<5ms'"},
      {"delivered>1s", "'delivered' takes a number, not a duration"},
      {"errors<abc", "bad value 'abc' in 'errors<abc' (expected a number, optionally with %)"},
      {"errors<-1", "bad value '-1'"},
      {"errors<1e3", "bad value '1e3'"},
      {"errors<%", "bad value ''"},
      {"errors<150%", "share 150% in 'errors<150%' is above 100%"},
      {"rate<5%", "'rate' cannot be a percentage in 'rate<5%'"},
      {"rate>fast", "bad value 'fast' in 'rate>fast' (expected a number)"},
      {"errors:rcpt<1%", "'errors' has no phase in 'errors:rcpt<1%'"},
      {"rate:transaction>1", "has no phase"},
  };
  for (const auto& c : cases) {
    const std::string error = parse_error(c.text);
    EXPECT_NE(error.find(c.expected), std::string::npos)
        << "'" << c.text << "' gave \"" << error << "\", expected it to contain \"" << c.expected
        << "\"";
  }
}

TEST(EvaluateThreshold, PercentilePassesAndFails) {
  const Metrics metrics = transactions_taking(231'400'000, 100);
  const ThresholdVerdict pass = judge("p99<250ms", metrics);
  EXPECT_TRUE(pass.passed);
  EXPECT_EQ(pass.observed, 231.4 * kMs);
  EXPECT_EQ(pass.detail, "p99 = 231.4ms, limit < 250ms");
  EXPECT_EQ(pass.threshold.text, "p99<250ms");
  const ThresholdVerdict fail = judge("p99<200ms", metrics);
  EXPECT_FALSE(fail.passed);
  EXPECT_EQ(fail.detail, "p99 = 231.4ms, limit < 200ms");
}

TEST(EvaluateThreshold, PercentileIsTheHistogramQuantileOverEveryClass) {
  Metrics metrics;
  Histogram expected;
  for (std::uint64_t i = 1; i <= 1000; ++i) {
    const int reply_class = i % 10 == 0 ? 4 : 2;  // every tenth refused, in its own histogram
    metrics.record_latency(MeasuredPhase::transaction, reply_class, i * 1'000'000);
    expected.record(i * 1'000'000);
  }
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    Threshold t = parse_ok("p50<1h");
    t.percentile = p;
    EXPECT_EQ(evaluate(t, metrics, 1, std::nullopt).observed,
              static_cast<double>(expected.quantile(p / 100)))
        << p;
  }
}

TEST(EvaluateThreshold, EveryOperatorAtTheBoundary) {
  const Metrics metrics = transactions_taking(20'000'000, 10);
  EXPECT_FALSE(judge("p50<20ms", metrics).passed);
  EXPECT_TRUE(judge("p50<=20ms", metrics).passed);
  EXPECT_FALSE(judge("p50>20ms", metrics).passed);
  EXPECT_TRUE(judge("p50>=20ms", metrics).passed);
  EXPECT_TRUE(judge("p50>19.9ms", metrics).passed);
  EXPECT_FALSE(judge("p50>=20.1ms", metrics).passed);
}

TEST(EvaluateThreshold, MeanMaxAndMin) {
  Metrics metrics;
  metrics.record_latency(MeasuredPhase::transaction, 2, 10'000'000);
  metrics.record_latency(MeasuredPhase::transaction, 5, 30'000'000);
  const auto mean = judge("mean<25ms", metrics);
  EXPECT_TRUE(mean.passed);
  EXPECT_EQ(mean.observed, 20 * kMs);
  EXPECT_EQ(mean.detail, "mean = 20ms, limit < 25ms");
  EXPECT_FALSE(judge("mean<20ms", metrics).passed);
  const auto max = judge("max<=25ms", metrics);
  EXPECT_FALSE(max.passed);
  EXPECT_EQ(max.observed, 30 * kMs);
  EXPECT_EQ(max.detail, "max = 30ms, limit <= 25ms");
  EXPECT_TRUE(judge("max<=30ms", metrics).passed);
  const auto min = judge("min>=15ms", metrics);
  EXPECT_FALSE(min.passed);
  EXPECT_EQ(min.detail, "min = 10ms, limit >= 15ms");
  EXPECT_TRUE(judge("min>5ms", metrics).passed);
}

TEST(EvaluateThreshold, APhaseIsJudgedOnItsOwnHistogram) {
  Metrics metrics = transactions_taking(500'000'000, 10);
  metrics.record_latency(MeasuredPhase::end_of_data, 2, 20'500'000);
  const auto verdict = judge("p50:end_of_data<21.5ms", metrics);
  EXPECT_TRUE(verdict.passed);
  EXPECT_EQ(verdict.detail, "p50:end_of_data = 20.5ms, limit < 21.5ms");
  EXPECT_FALSE(judge("p50<21.5ms", metrics).passed);
}

TEST(EvaluateThreshold, DurationsPrintInAReadableUnit) {
  struct Case {
    std::uint64_t nanoseconds;
    std::string shown;
  };
  const std::vector<Case> cases = {
      {512, "512ns"},           {999, "999ns"},
      {87'300, "87.3µs"},       {1'234'567, "1.235ms"},
      {999'400'000, "999.4ms"}, {999'990'000, "1s"},
      {1'500'000'000, "1.5s"},  {150'000'000'000, "150s"},
  };
  for (const auto& c : cases) {
    const auto verdict = judge("max<2h", transactions_taking(c.nanoseconds, 1));
    EXPECT_EQ(verdict.detail, "max = " + c.shown + ", limit < 7200s") << c.nanoseconds;
  }
}

TEST(EvaluateThreshold, LatencyWithNoDataPassesAnUpperBoundOnly) {
  const Metrics metrics = transactions_taking(1'000'000'000, 5);
  for (const char* text : {"p99:rcpt<1ms", "mean:auth<1ms", "max:starttls<=1ms"}) {
    const auto verdict = judge(text, metrics);
    EXPECT_TRUE(verdict.passed) << text;
    EXPECT_EQ(verdict.detail, "no data") << text;
  }
  EXPECT_TRUE(judge("p99<1ms", Metrics{}).passed);
  const auto lower = judge("min:bdat>1s", metrics);
  EXPECT_FALSE(lower.passed);
  EXPECT_EQ(lower.detail, "no data");
}

TEST(EvaluateThreshold, ErrorsSumEveryKind) {
  const Metrics metrics = mixed_run();  // 5 errors in 1000 transactions
  const auto share = judge("errors<1%", metrics);
  EXPECT_TRUE(share.passed);
  EXPECT_EQ(share.observed, 0.5);
  EXPECT_EQ(share.detail, "errors = 0.5%, limit < 1%");
  EXPECT_FALSE(judge("errors<0.5%", metrics).passed);
  const auto count = judge("errors<5", metrics);
  EXPECT_FALSE(count.passed);
  EXPECT_EQ(count.observed, 5);
  EXPECT_EQ(count.detail, "errors = 5, limit < 5");
  EXPECT_TRUE(judge("errors<=5", metrics).passed);
}

TEST(EvaluateThreshold, RefusalsByClass) {
  const Metrics metrics = mixed_run();
  const auto fours = judge("4xx<0.5%", metrics);
  EXPECT_FALSE(fours.passed);
  EXPECT_EQ(fours.observed, 0.6);
  EXPECT_EQ(fours.detail, "4xx = 0.6%, limit < 0.5%");
  EXPECT_TRUE(judge("4xx<=6", metrics).passed);
  const auto fives = judge("5xx<=0.3%", metrics);
  EXPECT_TRUE(fives.passed);
  EXPECT_EQ(fives.observed, 0.3);
  EXPECT_FALSE(judge("5xx<3", metrics).passed);
}

TEST(EvaluateThreshold, Delivered) {
  const Metrics metrics = mixed_run();
  const auto share = judge("delivered>=99%", metrics);
  EXPECT_TRUE(share.passed);
  EXPECT_EQ(share.observed, 99);
  EXPECT_EQ(share.detail, "delivered = 99%, limit >= 99%");
  EXPECT_FALSE(judge("delivered>=99.5%", metrics).passed);
  EXPECT_TRUE(judge("delivered>=990", metrics).passed);
  EXPECT_FALSE(judge("delivered>990", metrics).passed);
}

TEST(EvaluateThreshold, RateIsTransactionsStartedPerSecond) {
  const Metrics metrics = mixed_run();  // 1000 started
  const auto pass = judge("rate>=400", metrics, 2.5);
  EXPECT_TRUE(pass.passed);
  EXPECT_EQ(pass.observed, 400);
  EXPECT_EQ(pass.detail, "rate = 400/s, limit >= 400/s");
  const auto fail = judge("rate>=500/s", metrics, 2.5);
  EXPECT_FALSE(fail.passed);
  EXPECT_EQ(fail.detail, "rate = 400/s, limit >= 500/s");
  EXPECT_FALSE(judge("rate>0", Metrics{}, 10).passed);  // nothing started: 0/s
}

TEST(EvaluateThreshold, SharesAndRateWithNothingToDivideBy) {
  for (const char* text : {"errors<1%", "4xx<1%", "5xx<1%"}) {
    const auto verdict = judge(text, Metrics{});
    EXPECT_TRUE(verdict.passed) << text;
    EXPECT_EQ(verdict.detail, "no data") << text;
  }
  // Nothing delivered out of nothing started has not reached 99%.
  EXPECT_FALSE(judge("delivered>=99%", Metrics{}).passed);
  const auto rate = judge("rate>=100", mixed_run(), 0);
  EXPECT_FALSE(rate.passed);
  EXPECT_EQ(rate.detail, "no data");
  EXPECT_TRUE(judge("rate<100", mixed_run(), 0).passed);
}

TEST(EvaluateThreshold, ErrorsWithNothingStartedAreAllThereWas) {
  Metrics metrics;
  metrics.count_error(ErrorKind::auth, 3);
  const auto verdict = judge("errors<1%", metrics);
  EXPECT_FALSE(verdict.passed);
  EXPECT_EQ(verdict.observed, 100);
}

TEST(EvaluateThreshold, CountsWithNothingStartedAreStillJudged) {
  EXPECT_TRUE(judge("errors<1", Metrics{}).passed);
  const auto delivered = judge("delivered>=1", Metrics{});
  EXPECT_FALSE(delivered.passed);
  EXPECT_EQ(delivered.detail, "delivered = 0, limit >= 1");
}

}  // namespace
}  // namespace smtp::load::threshold_test
