#include "reports/utf8_text.hpp"

#include <gtest/gtest.h>

#include <string>

#include "proto/utf8.hpp"

namespace smtp::reports::utf8_text_test {
namespace {

using namespace std::string_literals;

TEST(Utf8Text, WellFormedTextIsUtf8AndComesBackUnchanged) {
  for (const std::string& text : {""s, "ascii"s, "NUL \0 ESC \x1b DEL \x7f"s,
                                  "Gr\xc3\xbc\xc3\x9f"
                                  "e"s,
                                  "\xe2\x82\xac"s, "\xf0\x9f\x99\x82"s, "\xf4\x8f\xbf\xbf"s}) {
    EXPECT_TRUE(proto::is_utf8(text)) << text;
    EXPECT_EQ(escape_non_utf8(text), text);
  }
}

TEST(Utf8Text, EachStrayByteBecomesHex) {
  const struct {
    std::string bytes, escaped;
  } cases[] = {
      {"\xff", "\\xff"},
      {"a\x80z", "a\\x80z"},
      {"\xc3\x28", "\\xc3("},                        // a lead byte without its continuation
      {"\xc0\xaf", "\\xc0\\xaf"},                    // overlong '/' (RFC 3629 §10)
      {"\xe0\x80\xaf", "\\xe0\\x80\\xaf"},           // overlong, three bytes
      {"\xed\xa0\x80", "\\xed\\xa0\\x80"},           // UTF-16 surrogate D800
      {"\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"},  // above U+10FFFF
      {"ok\xe2\x82", "ok\\xe2\\x82"},                // truncated at the end
      {"\xe2\x82\xac\xe2", "\xe2\x82\xac\\xe2"},     // whole character, then a broken one
  };
  for (const auto& c : cases) {
    EXPECT_FALSE(proto::is_utf8(c.bytes)) << c.escaped;
    EXPECT_EQ(escape_non_utf8(c.bytes), c.escaped);
    EXPECT_TRUE(proto::is_utf8(escape_non_utf8(c.bytes)));
  }
}

TEST(Utf8Text, EveryByteValueAloneIsHandled) {
  for (int value = 0; value < 256; ++value) {
    const std::string byte(1, static_cast<char>(value));
    const std::string escaped = escape_non_utf8(byte);
    EXPECT_TRUE(proto::is_utf8(escaped)) << value;
    EXPECT_EQ(escaped == byte, value < 0x80) << value;
  }
}

}  // namespace
}  // namespace smtp::reports::utf8_text_test
