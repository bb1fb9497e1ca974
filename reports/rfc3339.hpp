#pragma once
// The "started_at" of a result file: an RFC 3339 §5.6 date-time, always UTC
// ("Z"). Written with milliseconds; read back with any fraction of up to nine
// digits.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace smtp::reports {

// "2026-11-22T04:43:41.123Z": the time truncated to milliseconds.
std::string rfc3339_utc_millis(std::chrono::system_clock::time_point time);

// Reads YYYY-MM-DDTHH:MM:SS[.fraction]Z, the only form the schema allows;
// nullopt for anything else (offsets, a lower-case t or z, a leap second).
std::optional<std::chrono::system_clock::time_point> parse_rfc3339_utc(std::string_view text);

}  // namespace smtp::reports
