// load::merge of delivery sections (shards with their own sinks).
#include <gtest/gtest.h>

#include "load/delivery.hpp"

namespace smtp::load {
namespace {

// Shard A's series ends at second 2 with 5 pairs outstanding; B's runs to
// second 4: A's backlog stands in the seconds after its end.
TEST(DeliveryMerge, ABacklogStandsAfterItsSeriesEnds) {
  DeliveryResult a;
  a.series = {{0, 10, 5, 5}, {1, 0, 0, 5}};
  DeliveryResult b;
  b.series = {{0, 1, 1, 0}, {1, 0, 0, 0}, {2, 2, 0, 2}, {3, 0, 2, 0}};
  merge(a, b);
  ASSERT_EQ(a.series.size(), 4u);
  EXPECT_EQ(a.series[0].accepted, 11u);
  EXPECT_EQ(a.series[0].backlog, 5u);
  EXPECT_EQ(a.series[2].backlog, 7u);
  EXPECT_EQ(a.series[3].backlog, 5u);
  EXPECT_EQ(a.series[3].delivered, 2u);
}

TEST(DeliveryMerge, CountsAddByName) {
  DeliveryResult a, b;
  a.counts.lost = 1;
  b.counts.lost = 2;
  b.counts.retried = 3;
  merge(a, b);
  EXPECT_EQ(a.counts.lost, 3u);
  EXPECT_EQ(a.counts.retried, 3u);
}

}  // namespace
}  // namespace smtp::load
