// The load JUnit of a run with --sink: a "delivery" testcase, and the
// delivery thresholds as testcases like the others.
#include <gtest/gtest.h>

#include <string>

#include "hostile_results.hpp"
#include "reports/junit_load.hpp"
#include "text_search.hpp"

namespace smtp::reports::junit_delivery_test {
namespace {

using testing::contains;

using testing::sample_sink_load_document;

// The <testcase name="delivery"> element, up to its end.
std::string delivery_case(const std::string& xml) {
  const auto start = xml.find("<testcase name=\"delivery\"");
  if (start == std::string::npos) return "";
  return xml.substr(start, xml.find("</testcase>", start) - start);
}

TEST(JunitDelivery, ADeliveryTestcaseAndTheDeliveryThresholds) {
  const std::string xml = load_junit(sample_sink_load_document().document);
  // run, delivery and 7 thresholds; failures: 4 thresholds and the delivery.
  EXPECT_TRUE(contains(xml, "tests=\"9\" failures=\"5\" errors=\"0\"")) << xml;
  EXPECT_TRUE(
      contains(xml, "<testcase name=\"threshold lost&lt;=0\" classname=\"load.thresholds\""));
  EXPECT_TRUE(contains(xml, "<failure message=\"lost = 6, limit &lt;= 0\" type=\"threshold\">"));
  EXPECT_TRUE(contains(xml, "<testcase name=\"threshold p99:delivery&lt;5s\""));
  const std::string delivery = delivery_case(xml);
  EXPECT_TRUE(contains(delivery, "classname=\"load.delivery\" time=\"1.750\"")) << delivery;
  // lost has a threshold of its own, which judged it.
  EXPECT_TRUE(contains(delivery,
                       "<failure message=\"pairs 4 duplicated, 2 corrupted\" type=\"delivery\">"
                       "pairs 4 duplicated, 2 corrupted (of 1770 accepted)\n</failure>"))
      << delivery;
  EXPECT_TRUE(contains(delivery,
                       "sink 127.0.0.1:2526: accepted 1770 pairs (590 messages), "
                       "delivered 1755, lost 6, bounced 9"))
      << delivery;
  EXPECT_TRUE(contains(delivery, "e.g. lost: 3f9a1c02.17 rcpt3@example.test")) << delivery;
}

TEST(JunitDelivery, LostDuplicatedOrCorruptedFailWithoutAThresholdOnThem) {
  nlohmann::json document = sample_sink_load_document().document;
  document["load"]["thresholds"] = nlohmann::json::array();
  const std::string delivery = delivery_case(load_junit(document));
  EXPECT_TRUE(contains(delivery, "<failure message=\"pairs 6 lost, 4 duplicated, 2 corrupted\""))
      << delivery;
}

TEST(JunitDelivery, NoTroubleNoFailure) {
  nlohmann::json document = sample_sink_load_document().document;
  document["load"]["thresholds"] = nlohmann::json::array();
  for (const char* key : {"lost", "duplicated", "corrupted"}) {
    document["load"]["delivery"]["counts"][key] = 0;
  }
  const std::string xml = load_junit(document);
  EXPECT_NE(delivery_case(xml), "");
  EXPECT_FALSE(contains(delivery_case(xml), "<failure")) << delivery_case(xml);
}

TEST(JunitDelivery, ARunWithoutASinkHasNoDeliveryTestcase) {
  EXPECT_EQ(delivery_case(load_junit(testing::sample_load_document().document)), "");
}

}  // namespace
}  // namespace smtp::reports::junit_delivery_test
