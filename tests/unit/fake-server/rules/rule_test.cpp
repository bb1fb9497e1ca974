#include "fake-server/rules/rule.hpp"

#include <gtest/gtest.h>

namespace smtp::fake::rules::rule_test {
namespace {

using namespace std::chrono_literals;

TEST(RuleKey, Names) {
  EXPECT_EQ(to_string(Key::server), "server");
  EXPECT_EQ(to_string(Key::session), "session");
  EXPECT_EQ(to_string(Key::ip), "ip");
  EXPECT_EQ(to_string(Key::sender), "sender");
  EXPECT_EQ(to_string(Key::recipient), "recipient");
}

TEST(ActionDescribe, ReplyWithEnhancedCodeAndFirstLine) {
  Action a;
  a.reply = ReplySpec{451, proto::EnhancedCode{4, 3, 0}, {"Try again later", "second"}};
  EXPECT_EQ(a.describe(), "reply 451 4.3.0 Try again later");
}

TEST(ActionDescribe, ReplyWithoutEnhancedCodeOrText) {
  Action a;
  a.reply = ReplySpec{554, std::nullopt, {""}};
  EXPECT_EQ(a.describe(), "reply 554");
  a.reply = ReplySpec{554, std::nullopt, {"No"}};
  EXPECT_EQ(a.describe(), "reply 554 No");
}

TEST(ActionDescribe, OtherTerminalActions) {
  Action raw;
  raw.raw = std::string("250 ok\r\n250 ok\r\n");
  EXPECT_EQ(raw.describe(), "raw 16 octets");
  Action close;
  close.close = true;
  EXPECT_EQ(close.describe(), "close");
  Action reset;
  reset.reset = true;
  EXPECT_EQ(reset.describe(), "reset");
  Action stall;
  stall.stall = true;
  EXPECT_EQ(stall.describe(), "stall");
  Action alert;
  alert.fail_tls = TlsFault::alert;
  EXPECT_EQ(alert.describe(), "fail tls (alert)");
  alert.fail_tls = TlsFault::close;
  EXPECT_EQ(alert.describe(), "fail tls (close)");
}

TEST(ActionDescribe, ModifiersFollowTheAnswer) {
  Action a;
  a.reply = ReplySpec{451, std::nullopt, {"later"}};
  a.delay = 2s;
  a.bandwidth = 10;
  a.partial = 5;
  a.malformed = Malformation::blank_line;
  EXPECT_EQ(a.describe(),
            "reply 451 later, delay 2000ms, bandwidth 10 B/s, partial 5 octets, "
            "malformed blank-line");
}

TEST(ActionDescribe, ModifiersAlone) {
  Action a;
  a.delay = 250ms;
  EXPECT_EQ(a.describe(), "delay 250ms");
  EXPECT_FALSE(a.terminal());
  EXPECT_FALSE(a.empty());
}

TEST(ActionDescribe, EmptyAction) {
  const Action a;
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.describe(), "nothing");
}

}  // namespace
}  // namespace smtp::fake::rules::rule_test

namespace smtp::fake::rules::rule_test {
namespace {

TEST(RuleMerge, ModifiersAddUpAndTheFirstTerminalStays) {
  Action into;
  into.delay = std::chrono::milliseconds(100);
  into.bandwidth = 50;
  Action from;
  from.delay = std::chrono::milliseconds(200);
  from.bandwidth = 20;
  from.partial = 7;
  from.malformed = Malformation::bare_lf;
  from.reply = ReplySpec{451, std::nullopt, {"later"}};
  merge(into, from);
  EXPECT_EQ(into.delay, std::chrono::milliseconds(300));
  EXPECT_EQ(into.bandwidth, 20u);
  EXPECT_EQ(into.partial, 7u);
  EXPECT_EQ(into.malformed, Malformation::bare_lf);
  ASSERT_TRUE(into.reply.has_value());
  Action second;
  second.close = true;
  second.partial = 9;
  merge(into, second);
  EXPECT_FALSE(into.close);  // the first decision stands
  EXPECT_EQ(into.reply->code, 451);
  EXPECT_EQ(into.partial, 7u);  // the smaller wins
}

TEST(RuleMerge, ATerminalAfterModifiersIsTaken) {
  Action into;
  into.delay = std::chrono::milliseconds(5);
  Action from;
  from.reset = true;
  merge(into, from);
  EXPECT_TRUE(into.reset);
  EXPECT_TRUE(into.terminal());
}

}  // namespace
}  // namespace smtp::fake::rules::rule_test

namespace smtp::fake::rules::rule_test {
namespace {

TEST(CommandWord, WordsOnly) {
  EXPECT_TRUE(is_command_word("MAIL"));
  EXPECT_TRUE(is_command_word("x-foo_2"));
  EXPECT_FALSE(is_command_word("."));
  EXPECT_FALSE(is_command_word("*"));
  EXPECT_FALSE(is_command_word(""));
  EXPECT_FALSE(is_command_word("MA IL"));
  EXPECT_FALSE(is_command_word("caf\xc3\xa9"));
  EXPECT_TRUE(is_command_word(std::string(32, 'A')));
  EXPECT_FALSE(is_command_word(std::string(33, 'A')));
}

}  // namespace
}  // namespace smtp::fake::rules::rule_test
