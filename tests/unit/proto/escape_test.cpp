#include "proto/escape.hpp"

#include <gtest/gtest.h>

#include <string>

namespace smtp::proto::escape_test {
namespace {

TEST(EscapeBytes, KeepsPrintableAscii) {
  EXPECT_EQ(escape_bytes("250 2.0.0 Ok: queued as ABC"), "250 2.0.0 Ok: queued as ABC");
}

TEST(EscapeBytes, NamesLineEndingsTabAndBackslash) {
  EXPECT_EQ(escape_bytes("a\r\nb\tc\\d"), "a\\r\\nb\\tc\\\\d");
}

TEST(EscapeBytes, HexForControlDelAndEightBit) {
  EXPECT_EQ(escape_bytes(std::string("\0\x1b\x7f\xc3\xa9", 5)), "\\x00\\x1b\\x7f\\xc3\\xa9");
}

TEST(EscapeBytes, TruncatesLongInputWithEllipsis) {
  const std::string long_line(1000, 'x');
  const std::string out = escape_bytes(long_line, 10);
  EXPECT_EQ(out, "xxxxxxxxxx...");
}

TEST(EscapeBytes, NoEllipsisAtExactLimit) {
  EXPECT_EQ(escape_bytes("abcd", 4), "abcd");
}

}  // namespace
}  // namespace smtp::proto::escape_test
