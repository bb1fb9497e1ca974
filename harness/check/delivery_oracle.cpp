#include "check/delivery_oracle.hpp"

namespace smtp::check {
namespace {

bool word_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

bool holds_token(std::string_view text, std::string_view token) {
  if (token.empty()) return false;
  for (std::size_t at = text.find(token); at != std::string_view::npos;
       at = text.find(token, at + 1)) {
    const std::size_t end = at + token.size();
    const bool starts = at == 0 || !word_char(text[at - 1]);
    const bool ends = end == text.size() || !word_char(text[end]);
    if (starts && ends) return true;
  }
  return false;
}

}  // namespace smtp::check
