#include "common/duration.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace smtp::common {

std::optional<Duration> parse_duration(std::string_view text) {
  struct Unit {
    std::string_view suffix;
    double nanoseconds;
  };
  // Longest suffixes first, so "ms" is not read as "m" + junk.
  static constexpr std::array<Unit, 6> units = {
      {{"ms", 1e6}, {"us", 1e3}, {"ns", 1.0}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}}};
  double scale = 1e9;  // a bare number is seconds
  for (const auto& u : units) {
    if (text.size() > u.suffix.size() && text.ends_with(u.suffix)) {
      scale = u.nanoseconds;
      text.remove_suffix(u.suffix.size());
      break;
    }
  }
  if (text.empty()) return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value) || value < 0) {
    return std::nullopt;
  }
  const double ns = value * scale;
  if (ns > 1e18) return std::nullopt;  // beyond ~31 years: a typo, not a timeout
  return Duration(static_cast<Duration::rep>(std::llround(ns)));
}

}  // namespace smtp::common
