#include "common/version.hpp"

#include <gtest/gtest.h>

#include <string_view>

namespace smtp::common::version_test {
namespace {

// MAJOR.MINOR.PATCH, as CMake's project(VERSION) takes it: a mistyped or
// empty definition would show here before it reaches --version or a file.
TEST(Version, IsThreeNumbers) {
  const std::string_view version = harness_version();
  int parts = 1;
  bool digit_before = false;
  for (const char c : version) {
    if (c == '.') {
      EXPECT_TRUE(digit_before) << version;
      ++parts;
      digit_before = false;
    } else {
      EXPECT_TRUE(c >= '0' && c <= '9') << version;
      digit_before = true;
    }
  }
  EXPECT_TRUE(digit_before) << version;
  EXPECT_EQ(parts, 3) << version;
}

}  // namespace
}  // namespace smtp::common::version_test
