#pragma once
// Seconds as the text reports print them ("0.012"): fixed notation with a
// given number of digits after the point, independent of the C locale (JUnit's
// time attribute must use a point).
#include <string>

namespace smtp::reports {

std::string fixed_decimal(double value, int digits);

}  // namespace smtp::reports
