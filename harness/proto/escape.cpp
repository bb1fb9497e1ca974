#include "proto/escape.hpp"

namespace smtp::proto {

std::string escape_bytes(std::string_view bytes, std::size_t max_input) {
  static constexpr char hex[] = "0123456789abcdef";
  const bool truncated = bytes.size() > max_input;
  if (truncated) bytes = bytes.substr(0, max_input);
  std::string out;
  out.reserve(bytes.size() + 8);
  for (unsigned char c : bytes) {
    switch (c) {
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out += static_cast<char>(c);
        } else {
          out += "\\x";
          out += hex[c >> 4];
          out += hex[c & 0xf];
        }
    }
  }
  if (truncated) out += "...";
  return out;
}

}  // namespace smtp::proto
