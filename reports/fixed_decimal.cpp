#include "reports/fixed_decimal.hpp"

#include <charconv>

namespace smtp::reports {

std::string fixed_decimal(double value, int digits) {
  // 308 digits before the point at most (DBL_MAX), the point, the digits,
  // the sign.
  char text[340];
  const auto result = std::to_chars(text, text + sizeof text, value, std::chars_format::fixed,
                                    digits > 20 ? 20 : digits);
  if (result.ec != std::errc{}) return "0";
  return std::string(text, result.ptr);
}

}  // namespace smtp::reports
