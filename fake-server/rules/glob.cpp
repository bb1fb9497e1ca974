#include "fake-server/rules/glob.hpp"

#include <cstddef>

#include "proto/ascii.hpp"

namespace smtp::fake::rules {

// The iterative matcher with one remembered star: on a mismatch it retries
// from the last `*`, letting it swallow one more octet. A later star makes an
// earlier one irrelevant, so there is no backtracking tree: the cost is at most
// pattern × text, never exponential ("*a*a*a*a*b" against "aaaa...").
bool glob_match(std::string_view pattern, std::string_view text) {
  constexpr std::size_t no_star = std::string_view::npos;
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = no_star;  // position of the last `*` seen in the pattern
  std::size_t resume = 0;      // where in the text that star's run ends now
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && (pattern[p] == '?' || proto::to_lower_ascii(pattern[p]) ==
                                                               proto::to_lower_ascii(text[t]))) {
      ++p;
      ++t;
    } else if (star != no_star) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace smtp::fake::rules
