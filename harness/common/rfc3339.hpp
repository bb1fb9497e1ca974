#pragma once
// RFC 3339 §5.6 date-times, always UTC ("Z"): the "started_at" of a result
// file and the times of fake-smtpd's HTTP API. Written with milliseconds;
// read back with any fraction of up to nine digits.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace smtp::common {

// "2026-11-22T04:43:41.123Z": the time truncated to milliseconds.
std::string rfc3339_utc_millis(std::chrono::system_clock::time_point time);

// Reads YYYY-MM-DDTHH:MM:SS[.fraction]Z, the only form the schema allows;
// nullopt for anything else (offsets, a lower-case t or z, a leap second).
std::optional<std::chrono::system_clock::time_point> parse_rfc3339_utc(std::string_view text);

}  // namespace smtp::common
