#pragma once
// Durations as people type them on a command line or in a Lua profile:
// "250ms", "5s", "2m", "1h", or a bare number of seconds ("1.5").
#include <chrono>
#include <optional>
#include <string_view>

namespace smtp::common {

using Duration = std::chrono::nanoseconds;

// nullopt for anything else (negative, empty, unknown unit, trailing junk).
std::optional<Duration> parse_duration(std::string_view text);

}  // namespace smtp::common
