#pragma once
// Axes for the report's SVG charts: where the ticks go and how they read.
// Linear axes start at 0 and end on a "nice" value (1, 2 or 5 times a power
// of ten; for time in seconds, steps that fall on minutes and hours); log
// axes put ticks on powers of ten, with 2 and 5 between them when the range
// is narrow. Degenerate input (no data, all zeros, a single value) still
// gives a usable axis, so that a chart never divides by zero.
#include <string>
#include <vector>

namespace smtp::reports::html {

// What an axis measures, which decides how its labels read.
enum class Unit {
  count,        // "0", "250", "1.5k", "2M"
  rate,         // per second: "200/s", "1.5k/s"
  nanoseconds,  // a duration in ns: "500µs", "1.5ms", "3s"
  seconds,      // time since the start of a run: "45s", "2m", "1h30m"
};

std::string format_value(double value, Unit unit);

struct Axis {
  double low = 0;
  double high = 1;  // > low, always
  bool log = false;
  std::vector<double> ticks;  // within [low, high], increasing
  Unit unit = Unit::count;

  // The position of `value` in [0, 1] along the axis (clamped), for drawing.
  double fraction(double value) const;
};

// From 0 to at least `high` (1 when `high` is 0 or not a number), about
// `target_ticks` ticks.
Axis linear_axis(double high, Unit unit, int target_ticks = 5);

// From a power of ten (or 2, 5 times one) at or below `low` to one at or
// above `high`. Values at or below 0 are taken as 1.
Axis log_axis(double low, double high, Unit unit);

}  // namespace smtp::reports::html
