#include "reports/html/html_text.hpp"

#include "proto/utf8.hpp"
#include "reports/transcript_text.hpp"
#include "reports/utf8_text.hpp"

namespace smtp::reports::html {
namespace {

// Unicode noncharacters (U+FDD0..U+FDEF, and U+xFFFE, U+xFFFF in every
// plane), which the HTML parser reports as errors (§13.2.5
// noncharacter-in-input-stream). visible_bytes already catches U+FFFE/FFFF.
bool is_noncharacter(std::string_view sequence) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(sequence[i]); };
  if (sequence.size() == 3) {
    return byte(0) == 0xEF && byte(1) == 0xB7 && byte(2) >= 0x90 && byte(2) <= 0xAF;
  }
  // F0..F4 xx BF BE/BF: U+1FFFE, U+1FFFF, ... U+10FFFF.
  return sequence.size() == 4 && (byte(1) & 0x0F) == 0x0F && byte(2) == 0xBF && byte(3) >= 0xBE;
}

// U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR (E2 80 A8, E2 80 A9).
bool is_line_separator(std::string_view sequence) {
  return sequence == "\xE2\x80\xA8" || sequence == "\xE2\x80\xA9";
}

void append_ascii(std::string& out, char c) {
  switch (c) {
    case '&':
      out += "&amp;";
      return;
    case '<':
      out += "&lt;";
      return;
    case '>':
      out += "&gt;";
      return;
    case '"':
      out += "&quot;";
      return;
    case '\'':
      out += "&#39;";
      return;
    case '\t':
    case '\n':
      out += c;
      return;
    default:
      break;
  }
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x20 && byte < 0x7F) {
    out += c;
  } else {
    // NUL, the other C0 controls and DEL: "\r", "\x00", "\x7f".
    out += visible_bytes(std::string_view(&c, 1));
  }
}

}  // namespace

std::string html_text(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  for (std::size_t at = 0; at < bytes.size();) {
    const std::size_t length = proto::utf8_char_length(bytes.substr(at));
    if (length == 0) {
      append_hex_escape(out, static_cast<unsigned char>(bytes[at]));
      ++at;
      continue;
    }
    const std::string_view sequence = bytes.substr(at, length);
    at += length;
    if (length == 1) {
      append_ascii(out, sequence[0]);
    } else if (is_line_separator(sequence)) {
      out += sequence[2] == '\xA8' ? "&#x2028;" : "&#x2029;";
    } else if (is_noncharacter(sequence)) {
      for (const char c : sequence) append_hex_escape(out, static_cast<unsigned char>(c));
    } else {
      // visible_bytes keeps letters and turns C1 controls, U+FFFE/U+FFFF and
      // the bidirectional controls into \xnn.
      out += visible_bytes(sequence);
    }
  }
  return out;
}

std::string html_transcript_bytes(std::string_view bytes) {
  return html_text(visible_bytes(bytes));
}

}  // namespace smtp::reports::html
