#include "reports/junit_load.hpp"

#include <gtest/gtest.h>

#include <string>

#include "hostile_results.hpp"
#include "proto/utf8.hpp"
#include "text_search.hpp"

namespace smtp::reports::junit_load_test {
namespace {

using testing::contains;
using testing::occurrences;

using testing::hostile_load_document;
using testing::sample_load_document;

TEST(LoadJunit, OneTestcasePerThresholdAndOneForTheRun) {
  const std::string xml = load_junit(sample_load_document().document);
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"smtp-harness "
                      "load 127.0.0.1:2525\" tests=\"5\" failures=\"2\" errors=\"0\" "
                      "skipped=\"0\" time=\"3.013\" timestamp=\"2026-11-22T04:43:41\">",
                      0),
            0u)
      << xml;
  EXPECT_EQ(occurrences(xml, "<testcase "), 5u);
  EXPECT_TRUE(contains(xml, "<testcase name=\"run completed\" classname=\"load\""));
  EXPECT_TRUE(contains(xml,
                       "<testcase name=\"threshold p99&lt;250ms\" "
                       "classname=\"load.thresholds\""));
  EXPECT_TRUE(contains(xml,
                       "<failure message=\"errors = 4.01%, limit &lt; 1%\" "
                       "type=\"threshold\">errors&lt;1% crossed: errors = 4.01%, limit &lt; "
                       "1%</failure>"));
  EXPECT_EQ(occurrences(xml, "<failure "), 2u);
  EXPECT_TRUE(contains(xml, "warning: generator-bound"));
  EXPECT_TRUE(contains(xml, "<property name=\"generator_bound\" value=\"true\"/>"));
}

TEST(LoadJunit, ARunThatSentNothingFails) {
  nlohmann::json document = sample_load_document().document;
  document["load"]["counters"]["transactions_started"] = 0;
  document["load"]["thresholds"] = nlohmann::json::array();
  const std::string xml = load_junit(document);
  EXPECT_EQ(occurrences(xml, "<testcase "), 1u);
  EXPECT_TRUE(contains(xml, "<failure message=\"no transaction could start\" type=\"run\">"));
  EXPECT_TRUE(contains(xml, "tests=\"1\" failures=\"1\" errors=\"0\""));
}

TEST(LoadJunit, ARunWithoutThresholdsPassesOnItsOwn) {
  nlohmann::json document = sample_load_document().document;
  document["load"]["thresholds"] = nlohmann::json::array();
  const std::string xml = load_junit(document);
  EXPECT_TRUE(contains(xml, "tests=\"1\" failures=\"0\" errors=\"0\""));
  EXPECT_FALSE(contains(xml, "<failure"));
}

TEST(LoadJunit, AnInterruptedRunIsAnError) {
  nlohmann::json document = sample_load_document().document;
  document["load"]["interrupted"] = true;
  document["load"]["stop_reason"] = "interrupted";
  const std::string xml = load_junit(document);
  EXPECT_TRUE(contains(xml,
                       "<error message=\"interrupted (SIGINT), partial results; 2 of 4 "
                       "thresholds crossed\" type=\"interrupted\"/>"));
  EXPECT_TRUE(contains(xml, "tests=\"5\" failures=\"2\" errors=\"1\""));
}

TEST(LoadJunit, HostileStringsAreEscaped) {
  const std::string xml = load_junit(hostile_load_document().document);
  EXPECT_TRUE(proto::is_utf8(xml));
  EXPECT_FALSE(contains(xml, "<script"));
  EXPECT_FALSE(contains(xml, "<img"));
  EXPECT_TRUE(contains(xml, "name=\"smtp-harness load &lt;script&gt;alert(1)&lt;/script&gt;:25\""));
  EXPECT_TRUE(contains(xml, "bad \\xff\\xfe end"));
  EXPECT_FALSE(contains(xml, std::string(1, '\0')));
}

}  // namespace
}  // namespace smtp::reports::junit_load_test
