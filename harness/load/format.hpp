#pragma once
// Numbers and durations as people read them, the same in threshold verdicts,
// the progress line and the summary: "231.4ms", "1.25s", "4987".
#include <string>

namespace smtp::load {

// `significant` digits, trailing zeros dropped.
std::string format_number(double value, int significant = 4);
// Nanoseconds in the largest unit that keeps the number >= 1 (ns, µs, ms, s).
std::string format_duration(double nanoseconds);

}  // namespace smtp::load
