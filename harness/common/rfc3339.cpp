#include "common/rfc3339.hpp"

#include <cstdint>
#include <cstdio>

namespace smtp::common {

std::string rfc3339_utc_millis(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto millis = floor<milliseconds>(time);
  const auto day = floor<days>(millis);
  const year_month_day date{day};
  const hh_mm_ss clock{millis - day};
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int{date.year()},
                unsigned{date.month()}, unsigned{date.day()},
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()),
                static_cast<int>(clock.subseconds().count()));
  return text;
}

// RFC 3339 also allows offsets and a lower-case t/z; our files are UTC. The
// fraction keeps up to 9 digits (nanoseconds). A leap second (":60") cannot
// be a system_clock time and is refused.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339_utc(std::string_view text) {
  using namespace std::chrono;
  auto digits = [&](std::size_t at, std::size_t count) -> std::optional<int> {
    if (at + count > text.size()) return std::nullopt;
    int value = 0;
    for (std::size_t i = at; i < at + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  auto separator = [&](std::size_t at, char c) { return at < text.size() && text[at] == c; };
  const auto y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2);
  const auto h = digits(11, 2), mi = digits(14, 2), s = digits(17, 2);
  if (!y || !mo || !d || !h || !mi || !s || !separator(4, '-') || !separator(7, '-') ||
      !separator(10, 'T') || !separator(13, ':') || !separator(16, ':')) {
    return std::nullopt;
  }
  const year_month_day date{year{*y}, month{static_cast<unsigned>(*mo)},
                            day{static_cast<unsigned>(*d)}};
  if (!date.ok() || *h > 23 || *mi > 59 || *s > 59) return std::nullopt;

  std::size_t at = 19;
  nanoseconds fraction{0};
  if (separator(at, '.')) {
    ++at;
    std::int64_t scale = 100'000'000;
    const std::size_t first = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      if (at - first == 9) return std::nullopt;
      fraction += nanoseconds{(text[at] - '0') * scale};
      scale /= 10;
      ++at;
    }
    if (at == first) return std::nullopt;
  }
  if (!separator(at, 'Z') || at + 1 != text.size()) return std::nullopt;
  const auto since_epoch =
      sys_days{date}.time_since_epoch() + hours{*h} + minutes{*mi} + seconds{*s} + fraction;
  return system_clock::time_point{duration_cast<system_clock::duration>(since_epoch)};
}

}  // namespace smtp::common
