#include "reports/transcript_text.hpp"

#include "proto/utf8.hpp"
#include "reports/fixed_decimal.hpp"
#include "reports/utf8_text.hpp"

namespace smtp::reports {
namespace {

// A well-formed UTF-8 sequence of two or more bytes that a reader should see
// as bytes: C1 controls (C2 80..C2 9F), U+FFFE/U+FFFF (EF BF BE/BF), and the
// bidirectional controls U+202A..U+202E (E2 80 AA..AE) and U+2066..U+2069
// (E2 81 A6..A9), with which a server could make its text read differently
// (CVE-2021-42574, "Trojan Source").
bool hidden_sequence(std::string_view sequence) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(sequence[i]); };
  if (sequence.size() == 2) return byte(0) == 0xC2 && byte(1) <= 0x9F;
  if (sequence.size() != 3) return false;
  if (byte(0) == 0xEF) return byte(1) == 0xBF && byte(2) >= 0xBE;
  if (byte(0) != 0xE2) return false;
  return (byte(1) == 0x80 && byte(2) >= 0xAA && byte(2) <= 0xAE) ||
         (byte(1) == 0x81 && byte(2) >= 0xA6 && byte(2) <= 0xA9);
}

void append_ascii(std::string& out, unsigned char c) {
  switch (c) {
    case '\\':
      out += "\\\\";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\n':
      out += "\\n\n";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (c >= 0x20 && c < 0x7F) {
        out += static_cast<char>(c);
      } else {
        append_hex_escape(out, c);
      }
  }
}

std::string pad_left(std::string text, std::size_t width) {
  if (text.size() < width) text.insert(0, width - text.size(), ' ');
  return text;
}

std::string pad_right(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

}  // namespace

std::string visible_bytes(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  for (std::size_t at = 0; at < bytes.size();) {
    const std::size_t length = proto::utf8_char_length(bytes.substr(at));
    if (length == 1) {
      append_ascii(out, static_cast<unsigned char>(bytes[at]));
    } else if (length > 1 && !hidden_sequence(bytes.substr(at, length))) {
      out.append(bytes.substr(at, length));
    } else {
      const std::size_t count = length == 0 ? 1 : length;
      for (std::size_t i = 0; i < count; ++i) {
        append_hex_escape(out, static_cast<unsigned char>(bytes[at + i]));
      }
    }
    at += length == 0 ? 1 : length;
  }
  return out;
}

std::string transcript_text(const std::vector<check::TranscriptEntry>& transcript) {
  std::string out;
  for (const check::TranscriptEntry& entry : transcript) {
    const std::string connection =
        entry.connection == 0 ? " -" : "#" + std::to_string(entry.connection);
    const std::string prefix = pad_left(fixed_decimal(entry.at_seconds, 3), 8) + " " +
                               pad_right(connection, 2) + " " +
                               pad_right(std::string(check::to_string(entry.kind)), 6) + " ";
    const std::string indent(prefix.size(), ' ');
    const std::string text = visible_bytes(entry.text);
    if (text.empty()) {
      out.append(prefix, 0, prefix.find_last_not_of(' ') + 1);
      out += '\n';
      continue;
    }
    out += prefix;
    // The line breaks visible_bytes put after each \n: continuation lines
    // line up under the first.
    for (std::size_t at = 0; at < text.size();) {
      const std::size_t end = text.find('\n', at);
      const std::size_t stop = end == std::string::npos ? text.size() : end;
      if (at > 0) out += indent;
      out.append(text, at, stop - at);
      out += '\n';
      at = stop + 1;
    }
  }
  return out;
}

}  // namespace smtp::reports
