#include "fake-server/rules/greylist.hpp"

#include <gtest/gtest.h>

#include <string>

namespace smtp::fake::rules::greylist_test {
namespace {

using namespace std::chrono_literals;
using Clock = Greylist::Clock;

GreylistSettings settings(std::chrono::milliseconds delay = 300s,
                          std::chrono::milliseconds expire = 4h, std::size_t max_entries = 100) {
  GreylistSettings s;
  s.delay = delay;
  s.expire = expire;
  s.max_entries = max_entries;
  return s;
}

const Clock::time_point t0 = Clock::time_point{} + 1000h;

TEST(Greylist, DefaultsFollowTheSpec) {
  const GreylistSettings s;
  EXPECT_EQ(s.delay, 300s);
  EXPECT_EQ(s.expire, 4h);
  EXPECT_EQ(s.reply.code, 450);
  EXPECT_EQ(s.reply.enhanced, (proto::EnhancedCode{4, 7, 1}));
}

TEST(Greylist, FirstSightingIsDeferredForTheWholeDelay) {
  Greylist g(settings());
  const auto v = g.check("192.0.2.1", "a@x.test", "b@y.test", t0);
  EXPECT_FALSE(v.pass);
  EXPECT_TRUE(v.first_seen);
  EXPECT_EQ(v.retry_in, 300s);
  const auto c = g.counts();
  EXPECT_EQ(c.entries, 1u);
  EXPECT_EQ(c.passed, 0u);
  EXPECT_EQ(c.deferred_total, 1u);
  EXPECT_EQ(c.passed_total, 0u);
}

TEST(Greylist, EarlyRetriesStayDeferredWithShrinkingWait) {
  Greylist g(settings());
  g.check("192.0.2.1", "a@x.test", "b@y.test", t0);
  auto v = g.check("192.0.2.1", "a@x.test", "b@y.test", t0 + 100s);
  EXPECT_FALSE(v.pass);
  EXPECT_FALSE(v.first_seen);
  EXPECT_EQ(v.retry_in, 200s);
  // The retry did not restart the delay.
  v = g.check("192.0.2.1", "a@x.test", "b@y.test", t0 + 299s);
  EXPECT_FALSE(v.pass);
  EXPECT_EQ(v.retry_in, 1s);
  EXPECT_EQ(g.counts().deferred_total, 3u);
}

TEST(Greylist, RetryAfterTheDelayPassesAndKeepsPassing) {
  Greylist g(settings());
  g.check("192.0.2.1", "a@x.test", "b@y.test", t0);
  auto v = g.check("192.0.2.1", "a@x.test", "b@y.test", t0 + 300s);
  EXPECT_TRUE(v.pass);
  EXPECT_FALSE(v.first_seen);
  EXPECT_EQ(v.retry_in, 0ms);
  v = g.check("192.0.2.1", "a@x.test", "b@y.test", t0 + 301s);
  EXPECT_TRUE(v.pass);
  const auto c = g.counts();
  EXPECT_EQ(c.entries, 1u);
  EXPECT_EQ(c.passed, 1u);
  EXPECT_EQ(c.deferred_total, 1u);
  EXPECT_EQ(c.passed_total, 2u);
}

TEST(Greylist, PassedTripletStaysWhileSeenWithinExpire) {
  Greylist g(settings(300s, 1h));
  g.check("192.0.2.1", "a@x.test", "b@y.test", t0);
  EXPECT_TRUE(g.check("192.0.2.1", "a@x.test", "b@y.test", t0 + 5min).pass);
  // Each sighting pushes the expiry on: three hours in steps of 50 minutes.
  for (int i = 1; i <= 3; ++i) {
    EXPECT_TRUE(g.check("192.0.2.1", "a@x.test", "b@y.test", t0 + 5min + i * 50min).pass) << i;
  }
}

TEST(Greylist, UnseenForExpireIsForgotten) {
  Greylist g(settings(300s, 1h));
  g.check("192.0.2.1", "a@x.test", "b@y.test", t0);
  EXPECT_TRUE(g.check("192.0.2.1", "a@x.test", "b@y.test", t0 + 5min).pass);
  const auto v = g.check("192.0.2.1", "a@x.test", "b@y.test", t0 + 5min + 1h + 1s);
  EXPECT_FALSE(v.pass);
  EXPECT_TRUE(v.first_seen);
  EXPECT_EQ(v.retry_in, 300s);
}

TEST(Greylist, NeverRetriedIsForgottenAfterExpire) {
  Greylist g(settings(300s, 1h));
  g.check("192.0.2.1", "a@x.test", "b@y.test", t0);
  const auto v = g.check("192.0.2.1", "a@x.test", "b@y.test", t0 + 2h);
  EXPECT_TRUE(v.first_seen);
  EXPECT_FALSE(v.pass);
}

TEST(Greylist, TripletsAreIndependent) {
  Greylist g(settings());
  g.check("192.0.2.1", "a@x.test", "b@y.test", t0);
  const auto later = t0 + 300s;
  EXPECT_TRUE(g.check("192.0.2.2", "a@x.test", "b@y.test", later).first_seen);
  EXPECT_TRUE(g.check("192.0.2.1", "c@x.test", "b@y.test", later).first_seen);
  EXPECT_TRUE(g.check("192.0.2.1", "a@x.test", "d@y.test", later).first_seen);
  EXPECT_TRUE(g.check("192.0.2.1", "a@x.test", "b@y.test", later).pass);
  EXPECT_EQ(g.counts().entries, 4u);
}

TEST(Greylist, NullSenderIsATripletToo) {
  Greylist g(settings());
  EXPECT_TRUE(g.check("192.0.2.1", "", "b@y.test", t0).first_seen);
  EXPECT_TRUE(g.check("192.0.2.1", "", "b@y.test", t0 + 300s).pass);
}

TEST(Greylist, TableIsBoundedByMaxEntries) {
  Greylist g(settings(300s, 4h, 50));
  for (int i = 0; i < 1000; ++i) {
    g.check("192.0.2.1", "s" + std::to_string(i) + "@x.test", "b@y.test", t0 + i * 1ms);
    ASSERT_LE(g.counts().entries, 50u) << i;
  }
  // The newest triplet is kept and the oldest are gone.
  EXPECT_FALSE(g.check("192.0.2.1", "s999@x.test", "b@y.test", t0 + 1s).first_seen);
  EXPECT_TRUE(g.check("192.0.2.1", "s0@x.test", "b@y.test", t0 + 1s).first_seen);
}

TEST(Greylist, FullTableDropsTheLeastRecentlySeen) {
  Greylist g(settings(1s, 4h, 3));
  g.check("ip", "a", "r", t0);
  g.check("ip", "b", "r", t0 + 1ms);
  g.check("ip", "c", "r", t0 + 2ms);
  // "a" is seen again, so "b" is now the least recently seen.
  g.check("ip", "a", "r", t0 + 3ms);
  g.check("ip", "d", "r", t0 + 4ms);
  EXPECT_EQ(g.counts().entries, 3u);
  EXPECT_FALSE(g.check("ip", "a", "r", t0 + 5ms).first_seen);
  EXPECT_FALSE(g.check("ip", "c", "r", t0 + 5ms).first_seen);
  EXPECT_FALSE(g.check("ip", "d", "r", t0 + 5ms).first_seen);
  EXPECT_TRUE(g.check("ip", "b", "r", t0 + 5ms).first_seen);
}

TEST(Greylist, FullTableDropsExpiredEntriesFirst) {
  Greylist g(settings(1s, 1h, 3));
  g.check("ip", "old", "r", t0);
  g.check("ip", "a", "r", t0 + 2h);
  g.check("ip", "b", "r", t0 + 2h);
  g.check("ip", "c", "r", t0 + 2h);  // the table is full: "old" goes, nothing else
  EXPECT_EQ(g.counts().entries, 3u);
  EXPECT_FALSE(g.check("ip", "a", "r", t0 + 2h).first_seen);
  EXPECT_FALSE(g.check("ip", "b", "r", t0 + 2h).first_seen);
  EXPECT_FALSE(g.check("ip", "c", "r", t0 + 2h).first_seen);
}

TEST(Greylist, PeriodicSweepForgetsExpiredEntries) {
  Greylist g(settings(1s, 1h, 100000));
  for (int i = 0; i < 10; ++i) g.check("ip", "old" + std::to_string(i), "r", t0);
  // 1024 checks of one fresh triplet later, the old ones are swept.
  for (int i = 0; i < 1024; ++i) g.check("ip", "fresh", "r", t0 + 2h);
  EXPECT_EQ(g.counts().entries, 1u);
}

}  // namespace
}  // namespace smtp::fake::rules::greylist_test
