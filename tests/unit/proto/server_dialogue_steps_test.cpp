// The dialogue's entry points for a session that lets rules act first:
// parse_line/on_command, refuse_session (a 554 greeting) and refuse_chunk (a
// BDAT a rule refuses).
#include <gtest/gtest.h>

#include "server_session.hpp"

namespace smtp::proto::server_dialogue_steps_test {
namespace {

using test::code_of;
using test::Session;

TEST(ServerDialogue, ParseLineDoesNotChangeState) {
  Session s;
  s.ehlo();
  ASSERT_EQ(s.code("MAIL FROM:<alice@example.org>"), 250);
  auto parsed = s.dialogue().parse_line("RCPT TO:<bob@example.net>");
  ASSERT_TRUE(std::holds_alternative<Command>(parsed));
  EXPECT_EQ(std::get<Command>(parsed).verb, Verb::rcpt);
  EXPECT_TRUE(s.dialogue().envelope().recipients.empty());
  EXPECT_EQ(s.dialogue().state(), ServerState::mail);
  EXPECT_TRUE(s.dialogue().in_transaction());
}

TEST(ServerDialogue, OnCommandActsLikeOnLine) {
  Session s;
  s.ehlo();
  auto parsed = s.dialogue().parse_line("MAIL FROM:<alice@example.org>");
  const auto step = s.dialogue().on_command(std::get<Command>(parsed));
  EXPECT_EQ(code_of(step.output), 250);
  EXPECT_EQ(s.dialogue().envelope().reverse_path.mailbox.to_string(), "alice@example.org");
}

TEST(ServerDialogue, ParseErrorGoesThroughOnCommandError) {
  Session s;
  s.ehlo();
  auto parsed = s.dialogue().parse_line("MAIL FROM:alice");
  ASSERT_TRUE(std::holds_alternative<CommandError>(parsed));
  EXPECT_EQ(code_of(s.dialogue().on_command_error(std::get<CommandError>(parsed)).output), 501);
}

// RFC 2034 §4: with the extension, codes "regardless of whether or not EHLO
// is employed"; the extension switched off, none.
TEST(ServerDialogue, EnhancedCodesWhetherOrNotEhlo) {
  Session s;
  EXPECT_TRUE(s.dialogue().enhanced_codes());
  ASSERT_EQ(s.code("HELO client.example"), 250);
  EXPECT_TRUE(s.dialogue().enhanced_codes());
  ServerConfig c;
  c.extensions.enhanced_status_codes = false;
  Session off(c);
  off.ehlo();
  EXPECT_FALSE(off.dialogue().enhanced_codes());
}

// RFC 5321 §3.1: after a 554 greeting, every command but QUIT gets 503.
TEST(ServerDialogue, RefusedSessionOnlyAcceptsQuit) {
  Session s;
  s.dialogue().refuse_session();
  EXPECT_EQ(s.code("EHLO client.example"), 503);
  EXPECT_EQ(s.code("MAIL FROM:<alice@example.org>"), 503);
  EXPECT_EQ(s.code("NOOP"), 503);
  EXPECT_EQ(s.code("QUIT"), 221);
}

// RFC 3030 §2: a refused chunk is read to its end, then answered, and the
// transaction is over.
TEST(ServerDialogue, RefusedChunkIsReadThenAnswered) {
  Session s;
  s.ehlo();
  s.envelope();
  auto parsed = s.dialogue().parse_line("BDAT 5");
  const auto start = s.dialogue().refuse_chunk(std::get<Command>(parsed), "452 4.2.2 Full\r\n");
  EXPECT_TRUE(start.output.empty());
  EXPECT_EQ(s.dialogue().input_mode(), InputMode::chunk);
  std::size_t consumed = 0;
  EXPECT_EQ(s.data("abcdeNOOP\r\n", &consumed), "452 4.2.2 Full\r\n");
  EXPECT_EQ(consumed, 5u);
  EXPECT_EQ(s.dialogue().input_mode(), InputMode::line);
  EXPECT_FALSE(s.dialogue().in_transaction());
  // No transaction any more: the next chunk is read, then refused.
  EXPECT_EQ(s.say("BDAT 1 LAST"), "");
  EXPECT_EQ(code_of(s.data("x")), 503);
  EXPECT_TRUE(s.delivered.empty());
}

TEST(ServerDialogue, RefusedEmptyChunkIsAnsweredAtOnce) {
  Session s;
  s.ehlo();
  s.envelope();
  auto parsed = s.dialogue().parse_line("BDAT 0 LAST");
  const auto step = s.dialogue().refuse_chunk(std::get<Command>(parsed), "451 4.3.0 No\r\n");
  EXPECT_EQ(step.output, "451 4.3.0 No\r\n");
  EXPECT_FALSE(step.deliver.has_value());
  EXPECT_FALSE(s.dialogue().in_transaction());
}

}  // namespace
}  // namespace smtp::proto::server_dialogue_steps_test
