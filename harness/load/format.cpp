#include "load/format.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace smtp::load {

std::string format_number(double value, int significant) {
  if (value == 0 || !std::isfinite(value)) return value == 0 ? "0" : std::to_string(value);
  const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(value))));
  const int decimals = std::max(0, significant - 1 - magnitude);
  std::array<char, 64> buffer{};
  const int length = std::snprintf(buffer.data(), buffer.size(), "%.*f", decimals, value);
  std::string text(buffer.data(), static_cast<std::size_t>(std::max(0, length)));
  if (text.find('.') != std::string::npos) {
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

std::string format_duration(double nanoseconds) {
  struct Unit {
    double scale;
    std::string_view suffix;
  };
  static constexpr std::array<Unit, 4> kUnits = {{{1, "ns"}, {1e3, "µs"}, {1e6, "ms"}, {1e9, "s"}}};
  std::size_t unit = 0;
  // The largest unit the value reaches, and one more when rounding to four
  // digits would print "1000" of the smaller one (999.97ms is 1s).
  while (unit + 1 < kUnits.size() && nanoseconds >= kUnits[unit + 1].scale * 0.99995) ++unit;
  return format_number(nanoseconds / kUnits[unit].scale) + std::string(kUnits[unit].suffix);
}

}  // namespace smtp::load
