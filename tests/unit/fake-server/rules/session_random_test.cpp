// SessionRandom: the per-session generator behind `chance` (ARCHITECTURE.md §5).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "rule_engine_fixture.hpp"

namespace smtp::fake::rules::session_random_test {
namespace {

using namespace test;

TEST(SessionRandom, SameSeedAndSessionGiveTheSameSequence) {
  SessionRandom a(7, 3), b(7, 3);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next(), b.next());
}

TEST(SessionRandom, OtherSessionOrSeedGivesAnotherSequence) {
  SessionRandom base(7, 3), other_session(7, 4), other_seed(8, 3);
  const double first = base.next();
  EXPECT_NE(first, other_session.next());
  EXPECT_NE(first, other_seed.next());
}

TEST(SessionRandom, SessionZeroAndSeedZeroAreUsable) {
  SessionRandom zero(0, 0);
  std::set<double> values;
  for (int i = 0; i < 10; ++i) values.insert(zero.next());
  EXPECT_EQ(values.size(), 10u);
}

TEST(SessionRandom, ValuesAreInTheUnitIntervalAndSpread) {
  SessionRandom r(1, 1);
  int below_half = 0;
  for (int i = 0; i < 10000; ++i) {
    const double v = r.next();
    ASSERT_GE(v, 0.0);
    ASSERT_LT(v, 1.0);
    below_half += v < 0.5 ? 1 : 0;
  }
  EXPECT_GT(below_half, 4500);
  EXPECT_LT(below_half, 5500);
}

TEST(SessionRandom, SequenceIsPinned) {
  // mt19937_64 and the seed mixing are fixed integer arithmetic, so these are
  // the values on every platform; a change here breaks replays of recorded
  // runs. They were computed by an independent Python model of mt19937_64
  // (checked against the standard's 10000th output, [rand.predef]).
  SessionRandom one_one(1, 1);
  EXPECT_EQ(one_one.next(), 0x1.1149aa4382db4p-1);
  EXPECT_EQ(one_one.next(), 0x1.48ee22112c509p-1);
  EXPECT_EQ(one_one.next(), 0x1.d3f0d062ebf40p-3);
  SessionRandom seed42_session7(42, 7);
  EXPECT_EQ(seed42_session7.next(), 0x1.d576edc7de326p-2);
  EXPECT_EQ(seed42_session7.next(), 0x1.d61765ca2195ap-1);
  EXPECT_EQ(seed42_session7.next(), 0x1.1182215d3f865p-1);
}

}  // namespace
}  // namespace smtp::fake::rules::session_random_test
