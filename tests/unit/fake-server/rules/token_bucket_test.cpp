#include "fake-server/rules/token_bucket.hpp"

#include <gtest/gtest.h>

namespace smtp::fake::rules::token_bucket_test {
namespace {

using namespace std::chrono_literals;
using Clock = TokenBucket::Clock;

TEST(TokenBucket, StartsFullAndEmptiesAfterBurst) {
  TokenBucket b;
  const Clock::time_point t0{};
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(b.take(1, 3, t0)) << i;
  EXPECT_FALSE(b.take(1, 3, t0));
  EXPECT_FALSE(b.take(1, 3, t0));
}

TEST(TokenBucket, RefillsAtTheRate) {
  TokenBucket b;
  const Clock::time_point t0{};
  EXPECT_TRUE(b.take(2, 1, t0));
  EXPECT_FALSE(b.take(2, 1, t0 + 250ms));  // half a token
  EXPECT_TRUE(b.take(2, 1, t0 + 500ms));   // the other half arrived
  EXPECT_FALSE(b.take(2, 1, t0 + 500ms));
}

TEST(TokenBucket, RefillIsCappedAtBurst) {
  TokenBucket b;
  const Clock::time_point t0{};
  EXPECT_TRUE(b.take(10, 2, t0));
  EXPECT_TRUE(b.take(10, 2, t0));
  // An hour idle still gives only `burst` tokens.
  const auto later = t0 + 1h;
  EXPECT_TRUE(b.take(10, 2, later));
  EXPECT_TRUE(b.take(10, 2, later));
  EXPECT_FALSE(b.take(10, 2, later));
}

TEST(TokenBucket, SlowRate) {
  TokenBucket b;
  const Clock::time_point t0{};
  const double per_minute = 1.0 / 60;
  EXPECT_TRUE(b.take(per_minute, 1, t0));
  EXPECT_FALSE(b.take(per_minute, 1, t0 + 59s));
  EXPECT_TRUE(b.take(per_minute, 1, t0 + 60s));
}

TEST(TokenBucket, TimeGoingBackwardsAddsNothing) {
  TokenBucket b;
  const Clock::time_point t0 = Clock::time_point{} + 10s;
  EXPECT_TRUE(b.take(1, 1, t0));
  EXPECT_FALSE(b.take(1, 1, t0 - 5s));
  EXPECT_TRUE(b.take(1, 1, t0 + 1s));
}

}  // namespace
}  // namespace smtp::fake::rules::token_bucket_test
