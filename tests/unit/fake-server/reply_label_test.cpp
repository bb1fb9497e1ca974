#include "fake-server/reply_label.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace smtp::fake::reply_label_test {
namespace {

std::vector<int> codes(std::string_view output) {
  std::vector<int> found;
  for_each_reply_code(output, [&](int code) { found.push_back(code); });
  return found;
}

TEST(ReplyLabel, KnownVerbsUpperCaseEverythingElseOther) {
  EXPECT_EQ(reply_label("MAIL FROM:<a@b.example>"), "MAIL");
  EXPECT_EQ(reply_label("rcpt TO:<a@b.example>"), "RCPT");
  EXPECT_EQ(reply_label("ehlo client.example"), "EHLO");
  EXPECT_EQ(reply_label("QUIT"), "QUIT");
  // A client picks its verb; the label set must stay fixed.
  EXPECT_EQ(reply_label("XCLIENT NAME=x"), kOtherLabel);
  EXPECT_EQ(reply_label("MAIL\xff FROM:<>"), kOtherLabel);
  EXPECT_EQ(reply_label(""), kOtherLabel);
  EXPECT_EQ(reply_label(" MAIL FROM:<>"), kOtherLabel);
}

TEST(ReplyLabel, OneCodePerCompleteReplyFromItsLastLine) {
  EXPECT_EQ(codes("250 ok\r\n"), std::vector<int>{250});
  EXPECT_EQ(codes("250-a\r\n250-b\r\n250 c\r\n354 go\r\n"), (std::vector<int>{250, 354}));
  EXPECT_EQ(codes("221\r\n"), std::vector<int>{221});
  // Not yet complete, or not a reply line: nothing.
  EXPECT_EQ(codes("250 ok"), std::vector<int>{});
  EXPECT_EQ(codes("25x ok\r\n"), std::vector<int>{});
  EXPECT_EQ(codes("\r\n"), std::vector<int>{});
  // A malformed reply a rule sends on purpose is counted only where it
  // still has a code.
  EXPECT_EQ(codes("garbage\r\n451 later\r\n"), std::vector<int>{451});
}

}  // namespace
}  // namespace smtp::fake::reply_label_test
