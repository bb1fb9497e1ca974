#include "common/duration.hpp"

#include <gtest/gtest.h>

namespace smtp::common::duration_test {
namespace {

using namespace std::chrono_literals;

TEST(ParseDuration, Units) {
  EXPECT_EQ(parse_duration("250ms"), Duration(250ms));
  EXPECT_EQ(parse_duration("5s"), Duration(5s));
  EXPECT_EQ(parse_duration("2m"), Duration(2min));
  EXPECT_EQ(parse_duration("1h"), Duration(1h));
  EXPECT_EQ(parse_duration("20us"), Duration(20us));
  EXPECT_EQ(parse_duration("7ns"), Duration(7ns));
}

TEST(ParseDuration, BareNumberIsSecondsAndFractionsWork) {
  EXPECT_EQ(parse_duration("30"), Duration(30s));
  EXPECT_EQ(parse_duration("1.5s"), Duration(1500ms));
  EXPECT_EQ(parse_duration("0"), Duration(0));
}

TEST(ParseDuration, RefusesJunk) {
  for (auto bad : {"", "s", "ms", "-1s", "5 s", "5sec", "abc", "1e30h", "nan", "5s5"}) {
    EXPECT_EQ(parse_duration(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace smtp::common::duration_test
