#include "common/rfc5322_date.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace smtp::common::rfc5322_date_test {
namespace {

using namespace std::chrono;

TEST(Rfc5322Date, DayNameDateTimeAndZone) {
  const auto sunday = system_clock::from_time_t(1795305600);  // 2026-11-22 00:00:00 UTC
  EXPECT_EQ(rfc5322_date(sunday), "Sun, 22 Nov 2026 00:00:00 +0000");
  EXPECT_EQ(rfc5322_date(sunday - seconds(1)), "Sat, 21 Nov 2026 23:59:59 +0000");
  // Truncated to the second.
  EXPECT_EQ(rfc5322_date(sunday + milliseconds(999)), "Sun, 22 Nov 2026 00:00:00 +0000");
  EXPECT_EQ(rfc5322_date(system_clock::time_point{}), "Thu, 01 Jan 1970 00:00:00 +0000");
}

}  // namespace
}  // namespace smtp::common::rfc5322_date_test
