#include "reports/compare_format.hpp"

#include <cmath>

#include "load/format.hpp"

namespace smtp::reports {
namespace {

// The magnitude in the unit, without a sign.
std::string magnitude(CompareUnit unit, double value) {
  switch (unit) {
    case CompareUnit::nanoseconds:
      return load::format_duration(value);
    case CompareUnit::per_second:
      return load::format_number(value) + "/s";
    case CompareUnit::count:
      return load::format_number(value, 15);  // every digit
    case CompareUnit::percent:
      return load::format_number(value) + "%";
  }
  return load::format_number(value);
}

std::string sign_of(double value) {
  return value > 0 ? "+" : "-";
}

}  // namespace

std::string format_compare_value(CompareUnit unit, double value) {
  return magnitude(unit, value);
}

std::string format_signed_amount(CompareUnit unit, double amount) {
  if (amount == 0) return "0";
  const double size = std::fabs(amount);
  if (unit == CompareUnit::percent) return sign_of(amount) + load::format_number(size) + "pp";
  return sign_of(amount) + magnitude(unit, size);
}

std::string format_signed_percent(double percent) {
  if (percent == 0) return "0%";
  return sign_of(percent) + load::format_number(std::fabs(percent), 3) + "%";
}

}  // namespace smtp::reports
