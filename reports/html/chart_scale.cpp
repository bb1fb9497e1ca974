#include "reports/html/chart_scale.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "load/format.hpp"

namespace smtp::reports::html {
namespace {

// "1.5k", "20M": three significant digits at most.
std::string compact_number(double value) {
  struct Suffix {
    double scale;
    const char* text;
  };
  static constexpr std::array<Suffix, 4> kSuffixes = {
      {{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}}};
  const double magnitude = std::fabs(value);
  for (const Suffix& suffix : kSuffixes) {
    if (magnitude >= suffix.scale * 0.9995) {
      return load::format_number(value / suffix.scale, 3) + suffix.text;
    }
  }
  return load::format_number(value, 3);
}

// "45s", "2m", "1h30m", "1m30.5s".
std::string elapsed_text(double seconds) {
  if (seconds < 60) return load::format_number(seconds, 3) + "s";
  const auto whole = static_cast<long long>(std::floor(seconds));
  const double fraction = seconds - static_cast<double>(whole);
  const long long hours = whole / 3600;
  const long long minutes = whole / 60 % 60;
  const double rest = static_cast<double>(whole % 60) + fraction;
  std::string text;
  if (hours > 0) text += std::to_string(hours) + "h";
  if (minutes > 0) text += std::to_string(minutes) + "m";
  if (rest > 0.0005) text += load::format_number(rest, 3) + "s";
  return text;
}

// The smallest 1, 2, 5 x 10^k at or above `raw`.
double nice_step(double raw) {
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double multiple : {1.0, 2.0, 5.0, 10.0}) {
    if (multiple * power >= raw * (1 - 1e-9)) return multiple * power;
  }
  return 10 * power;
}

// For time since the start: steps people count in.
double time_step(double raw) {
  static constexpr std::array<double, 16> kSteps = {1,   2,   5,   10,   15,   30,   60,    120,
                                                    300, 600, 900, 1800, 3600, 7200, 21600, 43200};
  if (raw < 1) return nice_step(raw);
  for (const double step : kSteps) {
    if (step >= raw) return step;
  }
  return 86400 * std::ceil(raw / 86400);
}

}  // namespace

std::string format_value(double value, Unit unit) {
  if (!std::isfinite(value)) return "?";
  switch (unit) {
    case Unit::count:
      return compact_number(value);
    case Unit::rate:
      return compact_number(value) + "/s";
    case Unit::nanoseconds:
      return value <= 0 ? "0" : load::format_duration(value);
    case Unit::seconds:
      return elapsed_text(value);
  }
  return {};
}

double Axis::fraction(double value) const {
  double f = 0;
  if (log) {
    const double v = std::max(value, low);
    f = (std::log10(v) - std::log10(low)) / (std::log10(high) - std::log10(low));
  } else {
    f = (value - low) / (high - low);
  }
  if (std::isnan(f)) return 0;
  return std::clamp(f, 0.0, 1.0);
}

Axis linear_axis(double high, Unit unit, int target_ticks) {
  if (!std::isfinite(high) || high < 0) high = 0;
  // Nothing to spread (all zeros): one unit, so the zero line sits at the bottom.
  const double raw = (high > 0 ? high : 1.0) / std::max(target_ticks, 1);
  const double step = unit == Unit::seconds ? time_step(raw) : nice_step(raw);
  Axis axis;
  axis.unit = unit;
  axis.low = 0;
  axis.high = std::max(step, std::ceil(high / step * (1 - 1e-12)) * step);
  const auto count = static_cast<int>(std::llround(axis.high / step));
  for (int i = 0; i <= count; ++i) axis.ticks.push_back(step * i);
  return axis;
}

Axis log_axis(double low, double high, Unit unit) {
  if (!(low > 0) || !std::isfinite(low)) low = 1;
  if (!(high > 0) || !std::isfinite(high)) high = low;
  if (high < low) high = low;
  Axis axis;
  axis.unit = unit;
  axis.log = true;
  const int first = static_cast<int>(std::floor(std::log10(low) + 1e-9));
  int last = static_cast<int>(std::ceil(std::log10(high) - 1e-9));
  if (last <= first) last = first + 1;
  // Narrow ranges get 2 and 5 too, so that the axis shows more than its ends.
  const bool fine = last - first <= 3;
  std::vector<double> candidates;
  for (int exponent = first; exponent <= last; ++exponent) {
    const double power = std::pow(10.0, exponent);
    candidates.push_back(power);
    if (fine && exponent < last) {
      candidates.push_back(2 * power);
      candidates.push_back(5 * power);
    }
  }
  // Trim to the data: the last candidate at or below low, the first at or
  // above high.
  std::size_t begin = 0;
  while (begin + 1 < candidates.size() && candidates[begin + 1] <= low) ++begin;
  std::size_t end = candidates.size();
  while (end - 1 > begin + 1 && candidates[end - 2] >= high) --end;
  axis.ticks.assign(candidates.begin() + static_cast<std::ptrdiff_t>(begin),
                    candidates.begin() + static_cast<std::ptrdiff_t>(end));
  axis.low = axis.ticks.front();
  axis.high = axis.ticks.back();
  return axis;
}

}  // namespace smtp::reports::html
