// done(summary)'s delivery table of a run with --sink (SCRIPTING.md).
#include "app/load_summary_value.hpp"

#include <gtest/gtest.h>

namespace smtp::app {
namespace {

TEST(SummaryValue, DeliveryOnlyWithASink) {
  load::RunResult result;
  EXPECT_FALSE(summary_value(result).table()->contains("delivery"));

  load::DeliveryResult delivery;
  delivery.counts.accepted = 3;
  delivery.counts.delivered = 2;
  delivery.counts.lost = 1;
  delivery.latency.record(std::uint64_t{200'000'000});
  delivery.drain_seconds = 1.5;
  result.delivery = delivery;
  const auto value = summary_value(result);
  const auto& table = *value.table()->at("delivery").table();
  EXPECT_EQ(*table.at("accepted").integer(), 3);
  EXPECT_EQ(*table.at("delivered").integer(), 2);
  EXPECT_EQ(*table.at("lost").integer(), 1);
  EXPECT_EQ(*table.at("duplicated").integer(), 0);
  const auto& latency = *table.at("latency_ms").table();
  ASSERT_TRUE(latency.contains("delivery"));
  EXPECT_FALSE(latency.contains("delivery_from_start"));  // nothing recorded
  EXPECT_NEAR(*latency.at("delivery").table()->at("p50").number(), 200.0, 1.0);
  EXPECT_DOUBLE_EQ(*table.at("drain").number(), 1.5);
}

}  // namespace
}  // namespace smtp::app
