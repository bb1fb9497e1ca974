#include "fake-server/rules/malformation.hpp"

#include <gtest/gtest.h>

#include <string>

namespace smtp::fake::rules::malformation_test {
namespace {

TEST(Malformation, NamesRoundTrip) {
  for (auto m : {Malformation::blank_line, Malformation::mixed_codes, Malformation::bare_lf,
                 Malformation::no_space, Malformation::long_line, Malformation::bad_code,
                 Malformation::code_600, Malformation::endless}) {
    EXPECT_EQ(parse_malformation(to_string(m)), m) << to_string(m);
    EXPECT_NE(std::string(malformation_names()).find(to_string(m)), std::string::npos);
  }
  EXPECT_EQ(to_string(Malformation::blank_line), "blank-line");
  EXPECT_EQ(to_string(Malformation::code_600), "code-600");
}

TEST(Malformation, UnknownNamesAreRefused) {
  EXPECT_FALSE(parse_malformation(""));
  EXPECT_FALSE(parse_malformation("blank_line"));
  EXPECT_FALSE(parse_malformation("Blank-Line"));
  EXPECT_FALSE(parse_malformation("endless "));
}

TEST(Malformation, BlankLineInsideAMultiLineReply) {
  EXPECT_EQ(malform("250-a\r\n250-b\r\n250 c\r\n", Malformation::blank_line),
            "250-a\r\n\r\n250-b\r\n250 c\r\n");
}

TEST(Malformation, BlankLineMakesASingleLineReplyMultiLine) {
  EXPECT_EQ(malform("250 ok\r\n", Malformation::blank_line), "250-ok\r\n\r\n250 ok\r\n");
  EXPECT_EQ(malform("250\r\n", Malformation::blank_line), "250-\r\n\r\n250\r\n");
}

TEST(Malformation, MixedCodesOnTheLastLine) {
  EXPECT_EQ(malform("250-a\r\n250-b\r\n250 c\r\n", Malformation::mixed_codes),
            "250-a\r\n250-b\r\n251 c\r\n");
  EXPECT_EQ(malform("451 4.3.0 later\r\n", Malformation::mixed_codes),
            "451-4.3.0 later\r\n452 4.3.0 later\r\n");
}

TEST(Malformation, BareLf) {
  EXPECT_EQ(malform("250-a\r\n250 b\r\n", Malformation::bare_lf), "250-a\n250 b\n");
  EXPECT_EQ(malform("250 ok\r\n", Malformation::bare_lf), "250 ok\n");
}

TEST(Malformation, NoSpace) {
  EXPECT_EQ(malform("250 ok\r\n", Malformation::no_space), "250ok\r\n");
  EXPECT_EQ(malform("250-a\r\n250 b\r\n", Malformation::no_space), "250a\r\n250b\r\n");
  EXPECT_EQ(malform("250\r\n", Malformation::no_space), "250\r\n");
}

TEST(Malformation, LongLineIs4000OctetsBeforeCrlf) {
  const std::string out = malform("250-a\r\n250 ok\r\n", Malformation::long_line);
  ASSERT_EQ(out.size(), 7u + 4000u + 2u);
  EXPECT_EQ(out.substr(0, 13), "250-a\r\n250 ok");
  EXPECT_EQ(out.substr(7 + 4000), "\r\n");
  EXPECT_EQ(out.find_first_not_of('x', 13), 7u + 4000u);
}

TEST(Malformation, LongLineFromACodeAlone) {
  const std::string out = malform("250\r\n", Malformation::long_line);
  ASSERT_EQ(out.size(), 4002u);
  EXPECT_EQ(out.substr(0, 5), "250 x");
}

TEST(Malformation, BadCode) {
  EXPECT_EQ(malform("250-a\r\n250 b\r\n", Malformation::bad_code), "2x0-a\r\n2x0 b\r\n");
}

TEST(Malformation, Code600) {
  EXPECT_EQ(malform("451-a\r\n451 b\r\n", Malformation::code_600), "651-a\r\n651 b\r\n");
  EXPECT_EQ(malform("250 ok\r\n", Malformation::code_600), "650 ok\r\n");
}

TEST(Malformation, EndlessStartsWithTheFirstLineAsAContinuation) {
  EXPECT_EQ(malform("250 ok\r\n", Malformation::endless), "250-ok\r\n");
  EXPECT_EQ(malform("250-a\r\n250 b\r\n", Malformation::endless), "250-a\r\n");
  EXPECT_EQ(endless_line("250 ok\r\n"), "250-continued\r\n");
  EXPECT_EQ(endless_line("421 4.7.0 bye\r\n"), "421-continued\r\n");
}

TEST(Malformation, EmptyReplyStaysEmpty) {
  EXPECT_EQ(malform("", Malformation::bad_code), "");
}

}  // namespace
}  // namespace smtp::fake::rules::malformation_test
