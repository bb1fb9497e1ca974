#include "common/rfc5322_date.hpp"

#include <ctime>

namespace smtp::common {

std::string rfc5322_date(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  // The C locale's abbreviated names are the grammar's day-name and month.
  const std::size_t length = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &utc);
  return std::string(text, length);
}

}  // namespace smtp::common
