#pragma once
// Searches in rendered output (HTML, SVG, JUnit, Markdown) for the
// renderers' tests.
#include <cstddef>
#include <string>

namespace smtp::reports::testing {

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// How often `part` occurs in `text`, overlapping occurrences counted.
inline std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
    ++count;
  }
  return count;
}

}  // namespace smtp::reports::testing
