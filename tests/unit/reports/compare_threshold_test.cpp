#include "reports/compare_threshold.hpp"

#include <gtest/gtest.h>

#include <string>

namespace smtp::reports::compare_threshold_test {
namespace {

using Form = CompareThreshold::Form;
using Kind = CompareMetric::Kind;
using load::MeasuredPhase;
using Verdict = ThresholdJudgement::Verdict;

constexpr double kMs = 1e6;

CompareThreshold parsed(const std::string& text) {
  std::string error;
  const auto threshold = parse_compare_threshold(text, error);
  EXPECT_TRUE(threshold.has_value()) << text << ": " << error;
  return threshold.value_or(CompareThreshold{});
}

TEST(CompareThresholdParse, RelativeLatencyOfTheTransaction) {
  const CompareThreshold threshold = parsed("p99:+10%");
  EXPECT_EQ(threshold.text, "p99:+10%");
  EXPECT_EQ(threshold.metric.kind, Kind::percentile);
  EXPECT_EQ(threshold.metric.percentile, 99);
  EXPECT_EQ(threshold.metric.phase, MeasuredPhase::transaction);
  EXPECT_EQ(threshold.form, Form::relative);
  EXPECT_EQ(threshold.amount, 10);
}

TEST(CompareThresholdParse, PhaseAndAbsoluteDuration) {
  const CompareThreshold threshold = parsed("p99.9:rcpt:+5ms");
  EXPECT_EQ(threshold.metric.percentile, 99.9);
  EXPECT_EQ(threshold.metric.phase, MeasuredPhase::rcpt);
  EXPECT_EQ(threshold.form, Form::absolute);
  EXPECT_EQ(threshold.amount, 5 * kMs);
}

TEST(CompareThresholdParse, SpacesAroundThePartsAreAllowed) {
  const CompareThreshold threshold = parsed("  mean : end_of_data : + 1.5s ");
  EXPECT_EQ(threshold.text, "mean : end_of_data : + 1.5s");
  EXPECT_EQ(threshold.metric.kind, Kind::mean);
  EXPECT_EQ(threshold.metric.phase, MeasuredPhase::end_of_data);
  EXPECT_EQ(threshold.amount, 1.5e9);
}

TEST(CompareThresholdParse, EachMetricInItsUnits) {
  struct Case {
    std::string text;
    Kind kind;
    Form form;
    double amount;
  };
  const Case cases[] = {
      {"max:+0%", Kind::max, Form::relative, 0},
      {"p50:service:+2%", Kind::percentile, Form::relative, 2},
      {"throughput:-5%", Kind::throughput, Form::relative, 5},
      {"throughput:-100/s", Kind::throughput, Form::absolute, 100},
      {"rate:-12.5/s", Kind::rate, Form::absolute, 12.5},
      {"rate:-100%", Kind::rate, Form::relative, 100},
      {"delivered:-3", Kind::delivered, Form::absolute, 3},
      {"delivered:-1%", Kind::delivered, Form::relative, 1},
      {"errors:+0.5pp", Kind::errors, Form::absolute, 0.5},
      {"4xx:+1pp", Kind::reply_4xx, Form::absolute, 1},
      {"5xx:+0pp", Kind::reply_5xx, Form::absolute, 0},
      {"5xx:+100pp", Kind::reply_5xx, Form::absolute, 100},
  };
  for (const Case& c : cases) {
    const CompareThreshold threshold = parsed(c.text);
    EXPECT_EQ(threshold.metric.kind, c.kind) << c.text;
    EXPECT_EQ(threshold.form, c.form) << c.text;
    EXPECT_EQ(threshold.amount, c.amount) << c.text;
  }
}

TEST(CompareThresholdParse, BadInputIsRefusedWithAReason) {
  struct Case {
    std::string text;
    std::string reason;  // a part of the error
  };
  const Case cases[] = {
      {"", "empty threshold"},
      {"   ", "empty threshold"},
      {"p99", "missing ':' and limit"},
      {"p99<250ms", "is a load threshold"},
      {"errors<=1%", "is a load threshold"},
      {"p99:", "missing limit"},
      {":+10%", "missing metric"},
      {"p99::+10%", "missing phase after ':'"},
      {"p99:10%", "needs a sign: + for a rise, - for a fall (e.g. p99:+10%)"},
      {"throughput:5%", "needs a sign"},
      {"p99:-10%", "'p99' gets worse when it rises, so its limit takes '+'"},
      {"errors:-1pp", "'errors' gets worse when it rises"},
      {"throughput:+5%", "'throughput' gets worse when it falls, so its limit takes '-'"},
      {"delivered:+1", "'delivered' gets worse when it falls"},
      {"rate:+5/s", "'rate' gets worse when it falls"},
      {"errors:+1%",
       "'errors' is a share: write its limit in percentage points, e.g. "
       "errors:+0.5pp"},
      {"4xx:+1%", "'4xx' is a share"},
      {"errors:+1", "bad limit '1' in 'errors:+1' (errors takes pp (percentage points))"},
      {"errors:+101pp", "at most 100pp"},
      {"throughput:-150%", "a fall of more than 100% in 'throughput:-150%' cannot happen"},
      {"throughput:-5", "bad limit '5' in 'throughput:-5' (throughput takes % or /s)"},
      {"delivered:-5/s", "bad limit"},
      {"p99:+10", "bad limit '10' in 'p99:+10' (p99 takes % or a duration such as 5ms)"},
      {"p99:+ms", "bad limit"},
      {"p99:+", "bad limit"},
      {"p99:+-5%", "bad limit"},
      {"p99:++5%", "bad limit"},
      {"p99:+1e3%", "bad limit"},
      {"p99:+nan%", "bad limit"},
      {"p99:+inf%", "bad limit"},
      {"p99:+5 ms", "bad limit"},
      {"p99:+5pp", "bad limit"},
      {"latency:+10%", "unknown metric 'latency'"},
      {"P99:+10%", "unknown metric 'P99'"},
      {"p:+10%", "unknown metric 'p'"},
      {"p.5:+10%", "unknown metric"},
      {"p99.:+10%", "unknown metric"},
      {"p9.9.9:+10%", "unknown metric"},
      {"p101:+10%", "percentile 101 in 'p101:+10%' is above 100"},
      {"p99:foo:+10%", "unknown phase 'foo'"},
      {"p99:RCPT:+10%", "unknown phase 'RCPT'"},
      {"throughput:rcpt:-5%", "'throughput' has no phase"},
      {"errors:transaction:+1pp", "'errors' has no phase"},
      {"p99:rcpt:x:+10%", "too many ':'"},
  };
  for (const Case& c : cases) {
    std::string error;
    const auto threshold = parse_compare_threshold(c.text, error);
    EXPECT_FALSE(threshold.has_value()) << "accepted: '" << c.text << "'";
    EXPECT_NE(error.find(c.reason), std::string::npos)
        << "'" << c.text << "': " << error << "\nexpected: " << c.reason;
  }
}

TEST(CompareThresholdParse, LimitTextIsCanonical) {
  EXPECT_EQ(limit_text(parsed("p99:+10%")), "+10%");
  EXPECT_EQ(limit_text(parsed("p99:+ 12.5 %")), "+12.5%");
  EXPECT_EQ(limit_text(parsed("p99:+5ms")), "+5ms");
  EXPECT_EQ(limit_text(parsed("p99:+1500us")), "+1.5ms");
  EXPECT_EQ(limit_text(parsed("throughput:-5%")), "-5%");
  EXPECT_EQ(limit_text(parsed("throughput:-100/s")), "-100/s");
  EXPECT_EQ(limit_text(parsed("delivered:-1234567")), "-1234567");
  EXPECT_EQ(limit_text(parsed("errors:+0.5pp")), "+0.5pp");
  EXPECT_EQ(limit_text(parsed("5xx:+0pp")), "+0pp");
}

TEST(CompareThresholdJudge, RelativeRiseBeyondTheLimitIsARegression) {
  const auto judgement = judge(parsed("p99:+10%"), 100 * kMs, 123.4 * kMs);
  EXPECT_EQ(judgement.verdict, Verdict::regression);
  ASSERT_TRUE(judgement.change.has_value());
  EXPECT_NEAR(*judgement.change, 23.4, 1e-9);
  EXPECT_EQ(judgement.detail, "p99 +23.4% (limit +10%)");
}

TEST(CompareThresholdJudge, ExactlyAtTheLimitPasses) {
  // "more than 10% above": 110 of 100 is not.
  EXPECT_EQ(judge(parsed("p99:+10%"), 100.0, 110.0).verdict, Verdict::ok);
  EXPECT_EQ(judge(parsed("p99:+10%"), 100.0, 110.5).verdict, Verdict::regression);
  EXPECT_EQ(judge(parsed("errors:+1pp"), 1.0, 2.0).verdict, Verdict::ok);
  EXPECT_EQ(judge(parsed("errors:+1pp"), 1.0, 2.25).verdict, Verdict::regression);
}

TEST(CompareThresholdJudge, AnImprovementIsNeverARegression) {
  EXPECT_EQ(judge(parsed("p99:+0%"), 100 * kMs, 50 * kMs).verdict, Verdict::ok);
  EXPECT_EQ(judge(parsed("throughput:-0%"), 100.0, 200.0).verdict, Verdict::ok);
  EXPECT_EQ(judge(parsed("errors:+0pp"), 5.0, 0.0).verdict, Verdict::ok);
}

TEST(CompareThresholdJudge, IdenticalValuesPassEvenAZeroLimit) {
  for (const char* text : {"p99:+0%", "p99:+0ms", "throughput:-0%", "throughput:-0/s",
                           "delivered:-0", "errors:+0pp"}) {
    const auto judgement = judge(parsed(text), 42.0, 42.0);
    EXPECT_EQ(judgement.verdict, Verdict::ok) << text;
    EXPECT_EQ(judgement.change, 0.0) << text;
    EXPECT_EQ(judgement.detail.substr(judgement.detail.find(' ')),
              " unchanged (limit " + limit_text(parsed(text)) + ")")
        << text;
  }
}

TEST(CompareThresholdJudge, FallOfThroughput) {
  const auto judgement = judge(parsed("throughput:-5%"), 1000.0, 900.0);
  EXPECT_EQ(judgement.verdict, Verdict::regression);
  EXPECT_EQ(judgement.detail, "throughput -10% (limit -5%)");
  EXPECT_EQ(judge(parsed("throughput:-5%"), 1000.0, 960.0).verdict, Verdict::ok);
  EXPECT_EQ(judge(parsed("throughput:-50/s"), 1000.0, 949.0).verdict, Verdict::regression);
  EXPECT_EQ(judge(parsed("throughput:-50/s"), 1000.0, 951.0).verdict, Verdict::ok);
}

TEST(CompareThresholdJudge, AbsoluteLatencyAndShares) {
  const auto latency = judge(parsed("p99:rcpt:+5ms"), 10 * kMs, 16 * kMs);
  EXPECT_EQ(latency.verdict, Verdict::regression);
  EXPECT_EQ(latency.change, 6 * kMs);
  EXPECT_EQ(latency.detail, "p99:rcpt +6ms (limit +5ms)");
  const auto share = judge(parsed("errors:+0.5pp"), 0.25, 1.0);
  EXPECT_EQ(share.verdict, Verdict::regression);
  EXPECT_EQ(share.detail, "errors +0.75pp (limit +0.5pp)");
}

TEST(CompareThresholdJudge, ChangeFromZero) {
  // No relative size: any rise crosses a relative limit; nothing falls below 0.
  const auto rise = judge(parsed("p99:+1000%"), 0.0, 1 * kMs);
  EXPECT_EQ(rise.verdict, Verdict::regression);
  EXPECT_FALSE(rise.change.has_value());
  EXPECT_EQ(rise.detail, "p99 rose from 0 to 1ms (limit +1000%)");
  EXPECT_EQ(judge(parsed("delivered:-10%"), 0.0, 5.0).verdict, Verdict::ok);
  EXPECT_EQ(judge(parsed("p99:+10%"), 0.0, 0.0).verdict, Verdict::ok);
}

TEST(CompareThresholdJudge, NoDataInBaseIsNeverARegression) {
  const auto judgement = judge(parsed("p99:+10%"), std::nullopt, 5 * kMs);
  EXPECT_EQ(judgement.verdict, Verdict::no_data);
  EXPECT_EQ(judgement.detail, "p99: no data in BASE");
  EXPECT_EQ(judge(parsed("p99:+10%"), std::nullopt, std::nullopt).detail,
            "p99: no data in either run");
}

TEST(CompareThresholdJudge, NoDataInNewIsARegressionOnlyForWholeTransactions) {
  const auto transaction = judge(parsed("p99:+10%"), 5 * kMs, std::nullopt);
  EXPECT_EQ(transaction.verdict, Verdict::regression);
  EXPECT_EQ(transaction.detail, "p99: no data in NEW, BASE had 5ms (limit +10%)");
  EXPECT_EQ(judge(parsed("throughput:-5%"), 100.0, std::nullopt).verdict, Verdict::regression);
  EXPECT_EQ(judge(parsed("errors:+1pp"), 1.0, std::nullopt).verdict, Verdict::regression);

  const auto phase = judge(parsed("p99:bdat:+10%"), 5 * kMs, std::nullopt);
  EXPECT_EQ(phase.verdict, Verdict::no_data);
  EXPECT_EQ(phase.detail, "p99:bdat: no data in NEW");
}

}  // namespace
}  // namespace smtp::reports::compare_threshold_test
