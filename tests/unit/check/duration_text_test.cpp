#include "check/duration_text.hpp"

#include <gtest/gtest.h>

namespace smtp::check::duration_text_test {
namespace {

using std::chrono::milliseconds;

TEST(DurationText, WholeSecondsHaveNoFraction) {
  EXPECT_EQ(seconds_text(milliseconds(5000)), "5s");
  EXPECT_EQ(seconds_text(milliseconds(60000)), "60s");
  EXPECT_EQ(seconds_text(milliseconds(0)), "0s");
}

TEST(DurationText, FractionsKeepOnlySignificantDigits) {
  EXPECT_EQ(seconds_text(milliseconds(300)), "0.3s");
  EXPECT_EQ(seconds_text(milliseconds(1250)), "1.25s");
  EXPECT_EQ(seconds_text(milliseconds(1005)), "1.005s");
  EXPECT_EQ(seconds_text(milliseconds(10)), "0.01s");
}

TEST(DurationText, NegativeIsZero) {
  EXPECT_EQ(seconds_text(milliseconds(-20)), "0s");
}

}  // namespace
}  // namespace smtp::check::duration_text_test
