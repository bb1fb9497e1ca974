// RuleEngine selection: counts, chance, token buckets and the keys they are kept per.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "rule_engine_fixture.hpp"

namespace smtp::fake::rules::rule_engine_select_test {
namespace {

using namespace test;

TEST_F(RuleEngineTest, AlwaysFiresOnEveryMatchingEvent) {
  use({make_rule("r", {"MAIL"})});
  EXPECT_EQ(count_fired(5), 5);
}

TEST_F(RuleEngineTest, FirstTwoFiresTwiceThenNot) {
  auto r = make_rule("r", {"MAIL"});
  r.select.count = Selection::Count::first;
  r.select.n = 2;
  use({r});
  EXPECT_TRUE(fires());
  EXPECT_TRUE(fires());
  EXPECT_FALSE(fires());
  EXPECT_FALSE(fires());
}

TEST_F(RuleEngineTest, NthFiresOnlyOnThatEvent) {
  auto r = make_rule("r", {"MAIL"});
  r.select.count = Selection::Count::nth;
  r.select.n = 3;
  use({r});
  std::vector<bool> got;
  for (int i = 0; i < 6; ++i) got.push_back(fires());
  EXPECT_EQ(got, (std::vector<bool>{false, false, true, false, false, false}));
}

TEST_F(RuleEngineTest, EveryKthEvent) {
  auto r = make_rule("r", {"MAIL"});
  r.select.count = Selection::Count::every;
  r.select.n = 3;
  use({r});
  std::vector<bool> got;
  for (int i = 0; i < 7; ++i) got.push_back(fires());
  EXPECT_EQ(got, (std::vector<bool>{false, false, true, false, false, true, false}));
}

TEST_F(RuleEngineTest, EveryZeroNeverFires) {
  auto r = make_rule("r", {"MAIL"});
  r.select.count = Selection::Count::every;
  r.select.n = 0;
  use({r});
  EXPECT_EQ(count_fired(5), 0);
}

TEST_F(RuleEngineTest, AfterNEvents) {
  auto r = make_rule("r", {"MAIL"});
  r.select.count = Selection::Count::after;
  r.select.n = 2;
  use({r});
  std::vector<bool> got;
  for (int i = 0; i < 5; ++i) got.push_back(fires());
  EXPECT_EQ(got, (std::vector<bool>{false, false, true, true, true}));
}

// --- chance ------------------------------------------------------------------

TEST_F(RuleEngineTest, ChanceZeroNeverFires) {
  auto r = make_rule("r", {"MAIL"});
  r.select.chance = 0.0;
  use({r});
  EXPECT_EQ(count_fired(200), 0);
}

TEST_F(RuleEngineTest, ChanceOneAlwaysFires) {
  auto r = make_rule("r", {"MAIL"});
  r.select.chance = 1.0;
  use({r});
  EXPECT_EQ(count_fired(200), 200);
}

TEST_F(RuleEngineTest, ChanceHalfFiresAboutHalfAndReplays) {
  auto r = make_rule("r", {"MAIL"});
  r.select.chance = 0.5;
  use({r});
  std::vector<bool> first_run;
  for (int i = 0; i < 1000; ++i) first_run.push_back(fires());
  const auto fired = std::count(first_run.begin(), first_run.end(), true);
  EXPECT_GT(fired, 400);
  EXPECT_LT(fired, 600);

  // The same seed and session replay the same picks.
  use({r});
  random = SessionRandom{42, 1};
  std::vector<bool> second_run;
  for (int i = 0; i < 1000; ++i) second_run.push_back(fires());
  EXPECT_EQ(first_run, second_run);
}

TEST_F(RuleEngineTest, ChanceIsDrawnOnlyForEventsTheCountPicked) {
  auto r = make_rule("r", {"MAIL"});
  r.select.count = Selection::Count::nth;
  r.select.n = 3;
  r.select.chance = 1.0;
  use({r});
  for (int i = 0; i < 5; ++i) fires();
  // Exactly one draw was made (for the third event).
  SessionRandom reference{42, 1};
  reference.next();
  EXPECT_EQ(random.next(), reference.next());
}

// --- bucket ------------------------------------------------------------------

TEST_F(RuleEngineTest, BucketFiresOnceTheBurstIsSpentAndRefills) {
  auto r = make_rule("rate", {"MAIL"});
  r.select.bucket = Bucket{2, 3};  // 2 per second, burst 3
  use({r});
  EXPECT_FALSE(fires());
  EXPECT_FALSE(fires());
  EXPECT_FALSE(fires());
  EXPECT_TRUE(fires());  // over the limit
  EXPECT_TRUE(fires());
  now += 500ms;  // one token back
  EXPECT_FALSE(fires());
  EXPECT_TRUE(fires());
  now += 10s;  // full again, but only `burst`
  EXPECT_EQ(count_fired(5), 2);
}

TEST_F(RuleEngineTest, BucketPerIpIsSeparate) {
  auto r = make_rule("rate", {"MAIL"});
  r.select.bucket = Bucket{1, 1};
  r.select.per = Key::ip;
  use({r});
  EXPECT_FALSE(fires());
  EXPECT_TRUE(fires());
  event.ip = "192.0.2.2";
  EXPECT_FALSE(fires());
  EXPECT_TRUE(fires());
}

// --- keys ------------------------------------------------------------------

TEST_F(RuleEngineTest, PerIpKeepsOneCounterPerAddress) {
  auto r = make_rule("r", {"MAIL"});
  r.select.count = Selection::Count::first;
  r.select.n = 1;
  r.select.per = Key::ip;
  use({r});
  EXPECT_TRUE(fires());
  EXPECT_FALSE(fires());
  event.ip = "192.0.2.2";
  EXPECT_TRUE(fires());
  EXPECT_FALSE(fires());
  event.ip = "192.0.2.1";
  EXPECT_FALSE(fires());
  const auto status = engine.status();
  EXPECT_EQ(status[0].keys, 2u);
  EXPECT_EQ(status[0].seen, 5u);
  EXPECT_EQ(status[0].fired, 2u);
  EXPECT_FALSE(status[0].remaining) << "remaining is for per = server only";
}

TEST_F(RuleEngineTest, PerServerCountsAcrossSessions) {
  auto r = make_rule("r", {"MAIL"});
  r.select.count = Selection::Count::first;
  r.select.n = 2;
  use({r});
  EXPECT_TRUE(fires());
  event.session_id = 2;
  event.ip = "198.51.100.1";
  EXPECT_TRUE(fires());
  event.session_id = 3;
  EXPECT_FALSE(fires());
}

TEST_F(RuleEngineTest, PerSessionAndSessionEnded) {
  auto r = make_rule("r", {"MAIL"});
  r.select.count = Selection::Count::first;
  r.select.n = 1;
  r.select.per = Key::session;
  use({r});
  EXPECT_TRUE(fires());
  EXPECT_FALSE(fires());
  event.session_id = 2;
  EXPECT_TRUE(fires());
  EXPECT_EQ(engine.status()[0].keys, 2u);
  engine.session_ended(1);
  EXPECT_EQ(engine.status()[0].keys, 1u);
  event.session_id = 1;
  EXPECT_TRUE(fires()) << "the ended session's counter started again";
}

TEST_F(RuleEngineTest, SessionEndedLeavesOtherKeysAlone) {
  auto r = make_rule("r", {"MAIL"});
  r.select.per = Key::ip;
  use({r});
  event.ip = "1";  // an ip key that looks like a session number
  fires();
  engine.session_ended(1);
  EXPECT_EQ(engine.status()[0].keys, 1u);
}

TEST_F(RuleEngineTest, PerSenderUsesTheMailbox) {
  auto r = make_rule("r", {"RCPT"});
  r.select.count = Selection::Count::first;
  r.select.n = 1;
  r.select.per = Key::sender;
  use({r});
  event.on = "RCPT";
  const auto alice = path("alice", "x.test");
  const auto bob = path("bob", "x.test");
  proto::Path null_sender;
  null_sender.null = true;
  event.sender = &alice;
  EXPECT_TRUE(fires());
  EXPECT_FALSE(fires());
  event.sender = &bob;
  EXPECT_TRUE(fires());
  event.sender = &null_sender;
  EXPECT_TRUE(fires());
  event.sender = nullptr;  // absent and null share the empty key
  EXPECT_FALSE(fires());
  EXPECT_EQ(engine.status()[0].keys, 3u);
}

TEST_F(RuleEngineTest, PerRecipientUsesRcptThenFirstRecipient) {
  auto r = make_rule("r", {"RCPT", "DATA"});
  r.select.count = Selection::Count::first;
  r.select.n = 1;
  r.select.per = Key::recipient;
  use({r});
  event.on = "RCPT";
  event.rcpt = "b@y.test";
  EXPECT_TRUE(fires());
  EXPECT_FALSE(fires());
  event.rcpt = "c@y.test";
  EXPECT_TRUE(fires());
  // At DATA there is no rcpt: the first accepted recipient is the key.
  const std::vector<proto::Recipient> recipients{{path("b", "y.test"), {}},
                                                 {path("d", "y.test"), {}}};
  event.on = "DATA";
  event.rcpt = {};
  event.recipients = recipients;
  EXPECT_FALSE(fires());
  event.recipients = {};
  EXPECT_TRUE(fires()) << "no recipient at all: the empty key";
}

TEST_F(RuleEngineTest, KeyTableIsBounded) {
  auto r = make_rule("r", {"MAIL"});
  r.select.per = Key::ip;
  use({r});
  std::string ip;
  for (int i = 0; i < 100000; ++i) {
    ip = std::to_string(i);
    event.ip = ip;
    fires();
  }
  EXPECT_EQ(engine.status()[0].keys, 100000u);
  event.ip = "one more";
  fires();
  EXPECT_EQ(engine.status()[0].keys, 1u);
  EXPECT_EQ(engine.status()[0].seen, 100001u) << "the totals are kept";
}

}  // namespace
}  // namespace smtp::fake::rules::rule_engine_select_test
