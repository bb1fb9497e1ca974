#include "load/message_builder.hpp"

#include <gtest/gtest.h>

#include <string>

namespace smtp::load::message_builder_test {
namespace {

bool every_line_ends_in_crlf(const std::string& content) {
  for (std::size_t i = 0; i < content.size(); ++i) {
    if (content[i] == '\n' && (i == 0 || content[i - 1] != '\r')) return false;
    if (content[i] == '\r' && (i + 1 >= content.size() || content[i + 1] != '\n')) return false;
  }
  return content.size() >= 2 && content.substr(content.size() - 2) == "\r\n";
}

std::size_t longest_line(const std::string& content) {
  std::size_t longest = 0, start = 0;
  for (auto end = content.find("\r\n"); end != std::string::npos;
       start = end + 2, end = content.find("\r\n", start))
    longest = std::max(longest, end - start);
  return longest;
}

TEST(MessageBuilder, DefaultMessageHasTheRequestedSizeAndValidLines) {
  for (std::size_t size : {300u, 1024u, 4096u, 100'000u}) {
    MessageDefaults defaults;
    defaults.size = size;
    auto message = MessageBuilder(defaults).build(7);
    EXPECT_EQ(message.content.size(), size) << size;
    EXPECT_TRUE(every_line_ends_in_crlf(message.content));
    EXPECT_LE(longest_line(message.content), 998u);                  // RFC 5322 §2.1.1
    EXPECT_NE(message.content.find("\r\n\r\n"), std::string::npos);  // header, empty line, body
    EXPECT_NE(message.content.find("Message-ID: <load.7@harness.test>"), std::string::npos);
  }
}

TEST(MessageBuilder, TinySizeStillGivesAHeaderAndABody) {
  MessageDefaults defaults;
  defaults.size = 0;
  auto message = MessageBuilder(defaults).build(1);
  EXPECT_TRUE(every_line_ends_in_crlf(message.content));
  EXPECT_NE(message.content.find("\r\n\r\nload test\r\n"), std::string::npos);
}

TEST(MessageBuilder, RecipientsFollowThePatternAndThePool) {
  MessageDefaults defaults;
  defaults.recipients = 3;
  defaults.recipient_pool = 5;
  defaults.to_pattern = "u%d@example.test";
  auto message = MessageBuilder(defaults).build(2);
  ASSERT_EQ(message.to.size(), 3u);
  // seq 2, three per message: numbers 6, 7, 8 modulo 5.
  EXPECT_EQ(message.to[0], "u1@example.test");
  EXPECT_EQ(message.to[1], "u2@example.test");
  EXPECT_EQ(message.to[2], "u3@example.test");
  EXPECT_EQ(message.from, defaults.from);
  EXPECT_NE(message.content.find("To: u1@example.test,\r\n u2@example.test"), std::string::npos);
}

TEST(MessageBuilder, ExpandWithoutPlaceholderKeepsTheAddress) {
  EXPECT_EQ(MessageBuilder::expand("fixed@example.test", 42), "fixed@example.test");
  EXPECT_EQ(MessageBuilder::expand("%d@x", 42), "42@x");
}

TEST(MessageBuilder, ScriptSpecOverridesDefaults) {
  script::MessageSpec spec;
  spec.from = "sender@example.org";
  spec.to = std::vector<std::string>{"a@example.net", "b@example.net"};
  spec.subject = "hello";
  spec.headers = {{"X-Test", "1"}};
  spec.body = "line one\nline two";
  auto message = MessageBuilder(MessageDefaults{}).build(9, spec);
  EXPECT_EQ(message.from, "sender@example.org");
  ASSERT_EQ(message.to.size(), 2u);
  EXPECT_NE(message.content.find("Subject: hello\r\n"), std::string::npos);
  EXPECT_NE(message.content.find("X-Test: 1\r\n"), std::string::npos);
  EXPECT_NE(message.content.find("\r\n\r\nline one\r\nline two\r\n"), std::string::npos);
  EXPECT_TRUE(every_line_ends_in_crlf(message.content));
}

TEST(MessageBuilder, ScriptSizeIsHonoured) {
  script::MessageSpec spec;
  spec.size = 5000;
  auto message = MessageBuilder(MessageDefaults{}).build(1, spec);
  EXPECT_EQ(message.content.size(), 5000u);
}

TEST(ToCrlfLines, NormalisesEveryLineEnding) {
  EXPECT_EQ(to_crlf_lines("a\nb\rc\r\nd"), "a\r\nb\r\nc\r\nd\r\n");
  EXPECT_EQ(to_crlf_lines(""), "\r\n");
  EXPECT_EQ(to_crlf_lines("x\r\n"), "x\r\n");
  EXPECT_EQ(to_crlf_lines("\n\n"), "\r\n\r\n");
}

}  // namespace
}  // namespace smtp::load::message_builder_test
