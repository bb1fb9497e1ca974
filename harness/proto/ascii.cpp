#include "proto/ascii.hpp"

namespace smtp::proto {

std::string to_upper_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = to_upper_ascii(c);
  return out;
}

std::string to_lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = to_lower_ascii(c);
  return out;
}

}  // namespace smtp::proto
