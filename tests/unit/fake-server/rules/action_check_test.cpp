// Which actions may answer which events (SCRIPTING.md "rule").
#include "fake-server/rules/action_check.hpp"

#include <gtest/gtest.h>

namespace smtp::fake::rules::action_check_test {
namespace {

Action reply(int code) {
  Action a;
  a.reply = ReplySpec{code, std::nullopt, {"text"}};
  return a;
}

TEST(ActionCheck, AnActionIsNeeded) {
  EXPECT_NE(check_action(Action{}, "MAIL")->find("needs an action"), std::string::npos);
}

TEST(ActionCheck, OneTerminalPartOnly) {
  auto a = reply(451);
  a.close = true;
  EXPECT_NE(check_action(a, "MAIL")->find("takes one of reply, raw"), std::string::npos);
  Action b;
  b.raw = "x";
  b.stall = true;
  EXPECT_TRUE(check_action(b, "MAIL"));
  auto c = reply(451);
  c.delay = std::chrono::seconds(1);  // modifiers go with anything
  c.partial = 3;
  EXPECT_FALSE(check_action(c, "MAIL"));
}

TEST(ActionCheck, CommandsTakeRefusalsOnly) {
  EXPECT_FALSE(check_action(reply(451), "MAIL"));
  EXPECT_FALSE(check_action(reply(550), "*"));
  EXPECT_TRUE(check_action(reply(250), "RCPT"));
  EXPECT_TRUE(check_action(reply(354), "DATA"));
}

TEST(ActionCheck, ConnectTakesGreetingsAndRefusals) {
  EXPECT_FALSE(check_action(reply(220), "connect"));
  EXPECT_FALSE(check_action(reply(421), "connect"));
  EXPECT_FALSE(check_action(reply(554), "connect"));
  EXPECT_TRUE(check_action(reply(450), "connect"));
  EXPECT_TRUE(check_action(reply(250), "connect"));
}

TEST(ActionCheck, EndOfDataTakesAnyButIntermediate) {
  EXPECT_FALSE(check_action(reply(250), "."));
  EXPECT_FALSE(check_action(reply(452), "."));
  EXPECT_FALSE(check_action(reply(552), "."));
  EXPECT_TRUE(check_action(reply(354), "."));
}

TEST(ActionCheck, TlsTakesConnectionFaultsOnly) {
  Action fail;
  fail.fail_tls = TlsFault::alert;
  EXPECT_FALSE(check_action(fail, "tls"));
  EXPECT_TRUE(check_action(fail, "STARTTLS"));
  EXPECT_TRUE(check_action(reply(454), "tls"));
  Action slow;
  slow.delay = std::chrono::seconds(1);
  EXPECT_FALSE(check_action(slow, "tls"));
  Action broken;
  broken.malformed = Malformation::bare_lf;
  EXPECT_TRUE(check_action(broken, "tls"));
}

}  // namespace
}  // namespace smtp::fake::rules::action_check_test
