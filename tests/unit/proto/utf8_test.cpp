#include "proto/utf8.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <string>

#include "support/split.hpp"

namespace smtp::proto::utf8_test {
namespace {

using namespace std::string_literals;

TEST(Utf8, CharLength) {
  EXPECT_EQ(utf8_char_length(""), 0u);
  EXPECT_EQ(utf8_char_length("a"), 1u);
  EXPECT_EQ(utf8_char_length("\xC2\x80"), 2u);
  EXPECT_EQ(utf8_char_length("\xC3\xA9rest"), 2u);
  EXPECT_EQ(utf8_char_length("\xE2\x82\xAC"), 3u);
  EXPECT_EQ(utf8_char_length("\xEF\xBF\xBF"), 3u);
  EXPECT_EQ(utf8_char_length("\xF0\x9F\x98\x80"), 4u);
  EXPECT_EQ(utf8_char_length("\xF4\x8F\xBF\xBF"), 4u);
  EXPECT_EQ(utf8_char_length("\x80"), 0u);
  EXPECT_EQ(utf8_char_length("\xC1\xBF"), 0u);
  EXPECT_EQ(utf8_char_length("\xE0\x9F\xBF"), 0u);
  EXPECT_EQ(utf8_char_length("\xED\xA0\x80"), 0u);
  EXPECT_EQ(utf8_char_length("\xF0\x8F\xBF\xBF"), 0u);
  EXPECT_EQ(utf8_char_length("\xF4\x90\x80\x80"), 0u);
  EXPECT_EQ(utf8_char_length("\xF5\x80\x80\x80"), 0u);
  EXPECT_EQ(utf8_char_length("\xE2\x82"), 0u);
  EXPECT_EQ(utf8_char_length("\xE2\x28\xA1"), 0u);
}

// The boundaries of RFC 3629 §4's table, each side of each range.
TEST(Utf8, ScanJudgesEveryLeadOctet) {
  for (int lead = 0; lead < 256; ++lead) {
    const std::string text = std::string(1, static_cast<char>(lead)) + "\x80\x80\x80";
    int expected = 0;
    if (lead < 0x80) {
      expected = 1;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      expected = 2;
    } else if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF) {
      expected = 3;
    } else if (lead >= 0xF1 && lead <= 0xF3) {
      expected = 4;
    }
    // E0, ED, F0 and F4 restrict the second octet: 80 is outside for E0 and
    // F0 (overlong), inside for ED (not a surrogate yet) and F4.
    if (lead == 0xED) expected = 3;
    if (lead == 0xF4) expected = 4;
    EXPECT_EQ(utf8_scan(text), expected) << std::hex << lead;
  }
  EXPECT_EQ(utf8_scan("\xE0\xA0\x80"), 3);
  EXPECT_EQ(utf8_scan("\xE0\x9F\xBF"), 0);
  EXPECT_EQ(utf8_scan("\xED\x9F\xBF"), 3);
  EXPECT_EQ(utf8_scan("\xED\xA0\x80"), 0);
  EXPECT_EQ(utf8_scan("\xF0\x90\x80\x80"), 4);
  EXPECT_EQ(utf8_scan("\xF0\x8F\xBF\xBF"), 0);
  EXPECT_EQ(utf8_scan("\xF4\x8F\xBF\xBF"), 4);
  EXPECT_EQ(utf8_scan("\xF4\x90\x80\x80"), 0);
  EXPECT_EQ(utf8_scan("\xE2\x82\x28"), 0);  // a third octet that is no continuation
}

// A stream may be cut anywhere: every proper prefix of a well-formed
// character is "wait for more" (-1), never ill-formed, and never a shorter
// character; the whole is its length whatever follows.
TEST(Utf8, ScanOfEveryCutOfACharacter) {
  for (const std::string& character :
       {"\xC2\x80"s, "\xDF\xBF"s, "\xE0\xA0\x80"s, "\xE2\x82\xAC"s, "\xED\x9F\xBF"s,
        "\xEF\xBF\xBF"s, "\xF0\x90\x80\x80"s, "\xF0\x9F\x98\x80"s, "\xF4\x8F\xBF\xBF"s}) {
    for (const auto& chunks : smtp::test::every_split(character)) {
      SCOPED_TRACE(smtp::test::describe_split(chunks));
      const std::string_view first = chunks.front();
      if (first.empty()) {
        EXPECT_EQ(utf8_scan(first), 0);
      } else if (first.size() < character.size()) {
        EXPECT_EQ(utf8_scan(first), -1);
        EXPECT_EQ(utf8_char_length(first), 0u);
      } else {
        EXPECT_EQ(utf8_scan(first), static_cast<int>(character.size()));
      }
    }
    EXPECT_EQ(utf8_scan(character + "tail"), static_cast<int>(character.size()));
  }
}

// An ill-formed sequence stays ill-formed however much of it has arrived,
// once the octet that breaks it is there.
TEST(Utf8, IllFormedOnceTheBreakingOctetArrives) {
  const struct {
    std::string bytes;
    std::size_t breaks_at;  // index of the octet that makes it ill-formed
  } cases[] = {
      {"\x80", 0},         {"\xC0\xAF", 0},     {"\xC3\x28", 1},         {"\xE0\x80\xAF", 1},
      {"\xED\xA0\x80", 1}, {"\xE2\x82\x28", 2}, {"\xF4\x90\x80\x80", 1}, {"\xF0\x9F\x98\x28", 3},
      {"\xF5\x80", 0},
  };
  for (const auto& c : cases) {
    for (std::size_t cut = 1; cut <= c.bytes.size(); ++cut) {
      const std::string_view prefix = std::string_view(c.bytes).substr(0, cut);
      EXPECT_EQ(utf8_scan(prefix), cut > c.breaks_at ? 0 : -1) << c.bytes.size() << " " << cut;
    }
  }
}

TEST(Utf8, IsUtf8) {
  for (const std::string& text : {""s, "ascii"s, "NUL \0 ESC \x1b DEL \x7f"s,
                                  "Gr\xc3\xbc\xc3\x9f"
                                  "e"s,
                                  "\xe2\x82\xac"s, "\xf0\x9f\x99\x82"s, "\xf4\x8f\xbf\xbf"s}) {
    EXPECT_TRUE(is_utf8(text)) << text;
  }
  for (const std::string& bytes :
       {"\xff"s, "a\x80z"s, "\xc3\x28"s, "\xc0\xaf"s, "\xe0\x80\xaf"s, "\xed\xa0\x80"s,
        "\xf4\x90\x80\x80"s, "ok\xe2\x82"s, "\xe2\x82\xac\xe2"s}) {
    EXPECT_FALSE(is_utf8(bytes)) << bytes.size();
  }
}

// Well-formed text cut at any octet: the two halves are each UTF-8 exactly
// when the cut falls between characters.
TEST(Utf8, IsUtf8OfEveryCut) {
  const std::string text = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z";
  const std::size_t boundaries[] = {0, 1, 3, 6, 10, 11};
  for (const auto& chunks : smtp::test::every_split(text)) {
    if (chunks.size() != 2) continue;
    SCOPED_TRACE(smtp::test::describe_split(chunks));
    const bool between = std::find(std::begin(boundaries), std::end(boundaries),
                                   chunks[0].size()) != std::end(boundaries);
    EXPECT_EQ(is_utf8(chunks[0]), between);
    EXPECT_EQ(is_utf8(chunks[1]), between);
  }
}

}  // namespace
}  // namespace smtp::proto::utf8_test
