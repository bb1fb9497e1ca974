#include "proto/ascii.hpp"

#include <gtest/gtest.h>

#include <string>

namespace smtp::proto::ascii_test {
namespace {

TEST(AsciiCase, ChangesLettersOnly) {
  EXPECT_EQ(to_upper_ascii("rcpt To:<a@b> x-1_\xc3\xa9"), "RCPT TO:<A@B> X-1_\xc3\xa9");
  EXPECT_EQ(to_lower_ascii("MAIL From:<A@B> \xc3\x89"), "mail from:<a@b> \xc3\x89");
  EXPECT_TRUE(iequals(to_upper_ascii("starttls"), "STARTTLS"));
}

// Only the 52 letters have a case: every other octet, the neighbours of the
// letter ranges ('@', '[', '`', '{') and the octets of UTF-8 included, maps to
// itself, whatever the C locale would say about Latin-1.
TEST(AsciiCase, EveryOctet) {
  for (int value = 0; value < 256; ++value) {
    const char c = static_cast<char>(value);
    const bool lower = value >= 'a' && value <= 'z';
    const bool upper = value >= 'A' && value <= 'Z';
    EXPECT_EQ(to_upper_ascii(c), lower ? static_cast<char>(value - 32) : c) << value;
    EXPECT_EQ(to_lower_ascii(c), upper ? static_cast<char>(value + 32) : c) << value;
    EXPECT_TRUE(iequals(std::string(1, c), std::string(1, to_upper_ascii(c)))) << value;
  }
}

TEST(AsciiCase, Iequals) {
  EXPECT_TRUE(iequals("", ""));
  EXPECT_TRUE(iequals("Ehlo", "EHLO"));
  EXPECT_TRUE(iequals("iPv6:", "IPv6:"));
  EXPECT_FALSE(iequals("EHLO", "EHL"));
  EXPECT_FALSE(iequals("EHLO", "EHLO "));
  EXPECT_FALSE(iequals("@", "`"));                // 0x40 and 0x60 differ by the case bit
  EXPECT_FALSE(iequals("[", "{"));                // so do 0x5B and 0x7B
  EXPECT_FALSE(iequals("\xc3\xa9", "\xc3\x89"));  // é and É: not ASCII letters
  static_assert(iequals("Mail", "MAIL"));
}

TEST(AsciiCase, IstartsWith) {
  EXPECT_TRUE(istarts_with("from:<a@b>", "FROM:"));
  EXPECT_TRUE(istarts_with("AUTH=LOGIN", "auth="));
  EXPECT_TRUE(istarts_with("x", ""));
  EXPECT_FALSE(istarts_with("FRO", "FROM:"));
  EXPECT_FALSE(istarts_with("TO:<a@b>", "FROM:"));
  static_assert(istarts_with("ipv6:::1", "IPv6:"));
}

}  // namespace
}  // namespace smtp::proto::ascii_test
