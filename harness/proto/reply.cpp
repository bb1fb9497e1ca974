#include "proto/reply.hpp"

namespace smtp::proto {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Parses a sub-code (1*3digit, no leading zero: RFC 3463 §2) at text[pos].
// Returns the number of digits, 0 when there is no valid sub-code.
std::size_t parse_subcode(std::string_view text, std::size_t pos, unsigned& value) {
  std::size_t n = 0;
  unsigned v = 0;
  while (pos + n < text.size() && is_digit(text[pos + n])) {
    if (n == 3) return 0;  // a fourth digit: not a sub-code
    v = v * 10 + static_cast<unsigned>(text[pos + n] - '0');
    ++n;
  }
  if (n == 0) return 0;
  if (n > 1 && text[pos] == '0') return 0;  // leading zero
  value = v;
  return n;
}

void append_code(std::string& out, int code) {
  // The parser guarantees 200..559; clamp anything else into three digits so
  // the output is still framed.
  unsigned c = code < 0 ? 0u : static_cast<unsigned>(code) % 1000u;
  out.push_back(static_cast<char>('0' + c / 100));
  out.push_back(static_cast<char>('0' + c / 10 % 10));
  out.push_back(static_cast<char>('0' + c % 10));
}

}  // namespace

std::string EnhancedCode::to_string() const {
  return std::to_string(cls) + '.' + std::to_string(subject) + '.' + std::to_string(detail);
}

std::optional<EnhancedCode> parse_enhanced_code(std::string_view text, std::size_t* length) {
  if (text.size() < 5) return std::nullopt;  // shortest is "d.d.d"
  const char c = text[0];
  if ((c != '2' && c != '4' && c != '5') || text[1] != '.') return std::nullopt;
  // Locals, assembled once at the end: filling the optional field by field
  // costs a store-forwarding stall on every call (measured in reply_bench).
  unsigned subject = 0;
  unsigned detail = 0;
  std::size_t pos = 2;
  const std::size_t ns = parse_subcode(text, pos, subject);
  if (ns == 0) return std::nullopt;
  pos += ns;
  if (pos >= text.size() || text[pos] != '.') return std::nullopt;
  ++pos;
  const std::size_t nd = parse_subcode(text, pos, detail);
  if (nd == 0) return std::nullopt;
  pos += nd;
  if (pos < text.size() && text[pos] != ' ') return std::nullopt;
  if (length != nullptr) *length = pos;
  return EnhancedCode{static_cast<std::uint8_t>(c - '0'), static_cast<std::uint16_t>(subject),
                      static_cast<std::uint16_t>(detail)};
}

const std::optional<EnhancedCode>& Reply::enhanced() const {
  static const std::optional<EnhancedCode> none;
  return lines.empty() ? none : lines.front().enhanced;
}

std::string_view Reply::message() const {
  if (lines.empty()) return {};
  std::string_view text = lines.front().text;
  std::size_t len = 0;
  if (parse_enhanced_code(text, &len)) {
    text.remove_prefix(len);
    if (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  }
  return text;
}

void Reply::encode_to(std::string& out) const {
  if (lines.empty()) {
    append_code(out, code);
    out += "\r\n";
    return;
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& text = lines[i].text;
    append_code(out, code);
    const bool last = i + 1 == lines.size();
    if (!last) {
      out.push_back('-');
    } else if (!text.empty()) {
      out.push_back(' ');
    }
    out += text;
    out += "\r\n";
  }
}

std::string Reply::encode() const {
  std::size_t size = 0;
  for (const auto& l : lines) size += l.text.size() + 6;
  std::string out;
  out.reserve(size == 0 ? 5 : size);
  encode_to(out);
  return out;
}

}  // namespace smtp::proto
