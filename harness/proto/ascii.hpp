#pragma once
// ASCII letter case. SMTP's verbs, keywords and parameter names are
// case-insensitive (RFC 5321 §2.4), as are ABNF's quoted strings (RFC 5234
// §2.3); only the 52 ASCII letters have a case here, every other octet
// (UTF-8 included) is compared and kept as it is. Independent of the C
// locale, unlike std::toupper.
#include <cstddef>
#include <string>
#include <string_view>

namespace smtp::proto {

constexpr char to_upper_ascii(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

constexpr char to_lower_ascii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string to_upper_ascii(std::string_view text);
std::string to_lower_ascii(std::string_view text);

// Equal but for the case of ASCII letters.
constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_upper_ascii(a[i]) != to_upper_ascii(b[i])) return false;
  }
  return true;
}

// `text` begins with `prefix`, but for the case of ASCII letters.
constexpr bool istarts_with(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

}  // namespace smtp::proto
