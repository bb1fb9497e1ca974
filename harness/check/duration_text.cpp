#include "check/duration_text.hpp"

#include <algorithm>

namespace smtp::check {

std::string seconds_text(std::chrono::milliseconds duration) {
  // A deadline already past prints as 0s, never as a negative time.
  const auto ms = std::max<std::chrono::milliseconds::rep>(0, duration.count());
  std::string text = std::to_string(ms / 1000);
  if (auto fraction = ms % 1000; fraction != 0) {
    std::string digits = std::to_string(fraction);
    digits.insert(0, 3 - digits.size(), '0');
    while (digits.back() == '0') digits.pop_back();
    text += '.' + digits;
  }
  return text + "s";
}

}  // namespace smtp::check
