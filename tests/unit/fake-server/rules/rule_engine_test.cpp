// RuleEngine evaluation: which rules match, the order they decide in, how actions merge, status and
// replace.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "rule_engine_fixture.hpp"

namespace smtp::fake::rules::rule_engine_test {
namespace {

using namespace test;

TEST_F(RuleEngineTest, TerminalRuleStopsLaterRules) {
  use({make_rule("first", {"MAIL"}, reply_action(451)),
       make_rule("second", {"MAIL"}, reply_action(550))});
  const auto v = evaluate();
  ASSERT_EQ(v.fired.size(), 1u);
  EXPECT_EQ(v.fired[0].name, "first");
  EXPECT_EQ(v.fired[0].index, 0u);
  EXPECT_EQ(v.fired[0].source, "test.lua:1");
  ASSERT_TRUE(v.action.reply);
  EXPECT_EQ(v.action.reply->code, 451);
  const auto status = engine.status();
  EXPECT_EQ(status[1].seen, 0u) << "the later rule's counters do not move";
  EXPECT_EQ(status[1].fired, 0u);
  EXPECT_EQ(status[1].keys, 0u);
}

TEST_F(RuleEngineTest, RuleThatDoesNotFireLetsLaterRulesDecide) {
  auto first = make_rule("first", {"MAIL"}, reply_action(451));
  first.select.count = Selection::Count::nth;
  first.select.n = 2;
  use({first, make_rule("second", {"MAIL"}, reply_action(550))});
  EXPECT_EQ(evaluate().action.reply->code, 550);
  EXPECT_EQ(evaluate().action.reply->code, 451);
  EXPECT_EQ(evaluate().action.reply->code, 550);
  const auto status = engine.status();
  EXPECT_EQ(status[0].seen, 3u);
  EXPECT_EQ(status[0].fired, 1u);
  EXPECT_EQ(status[1].seen, 2u);
  EXPECT_EQ(status[1].fired, 2u);
}

TEST_F(RuleEngineTest, ModifiersOfEveryFiredRuleAddUp) {
  Action slow;
  slow.delay = 1s;
  slow.bandwidth = 100;
  slow.partial = 5;
  slow.malformed = Malformation::bare_lf;
  Action slower;
  slower.delay = 2s;
  slower.bandwidth = 10;
  slower.partial = 8;
  slower.malformed = Malformation::no_space;
  Action unlimited;  // bandwidth 0 means no limit: it does not lower the minimum
  unlimited.delay = 500ms;
  Action terminal = reply_action(452);
  terminal.delay = 250ms;
  use({make_rule("slow", {"MAIL"}, slow), make_rule("slower", {"*"}, slower),
       make_rule("unlimited", {"MAIL"}, unlimited), make_rule("terminal", {"MAIL"}, terminal),
       make_rule("after terminal", {"MAIL"}, slow)});
  const auto v = evaluate();
  ASSERT_EQ(v.fired.size(), 4u);
  EXPECT_EQ(v.fired[3].name, "terminal");
  EXPECT_EQ(v.action.delay, 3750ms);
  EXPECT_EQ(v.action.bandwidth, 10u);
  EXPECT_EQ(v.action.partial, 5u);
  EXPECT_EQ(v.action.malformed, Malformation::no_space) << "the last fired rule's";
  ASSERT_TRUE(v.action.reply);
  EXPECT_EQ(v.action.reply->code, 452);
}

TEST_F(RuleEngineTest, ModifiersWithoutTerminalLeaveTheAnswerToTheServer) {
  Action slow;
  slow.delay = 1s;
  use({make_rule("slow", {"MAIL"}, slow)});
  const auto v = evaluate();
  EXPECT_EQ(v.fired.size(), 1u);
  EXPECT_FALSE(v.action.terminal());
  EXPECT_FALSE(v.action.empty());
  EXPECT_EQ(v.action.delay, 1s);
}

TEST_F(RuleEngineTest, TerminalFieldsAreCopied) {
  Action a;
  a.close = true;
  Action b;
  b.fail_tls = TlsFault::alert;
  Action c;
  c.raw = "xyz";
  Action d;
  d.stall = true;
  d.reset = true;
  use({make_rule("close", {"QUIT"}, a), make_rule("tls", {"tls"}, b), make_rule("raw", {"NOOP"}, c),
       make_rule("stall", {"RSET"}, d)});
  event.on = "QUIT";
  EXPECT_TRUE(evaluate().action.close);
  event.on = "tls";
  EXPECT_EQ(evaluate().action.fail_tls, TlsFault::alert);
  event.on = "NOOP";
  EXPECT_EQ(evaluate().action.raw, "xyz");
  event.on = "RSET";
  const auto v = evaluate();
  EXPECT_TRUE(v.action.stall);
  EXPECT_TRUE(v.action.reset);
}

TEST_F(RuleEngineTest, NothingMatchingGivesAnEmptyVerdict) {
  use({make_rule("r", {"RCPT"})});
  const auto v = evaluate();
  EXPECT_TRUE(v.fired.empty());
  EXPECT_TRUE(v.action.empty());
}

// --- on and watches ----------------------------------------------------------

TEST_F(RuleEngineTest, StarMatchesCommandsButNotPseudoCommands) {
  use({make_rule("any", {"*"})});
  for (const char* verb : {"MAIL", "RCPT", "XFOO", "QUIT"}) {
    event.on = verb;
    EXPECT_TRUE(fires()) << verb;
  }
  for (const char* pseudo : {"connect", ".", "tls"}) {
    event.on = pseudo;
    EXPECT_FALSE(fires()) << pseudo;
  }
}

TEST_F(RuleEngineTest, OnListMatchesAnyOfItsEntries) {
  use({make_rule("r", {"MAIL", "RCPT", "connect"})});
  for (const char* on : {"MAIL", "RCPT", "connect"}) {
    event.on = on;
    EXPECT_TRUE(fires()) << on;
  }
  event.on = "DATA";
  EXPECT_FALSE(fires());
}

TEST_F(RuleEngineTest, WatchesWhatTheRulesAreOn) {
  EXPECT_FALSE(engine.watches("MAIL"));
  use({make_rule("a", {"MAIL", "."}), make_rule("b", {"connect"})});
  EXPECT_TRUE(engine.watches("MAIL"));
  EXPECT_TRUE(engine.watches("."));
  EXPECT_TRUE(engine.watches("connect"));
  EXPECT_FALSE(engine.watches("RCPT"));
  EXPECT_FALSE(engine.watches("tls"));
  use({make_rule("any", {"*"})});
  EXPECT_TRUE(engine.watches("RCPT"));
  EXPECT_TRUE(engine.watches("XFOO"));
  EXPECT_FALSE(engine.watches("connect"));
  EXPECT_FALSE(engine.watches("."));
  EXPECT_FALSE(engine.watches("tls"));
  use({});
  EXPECT_FALSE(engine.watches("RCPT"));
  EXPECT_TRUE(engine.empty());
}

TEST_F(RuleEngineTest, StatusRemainingForFirstPerServer) {
  auto r = make_rule("r", {"MAIL"});
  r.select.count = Selection::Count::first;
  r.select.n = 2;
  use({r, make_rule("other", {"RCPT"})});
  auto status = engine.status();
  ASSERT_EQ(status.size(), 2u);
  EXPECT_EQ(status[0].index, 0u);
  EXPECT_EQ(status[0].rule, &engine.rules()[0]);
  EXPECT_EQ(status[0].remaining, 2u);
  EXPECT_FALSE(status[1].remaining);
  fires();
  EXPECT_EQ(engine.status()[0].remaining, 1u);
  fires();
  fires();
  status = engine.status();
  EXPECT_EQ(status[0].remaining, 0u);
  EXPECT_EQ(status[0].seen, 3u);
  EXPECT_EQ(status[0].fired, 2u);
  EXPECT_EQ(status[0].keys, 1u);
}

TEST_F(RuleEngineTest, ReplaceStartsCountersAgain) {
  auto r = make_rule("r", {"MAIL"});
  r.select.count = Selection::Count::first;
  r.select.n = 1;
  auto follower = make_rule("follower", {"RCPT"});
  follower.when.after_rule = "r";
  use({r, follower});
  EXPECT_TRUE(fires());
  EXPECT_FALSE(fires());
  use({r, follower});
  EXPECT_EQ(engine.status()[0].seen, 0u);
  event.on = "RCPT";
  EXPECT_FALSE(fires()) << "after_rule history is gone too";
  event.on = "MAIL";
  EXPECT_TRUE(fires());
}

}  // namespace
}  // namespace smtp::fake::rules::rule_engine_test
