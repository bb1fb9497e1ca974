#include "reports/html/chart_scale.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace smtp::reports::html::chart_scale_test {
namespace {

TEST(LinearAxis, EndsOnANiceValueAboveTheData) {
  const Axis axis = linear_axis(437, Unit::count);
  EXPECT_EQ(axis.low, 0);
  EXPECT_EQ(axis.high, 500);
  EXPECT_EQ(axis.ticks, (std::vector<double>{0, 100, 200, 300, 400, 500}));
}

TEST(LinearAxis, AllZerosStillGiveAnAxis) {
  const Axis axis = linear_axis(0, Unit::rate);
  EXPECT_GT(axis.high, axis.low);
  EXPECT_EQ(axis.ticks.front(), 0);
  EXPECT_EQ(axis.fraction(0), 0);
}

TEST(LinearAxis, NotANumberIsTakenAsZero) {
  const Axis axis = linear_axis(std::numeric_limits<double>::quiet_NaN(), Unit::count);
  EXPECT_GT(axis.high, 0);
  EXPECT_EQ(axis.fraction(std::numeric_limits<double>::infinity()), 1);
}

TEST(LinearAxis, TimeStepsFallOnMinutes) {
  const Axis axis = linear_axis(600, Unit::seconds);
  EXPECT_EQ(axis.ticks, (std::vector<double>{0, 120, 240, 360, 480, 600}));
  EXPECT_EQ(format_value(120, Unit::seconds), "2m");
  EXPECT_EQ(format_value(5400, Unit::seconds), "1h30m");
  EXPECT_EQ(format_value(45, Unit::seconds), "45s");
}

TEST(LinearAxis, HugeValuesKeepFewTicks) {
  const Axis axis = linear_axis(3.7e12, Unit::nanoseconds);
  EXPECT_GE(axis.high, 3.7e12);
  EXPECT_LE(axis.ticks.size(), 11u);
  EXPECT_EQ(format_value(1e12, Unit::nanoseconds), "1000s");
}

TEST(LogAxis, TicksOnPowersOfTenForWideRanges) {
  const Axis axis = log_axis(3'000, 40'000'000, Unit::nanoseconds);
  EXPECT_EQ(axis.ticks, (std::vector<double>{1e3, 1e4, 1e5, 1e6, 1e7, 1e8}));
  EXPECT_EQ(format_value(axis.ticks[3], Unit::nanoseconds), "1ms");
  EXPECT_NEAR(axis.fraction(1e5), 0.4, 1e-9);
}

TEST(LogAxis, NarrowRangesGetTwoAndFive) {
  const Axis axis = log_axis(120'000, 450'000, Unit::nanoseconds);
  EXPECT_EQ(axis.ticks, (std::vector<double>{1e5, 2e5, 5e5}));
}

TEST(LogAxis, ASingleValueOrZeroStillGivesARange) {
  const Axis single = log_axis(1e6, 1e6, Unit::nanoseconds);
  EXPECT_LT(single.low, single.high);
  const Axis zero = log_axis(0, 0, Unit::nanoseconds);
  EXPECT_LT(zero.low, zero.high);
  EXPECT_EQ(zero.fraction(0), 0);
}

TEST(FormatValue, CountsAndRatesAreCompact) {
  EXPECT_EQ(format_value(0, Unit::count), "0");
  EXPECT_EQ(format_value(250, Unit::count), "250");
  EXPECT_EQ(format_value(1500, Unit::count), "1.5k");
  EXPECT_EQ(format_value(2'000'000, Unit::rate), "2M/s");
  EXPECT_EQ(format_value(0.5, Unit::rate), "0.5/s");
}

}  // namespace
}  // namespace smtp::reports::html::chart_scale_test
