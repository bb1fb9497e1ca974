#include "common/number_text.hpp"

#include <charconv>
#include <cmath>

namespace smtp::common {

std::string_view trim_blanks(std::string_view text) {
  constexpr std::string_view kBlank = " \t";
  const auto first = text.find_first_not_of(kBlank);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kBlank);
  return text.substr(first, last - first + 1);
}

std::optional<double> parse_plain_decimal(std::string_view text) {
  // from_chars takes a leading '-' (not a '+'); neither is a plain decimal.
  if (text.empty() || text.front() == '-' || text.front() == '+') return std::nullopt;
  double value = 0;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::string single_quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

}  // namespace smtp::common
