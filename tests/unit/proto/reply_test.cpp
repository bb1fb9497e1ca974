#include "proto/reply.hpp"

#include <gtest/gtest.h>

#include <string>

namespace smtp::proto::reply_test {
namespace {

EnhancedCode ec(int c, int s, int d) {
  return {static_cast<std::uint8_t>(c), static_cast<std::uint16_t>(s),
          static_cast<std::uint16_t>(d)};
}

ReplyLine rl(std::string text) {
  ReplyLine l;
  l.enhanced = parse_enhanced_code(text);
  l.text = std::move(text);
  return l;
}

TEST(EnhancedCode, ParsesTheRfc3463Form) {
  std::size_t len = 0;
  auto c = parse_enhanced_code("5.1.1 User unknown", &len);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(*c, ec(5, 1, 1));
  EXPECT_EQ(len, 5u);

  c = parse_enhanced_code("2.0.0", &len);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(*c, ec(2, 0, 0));
  EXPECT_EQ(len, 5u);

  c = parse_enhanced_code("4.7.10 try later", &len);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(*c, ec(4, 7, 10));
  EXPECT_EQ(len, 6u);

  c = parse_enhanced_code("5.999.999 x", &len);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(*c, ec(5, 999, 999));
  EXPECT_EQ(len, 9u);
}

TEST(EnhancedCode, RejectsWhatTheGrammarExcludes) {
  for (const char* bad : {
           "",         "5",      "5.1",    "5.1.",   "3.1.1 x",  "1.0.0",    "6.0.0",   "5..1",
           "5.1..",    "5.01.1", "5.1.01", "5.00.0", "5.1000.1", "5.1.1000", "5.1.1x",  "5.1.1-",
           "5.1.1\tx", " 5.1.1", "5 .1.1", "5.1 .1", "5.a.1",    "05.1.1",   "5.1.1.1", "2.0.0,",
       }) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(parse_enhanced_code(bad).has_value());
  }
}

TEST(EnhancedCode, LengthUntouchedOnFailure) {
  std::size_t len = 77;
  EXPECT_FALSE(parse_enhanced_code("5.1", &len));
  EXPECT_EQ(len, 77u);
}

TEST(EnhancedCode, ToString) {
  EXPECT_EQ(ec(5, 1, 1).to_string(), "5.1.1");
  EXPECT_EQ(ec(4, 7, 10).to_string(), "4.7.10");
  EXPECT_EQ(ec(2, 0, 0).to_string(), "2.0.0");
  EXPECT_EQ(ec(5, 999, 999).to_string(), "5.999.999");
}

TEST(Reply, Accessors) {
  Reply r{550, {rl("5.1.1 <u@example.org>: Recipient address rejected")}};
  EXPECT_EQ(r.reply_class(), 5);
  EXPECT_FALSE(r.multiline());
  ASSERT_TRUE(r.enhanced().has_value());
  EXPECT_EQ(*r.enhanced(), ec(5, 1, 1));
  EXPECT_EQ(r.message(), "<u@example.org>: Recipient address rejected");

  Reply m{250, {rl("mx.example.org"), rl("2.0.0 not first"), rl("SIZE 100")}};
  EXPECT_TRUE(m.multiline());
  EXPECT_EQ(m.reply_class(), 2);
  EXPECT_FALSE(m.enhanced().has_value());  // only the first line counts
  EXPECT_EQ(m.message(), "mx.example.org");
}

TEST(Reply, MessageStripsOnlyTheCodeAndOneSpace) {
  EXPECT_EQ((Reply{250, {rl("2.1.0 Ok")}}.message()), "Ok");
  EXPECT_EQ((Reply{250, {rl("2.1.0")}}.message()), "");
  EXPECT_EQ((Reply{250, {rl("2.1.0  two")}}.message()), " two");
  EXPECT_EQ((Reply{250, {rl("2.1.0x")}}.message()), "2.1.0x");  // not a code
  EXPECT_EQ((Reply{250, {rl("")}}.message()), "");
  EXPECT_EQ((Reply{250, {}}.message()), "");
  EXPECT_FALSE((Reply{250, {}}.enhanced().has_value()));
}

TEST(Reply, EncodeSingleLine) {
  EXPECT_EQ((Reply{250, {rl("2.1.0 Ok")}}.encode()), "250 2.1.0 Ok\r\n");
  EXPECT_EQ((Reply{354, {rl("End data with <CR><LF>.<CR><LF>")}}.encode()),
            "354 End data with <CR><LF>.<CR><LF>\r\n");
  // Empty text: "Reply-code [ SP textstring ] CRLF" (§4.2) — no SP.
  EXPECT_EQ((Reply{250, {rl("")}}.encode()), "250\r\n");
  EXPECT_EQ((Reply{221, {}}.encode()), "221\r\n");
}

TEST(Reply, EncodeMultiline) {
  Reply r{250, {rl("mx.example.org Hello"), rl(""), rl("SIZE 10240000"), rl("")}};
  EXPECT_EQ(r.encode(), "250-mx.example.org Hello\r\n250-\r\n250-SIZE 10240000\r\n250\r\n");
  std::string out = "prefix:";
  r.encode_to(out);
  EXPECT_EQ(out, "prefix:" + r.encode());
}

TEST(Reply, Equality) {
  EXPECT_EQ((Reply{250, {rl("a")}}), (Reply{250, {rl("a")}}));
  EXPECT_NE((Reply{250, {rl("a")}}), (Reply{251, {rl("a")}}));
  EXPECT_NE((Reply{250, {rl("a")}}), (Reply{250, {rl("a"), rl("b")}}));
}

}  // namespace
}  // namespace smtp::proto::reply_test
