#include "common/rfc3339.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace smtp::common::rfc3339_test {
namespace {

using namespace std::chrono;

const system_clock::time_point k2026 = system_clock::from_time_t(1795305600);  // 2026-11-22

TEST(Rfc3339, WritesUtcWithMilliseconds) {
  EXPECT_EQ(rfc3339_utc_millis(k2026 + milliseconds(7)), "2026-11-22T00:00:00.007Z");
  EXPECT_EQ(rfc3339_utc_millis(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
  // Truncated, never rounded up into the next second.
  EXPECT_EQ(
      rfc3339_utc_millis(k2026 + hours(23) + minutes(59) + seconds(59) + microseconds(999999)),
      "2026-11-22T23:59:59.999Z");
}

TEST(Rfc3339, ReadsWhatItWrites) {
  for (const auto time : {k2026, k2026 + milliseconds(123), k2026 + hours(13) + milliseconds(1)}) {
    EXPECT_EQ(parse_rfc3339_utc(rfc3339_utc_millis(time)), time);
  }
  EXPECT_EQ(parse_rfc3339_utc("2026-11-22T00:00:00Z"), k2026);
  EXPECT_EQ(parse_rfc3339_utc("2026-11-22T00:00:00.000000001Z"), k2026 + nanoseconds(1));
}

TEST(Rfc3339, RefusesOtherForms) {
  for (const char* text :
       {"", "2026-11-22", "2026-11-22T00:00:00", "2026-11-22t00:00:00Z", "2026-11-22T00:00:00z",
        "2026-11-22T00:00:00+00:00", "2026-11-22 00:00:00Z", "2026-02-30T00:00:00Z",
        "2026-11-22T24:00:00Z", "2026-11-22T23:59:60Z", "2026-11-22T00:00:00.Z",
        "2026-11-22T00:00:00.0000000001Z", "2026-11-22T00:00:00Zx"}) {
    EXPECT_EQ(parse_rfc3339_utc(text), std::nullopt) << text;
  }
}

// A time cut anywhere short of its "Z" is no time: the reader never takes a
// prefix for the whole.
TEST(Rfc3339, RefusesEveryCut) {
  const std::string text = "2026-11-22T04:43:41.123Z";
  for (std::size_t cut = 0; cut < text.size(); ++cut) {
    EXPECT_EQ(parse_rfc3339_utc(std::string_view(text).substr(0, cut)), std::nullopt) << cut;
  }
  EXPECT_NE(parse_rfc3339_utc(text), std::nullopt);
}

}  // namespace
}  // namespace smtp::common::rfc3339_test
