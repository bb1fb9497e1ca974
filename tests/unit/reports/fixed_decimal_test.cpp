#include "reports/fixed_decimal.hpp"

#include <gtest/gtest.h>

namespace smtp::reports::fixed_decimal_test {
namespace {

TEST(FixedDecimal, PrintsTheGivenDigitsWithAPoint) {
  EXPECT_EQ(fixed_decimal(0, 3), "0.000");
  EXPECT_EQ(fixed_decimal(0.25, 3), "0.250");
  EXPECT_EQ(fixed_decimal(3.25, 1), "3.2");  // ties round to even, as printf does
  EXPECT_EQ(fixed_decimal(1234.5678, 3), "1234.568");
  EXPECT_EQ(fixed_decimal(7, 0), "7");
  EXPECT_EQ(fixed_decimal(1e300, 2).size(), 304u);
}

}  // namespace
}  // namespace smtp::reports::fixed_decimal_test
