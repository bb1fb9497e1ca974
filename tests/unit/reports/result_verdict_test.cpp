#include "reports/result_verdict.hpp"

#include <gtest/gtest.h>

#include "hostile_results.hpp"

namespace smtp::reports::result_verdict_test {
namespace {

using Outcome = RunVerdict::Outcome;
using testing::sample_check_document;
using testing::sample_load_document;

TEST(LoadVerdict, ACrossedThresholdFails) {
  const RunVerdict verdict = load_verdict(sample_load_document().document);
  EXPECT_EQ(verdict.outcome, Outcome::failed);
  EXPECT_EQ(verdict.headline, "2 of 4 thresholds crossed");
  EXPECT_TRUE(verdict.problems.empty());
}

TEST(LoadVerdict, ThresholdsMetOrNoneSetPass) {
  nlohmann::json document = sample_load_document().document;
  for (auto& threshold : document["load"]["thresholds"]) threshold["passed"] = true;
  EXPECT_EQ(load_verdict(document).outcome, Outcome::passed);
  EXPECT_EQ(load_verdict(document).headline, "all 4 thresholds met");
  document["load"]["thresholds"] = nlohmann::json::array();
  EXPECT_EQ(load_verdict(document).outcome, Outcome::passed);
  EXPECT_EQ(load_verdict(document).headline, "no thresholds set");
}

TEST(LoadVerdict, NothingStartedOrStalledFails) {
  nlohmann::json document = sample_load_document().document;
  document["load"]["thresholds"] = nlohmann::json::array();
  document["load"]["counters"]["transactions_started"] = 0;
  EXPECT_EQ(load_verdict(document).outcome, Outcome::failed);
  EXPECT_EQ(load_verdict(document).headline, "no transaction could start");
  document["load"]["stop_reason"] = "stalled";
  EXPECT_EQ(load_verdict(document).headline,
            "stalled: no transaction could start for 10 s while every connection failed");
}

TEST(LoadVerdict, InterruptedWins) {
  nlohmann::json document = sample_load_document().document;
  document["load"]["interrupted"] = true;
  const RunVerdict verdict = load_verdict(document);
  EXPECT_EQ(verdict.outcome, Outcome::interrupted);
  EXPECT_EQ(outcome_label(verdict.outcome), "INTERRUPTED");
}

TEST(CheckVerdict, FailAndErrorFailWarnDoesNot) {
  nlohmann::json document = sample_check_document().document;
  EXPECT_EQ(check_verdict(document).outcome, Outcome::failed);
  EXPECT_EQ(check_verdict(document).headline, "1 FAIL, 1 ERROR");
  document["check"]["counts"]["FAIL"] = 0;
  document["check"]["counts"]["ERROR"] = 0;
  EXPECT_EQ(check_verdict(document).outcome, Outcome::passed);
  EXPECT_EQ(check_verdict(document).headline, "no FAIL or ERROR in 4 checks (1 WARN)");
  EXPECT_EQ(result_verdict(document).headline, check_verdict(document).headline);
}

}  // namespace
}  // namespace smtp::reports::result_verdict_test
