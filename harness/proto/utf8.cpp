#include "proto/utf8.hpp"

namespace smtp::proto {

// The second octet's range depends on the first, which rules out overlong
// forms (C0, C1, E0 80-9F, F0 80-8F), surrogates (ED A0-BF) and code points
// above U+10FFFF (F4 90-BF, F5-FF): RFC 3629 §4's UTF8-2, UTF8-3, UTF8-4.
int utf8_scan(std::string_view text) {
  if (text.empty()) return 0;
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = b(0);
  if (lead < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    n = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    n = 3;
    if (lead == 0xE0) lo = 0xA0;
    if (lead == 0xED) hi = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    n = 4;
    if (lead == 0xF0) lo = 0x90;
    if (lead == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (std::size_t i = 1; i < n; ++i) {
    if (i >= text.size()) return -1;
    if (b(i) < (i == 1 ? lo : 0x80) || b(i) > (i == 1 ? hi : 0xBF)) return 0;
  }
  return static_cast<int>(n);
}

std::size_t utf8_char_length(std::string_view text) {
  const int n = utf8_scan(text);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

bool is_utf8(std::string_view bytes) {
  for (std::size_t at = 0; at < bytes.size();) {
    const std::size_t length = utf8_char_length(bytes.substr(at));
    if (length == 0) return false;
    at += length;
  }
  return true;
}

}  // namespace smtp::proto
