#include "reports/xml_text.hpp"

#include "proto/utf8.hpp"
#include "reports/utf8_text.hpp"

namespace smtp::reports {
namespace {

// XML 1.0 §2.2: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD]
// | [#x10000-#x10FFFF]. Well-formed UTF-8 has no surrogates and nothing above
// U+10FFFF, so what is left to refuse is the C0 controls and U+FFFE, U+FFFF
// (EF BF BE, EF BF BF).
bool is_xml_char(std::string_view sequence) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(sequence[i]); };
  if (sequence.size() == 1) {
    return byte(0) >= 0x20 || byte(0) == '\t' || byte(0) == '\n' || byte(0) == '\r';
  }
  return !(sequence.size() == 3 && byte(0) == 0xEF && byte(1) == 0xBF && byte(2) >= 0xBE);
}

std::string escape(std::string_view bytes, bool attribute) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  for (std::size_t at = 0; at < bytes.size();) {
    std::size_t length = proto::utf8_char_length(bytes.substr(at));
    if (length == 0 || !is_xml_char(bytes.substr(at, length))) {
      // Not UTF-8, or a character XML cannot carry: each byte, visibly.
      if (length == 0) length = 1;
      for (std::size_t i = 0; i < length; ++i) {
        append_hex_escape(out, static_cast<unsigned char>(bytes[at + i]));
      }
      at += length;
      continue;
    }
    if (length > 1) {
      out.append(bytes.substr(at, length));
      at += length;
      continue;
    }
    switch (const char c = bytes[at++]) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\r':
        out += "&#13;";
        break;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        break;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string xml_content(std::string_view bytes) {
  return escape(bytes, false);
}

std::string xml_attribute(std::string_view bytes) {
  return escape(bytes, true);
}

}  // namespace smtp::reports
