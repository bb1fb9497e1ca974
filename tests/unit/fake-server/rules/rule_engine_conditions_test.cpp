// RuleEngine conditions: arg, from, to, helo, ip, tls, auth, message counts, after_rule.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "rule_engine_fixture.hpp"

namespace smtp::fake::rules::rule_engine_conditions_test {
namespace {

using namespace test;

TEST_F(RuleEngineTest, ArgCondition) {
  auto r = make_rule("r", {"MAIL"});
  r.when.arg = "FROM:<*@X.test>*";
  use({r});
  event.arg = "FROM:<a@x.test> SIZE=10";
  EXPECT_TRUE(fires());
  event.arg = "FROM:<a@y.test>";
  EXPECT_FALSE(fires());
}

TEST_F(RuleEngineTest, FromCondition) {
  auto r = make_rule("r", {"RCPT"});
  r.when.from = "*@x.test";
  use({r});
  event.on = "RCPT";
  EXPECT_FALSE(fires()) << "no transaction: no sender";
  const auto alice = path("alice", "x.test");
  event.sender = &alice;
  EXPECT_TRUE(fires());
  const auto bob = path("bob", "y.test");
  event.sender = &bob;
  EXPECT_FALSE(fires());
  proto::Path null_sender;
  null_sender.null = true;
  event.sender = &null_sender;
  EXPECT_FALSE(fires());
}

TEST_F(RuleEngineTest, FromConditionOnMailLooksAtItsSender) {
  auto r = make_rule("r", {"MAIL"});
  r.when.from = "*@x.test";
  r.select.count = Selection::Count::first;
  r.select.n = 1;
  r.select.per = Key::sender;
  use({r});
  event.on = "MAIL";
  event.mail_from = "alice@x.test";
  EXPECT_TRUE(fires());
  EXPECT_FALSE(fires()) << "first = 1 per sender: alice is done";
  event.mail_from = "bob@x.test";
  EXPECT_TRUE(fires()) << "a new sender, a new count";
  event.mail_from = "carol@y.test";
  EXPECT_FALSE(fires());
}

TEST_F(RuleEngineTest, KeysAreBoundedInLength) {
  // A key comes from client input; two senders that agree on their first
  // 256 octets share a counter rather than each holding 16 KiB.
  auto r = make_rule("r", {"MAIL"});
  r.select.count = Selection::Count::first;
  r.select.n = 1;
  r.select.per = Key::sender;
  use({r});
  event.on = "MAIL";
  const std::string a = std::string(300, 'a') + "@x.test";
  const std::string b = std::string(300, 'a') + "@y.test";
  event.mail_from = a;
  EXPECT_TRUE(fires());
  event.mail_from = b;
  EXPECT_FALSE(fires()) << "the same first 256 octets: the same key";
  EXPECT_EQ(engine.status()[0].keys, 1u);
}

TEST_F(RuleEngineTest, FromStarMatchesTheNullSender) {
  auto r = make_rule("r", {"RCPT"});
  r.when.from = "*";
  use({r});
  event.on = "RCPT";
  proto::Path null_sender;
  null_sender.null = true;
  event.sender = &null_sender;
  EXPECT_TRUE(fires());
}

TEST_F(RuleEngineTest, ToConditionAtRcptLooksAtItsRecipient) {
  auto r = make_rule("r", {"RCPT"});
  r.when.to = "*@y.test";
  use({r});
  event.on = "RCPT";
  const std::vector<proto::Recipient> earlier{{path("b", "y.test"), {}}};
  event.recipients = earlier;
  event.rcpt = "c@z.test";
  EXPECT_FALSE(fires()) << "an earlier recipient does not count at RCPT";
  event.rcpt = "c@Y.TEST";
  EXPECT_TRUE(fires());
}

TEST_F(RuleEngineTest, ToConditionLaterLooksAtAnyRecipient) {
  auto r = make_rule("r", {"DATA", "."});
  r.when.to = "d@*";
  use({r});
  event.on = "DATA";
  EXPECT_FALSE(fires()) << "no recipients";
  const std::vector<proto::Recipient> recipients{{path("b", "y.test"), {}},
                                                 {path("d", "y.test"), {}}};
  event.recipients = recipients;
  EXPECT_TRUE(fires());
  event.on = ".";
  EXPECT_TRUE(fires());
  event.recipients = std::span(recipients).first(1);
  EXPECT_FALSE(fires());
}

TEST_F(RuleEngineTest, HeloCondition) {
  auto r = make_rule("r", {"MAIL"});
  r.when.helo = "*.example";
  use({r});
  EXPECT_FALSE(fires()) << "no EHLO yet";
  event.helo = "client.EXAMPLE";
  EXPECT_TRUE(fires());
}

TEST_F(RuleEngineTest, IpCondition) {
  auto r = make_rule("r", {"connect"});
  r.when.ip = IpMatch::parse("192.0.2.0/24");
  ASSERT_TRUE(r.when.ip);
  use({r});
  event.on = "connect";
  EXPECT_TRUE(fires());
  event.ip = "::ffff:192.0.2.9";
  EXPECT_TRUE(fires());
  event.ip = "198.51.100.1";
  EXPECT_FALSE(fires());
}

TEST_F(RuleEngineTest, TlsAndAuthConditions) {
  auto tls = make_rule("tls", {"MAIL"});
  tls.when.tls = true;
  use({tls});
  EXPECT_FALSE(fires());
  event.tls = true;
  EXPECT_TRUE(fires());

  auto plain = make_rule("plain", {"MAIL"});
  plain.when.auth = false;
  use({plain});
  EXPECT_TRUE(fires());
  event.auth = true;
  EXPECT_FALSE(fires());
}

TEST_F(RuleEngineTest, MessageCountConditions) {
  auto r = make_rule("r", {"MAIL"});
  r.when.min_messages = 1;
  r.when.max_messages = 2;
  use({r});
  std::vector<bool> got;
  for (std::uint64_t m = 0; m < 4; ++m) {
    event.session_messages = m;
    got.push_back(fires());
  }
  EXPECT_EQ(got, (std::vector<bool>{false, true, true, false}));
}

TEST_F(RuleEngineTest, AfterRuleWaitsForTheNamedRule) {
  auto trigger = make_rule("trigger", {"RSET"}, Action{});
  trigger.action.delay = 1ms;
  auto follower = make_rule("follower", {"MAIL"});
  follower.when.after_rule = "trigger";
  use({trigger, follower});
  EXPECT_FALSE(fires());
  event.on = "RSET";
  EXPECT_TRUE(fires());
  event.on = "MAIL";
  const auto v = evaluate();
  ASSERT_EQ(v.fired.size(), 1u);
  EXPECT_EQ(v.fired[0].name, "follower");
}

TEST_F(RuleEngineTest, AfterRuleSeesARuleFiredEarlierInTheSameEvent) {
  Action slow;
  slow.delay = 1ms;
  auto follower = make_rule("follower", {"MAIL"});
  follower.when.after_rule = "first";
  use({make_rule("first", {"MAIL"}, slow), follower});
  EXPECT_EQ(evaluate().fired.size(), 2u);
}

TEST_F(RuleEngineTest, ConditionsThatFailDoNotCount) {
  auto r = make_rule("r", {"MAIL"});
  r.when.helo = "nomatch";
  use({r});
  fires();
  EXPECT_EQ(engine.status()[0].seen, 0u);
  EXPECT_EQ(engine.status()[0].keys, 0u);
}

}  // namespace
}  // namespace smtp::fake::rules::rule_engine_conditions_test
