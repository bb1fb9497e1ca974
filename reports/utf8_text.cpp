#include "reports/utf8_text.hpp"

#include "proto/utf8.hpp"

namespace smtp::reports {

std::string escape_non_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t at = 0; at < bytes.size();) {
    const std::size_t length = proto::utf8_char_length(bytes.substr(at));
    if (length == 0) {
      append_hex_escape(out, static_cast<unsigned char>(bytes[at]));
      ++at;
    } else {
      out.append(bytes.substr(at, length));
      at += length;
    }
  }
  return out;
}

void append_hex_escape(std::string& out, unsigned char byte) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[byte >> 4];
  out += kHex[byte & 0xf];
}

}  // namespace smtp::reports
