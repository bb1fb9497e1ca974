#include "fake-server/rules/reply_spec.hpp"

#include <cstdio>

namespace smtp::fake::rules {

namespace {

// RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets including the code
// and CRLF. 500 for the text leaves room for "ddd-" and CRLF; an enhanced
// code added when rendering is the client's own choice of extension.
constexpr std::size_t max_text_line = 500;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

// "ddd": three digits, the first 2-5 (RFC 5321 §4.2: 2yz-5yz are the replies
// a server sends; 1yz is unused by SMTP).
std::optional<int> parse_code(std::string_view token) {
  if (token.size() != 3 || !is_digit(token[0]) || !is_digit(token[1]) || !is_digit(token[2])) {
    return std::nullopt;
  }
  // RFC 5321 §4.2: Reply-code = %x32-35 %x30-35 %x30-39.
  if (token[0] < '2' || token[0] > '5' || token[1] > '5') return std::nullopt;
  return (token[0] - '0') * 100 + (token[1] - '0') * 10 + (token[2] - '0');
}

// Something written as a status code ("4.3.0", "4.03.0", "3.1.1"): digits and
// dots with at least one dot. Text that merely starts with a number, such as
// "10 messages", is not mistaken for one.
bool looks_like_enhanced_code(std::string_view token) {
  if (token.empty() || !is_digit(token.front())) return false;
  bool dot = false;
  for (char c : token) {
    if (c == '.') {
      dot = true;
    } else if (!is_digit(c)) {
      return false;
    }
  }
  return dot;
}

// Checks one text line: no CR (LF already split the lines), no control
// characters but tab, and ASCII only: RFC 5321 §4.2 textstring is
// 1*(%d09 / %d32-126), and a client may refuse anything else (ours does).
std::optional<std::string> check_line(std::string_view line, std::size_t number) {
  for (char ch : line) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\r') return "reply text contains a CR that does not end a line";
    if (c >= 0x80) return "reply text must be ASCII (RFC 5321 §4.2); use raw for other octets";
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", c);
      return "reply text contains the control character " + std::string(hex);
    }
  }
  if (line.size() > max_text_line) {
    return "reply line " + std::to_string(number) + " is " + std::to_string(line.size()) +
           " octets long (at most " + std::to_string(max_text_line) + ", RFC 5321 §4.5.3.1.5)";
  }
  return std::nullopt;
}

}  // namespace

std::variant<ReplySpec, std::string> parse_reply_spec(std::string_view text) {
  if (text.empty()) return std::string("empty reply (expected \"ddd [x.y.z] text\")");

  // Split into lines first: "\n" separates them, an optional "\r" before it
  // is dropped.
  std::vector<std::string_view> raw;
  for (std::size_t start = 0;;) {
    const std::size_t lf = text.find('\n', start);
    std::string_view line = text.substr(start, lf == std::string_view::npos ? lf : lf - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    raw.push_back(line);
    if (lf == std::string_view::npos) break;
    start = lf + 1;
  }

  // A real multi-line reply (EHLO) has a few dozen lines; clients bound
  // them (ours at 512), so a spec may not come near.
  constexpr std::size_t max_lines = 100;
  if (raw.size() > max_lines) {
    return "reply has " + std::to_string(raw.size()) + " lines (at most " +
           std::to_string(max_lines) + ")";
  }

  std::string_view first = raw.front();
  const std::string_view code_token = first.substr(0, first.find(' '));
  const auto code = parse_code(code_token);
  if (!code)
    return "invalid reply code " + quoted(code_token) + " (must be 2-5, 0-5, 0-9: RFC 5321 §4.2)";
  ReplySpec spec;
  spec.code = *code;
  first.remove_prefix(code_token.size());
  if (!first.empty()) first.remove_prefix(1);  // the space after the code

  const std::string_view word = first.substr(0, first.find(' '));
  if (looks_like_enhanced_code(word)) {
    std::size_t length = 0;
    const auto enhanced = proto::parse_enhanced_code(first, &length);
    if (!enhanced) {
      return "invalid enhanced status code " + quoted(word) +
             " (must be class.subject.detail with class 2, 4 or 5, RFC 3463 §2)";
    }
    // RFC 3463 §2: the class of the enhanced code repeats the reply's class.
    if (enhanced->cls != spec.code / 100) {
      return "enhanced code " + enhanced->to_string() + " does not match reply class " +
             std::to_string(spec.code / 100);
    }
    spec.enhanced = enhanced;
    first.remove_prefix(length);
    if (!first.empty()) first.remove_prefix(1);
  }
  raw.front() = first;

  spec.lines.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (auto error = check_line(raw[i], i + 1)) return *std::move(error);
    spec.lines.emplace_back(raw[i]);
  }
  return spec;
}

std::string render(const ReplySpec& spec, const RenderContext& context) {
  // RFC 2034 §3, §4 ("reply-code SP status-code SP text"): the caller says
  // whether this reply carries one (not the greeting); a 3xx reply carries
  // none, since RFC 3463 has no class 3.
  std::string prefix;
  if (context.enhanced && spec.code / 100 != 3) {
    const proto::EnhancedCode code = spec.enhanced.value_or(
        proto::EnhancedCode{static_cast<std::uint8_t>(spec.code / 100), 0, 0});
    prefix = code.to_string();
  }

  proto::Reply reply;
  reply.code = spec.code;
  const std::size_t count = spec.lines.empty() ? 1 : spec.lines.size();
  reply.lines.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::string text = spec.lines.empty() ? std::string() : spec.lines[i];
    // RFC 5321 §4.2 / §4.3.2: "220 <domain> ..." and "421 <domain> ...";
    // §3.8: a 421 closes the channel. The name comes after the enhanced code,
    // as the server's own replies have it.
    if (i == 0 && (spec.code == 220 || spec.code == 421) && !context.hostname.empty()) {
      const bool named =
          text.starts_with(context.hostname) &&
          (text.size() == context.hostname.size() || text[context.hostname.size()] == ' ');
      if (!named)
        text = text.empty() ? std::string(context.hostname)
                            : std::string(context.hostname) + ' ' + text;
    }
    if (!prefix.empty()) text = text.empty() ? prefix : prefix + ' ' + text;
    reply.lines.push_back({std::move(text), std::nullopt});
  }
  return reply.encode();
}

}  // namespace smtp::fake::rules
