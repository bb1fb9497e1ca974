#include "fake-server/rules/malformation.hpp"

#include <array>
#include <utility>
#include <vector>

namespace smtp::fake::rules {

namespace {

constexpr std::array<std::pair<Malformation, std::string_view>, 8> names{{
    {Malformation::blank_line, "blank-line"},
    {Malformation::mixed_codes, "mixed-codes"},
    {Malformation::bare_lf, "bare-lf"},
    {Malformation::no_space, "no-space"},
    {Malformation::long_line, "long-line"},
    {Malformation::bad_code, "bad-code"},
    {Malformation::code_600, "code-600"},
    {Malformation::endless, "endless"},
}};

// Far over the 512 octets of RFC 5321 §4.5.3.1.5, and over the 1000 of a
// command line, yet small enough to send in one write.
constexpr std::size_t long_line_length = 4000;

// One line of a reply as the server formats it (RFC 5321 §4.2): the code,
// '-' or ' ' (or nothing for a bare "ddd"), the text.
struct Line {
  std::string code;
  std::string separator;
  std::string text;
};

std::vector<Line> split(std::string_view reply) {
  std::vector<Line> lines;
  while (!reply.empty()) {
    const std::size_t end = reply.find("\r\n");
    std::string_view line = reply.substr(0, end);
    reply.remove_prefix(end == std::string_view::npos ? reply.size() : end + 2);
    Line l;
    l.code = std::string(line.substr(0, 3));
    line.remove_prefix(l.code.size());
    if (!line.empty() && (line.front() == ' ' || line.front() == '-')) {
      l.separator = std::string(1, line.front());
      line.remove_prefix(1);
    }
    l.text = std::string(line);
    lines.push_back(std::move(l));
  }
  return lines;
}

std::string join(const std::vector<Line>& lines, std::string_view end_of_line = "\r\n") {
  std::string out;
  for (const auto& l : lines) {
    out += l.code;
    out += l.separator;
    out += l.text;
    out += end_of_line;
  }
  return out;
}

// The code plus one ("250" -> "251"); codes that are not numbers stay.
std::string next_code(const std::string& code) {
  if (code.size() != 3) return code;
  int value = 0;
  for (char c : code) {
    if (c < '0' || c > '9') return code;
    value = value * 10 + (c - '0');
  }
  return std::to_string(value + 1);
}

// A one-line reply becomes the two-line reply "ddd-text" / "ddd text", so the
// malformations that need a multi-line reply have one.
void make_multiline(std::vector<Line>& lines) {
  if (lines.size() != 1) return;
  Line last = lines.front();
  if (last.separator.empty() && !last.text.empty()) last.separator.assign(1, ' ');
  lines.front().separator.assign(1, '-');
  lines.push_back(std::move(last));
}

}  // namespace

std::optional<Malformation> parse_malformation(std::string_view name) {
  for (const auto& [m, text] : names) {
    if (text == name) return m;
  }
  return std::nullopt;
}

std::string_view to_string(Malformation m) {
  for (const auto& [value, text] : names) {
    if (value == m) return text;
  }
  return "unknown";
}

std::string_view malformation_names() {
  return "blank-line, mixed-codes, bare-lf, no-space, long-line, bad-code, code-600, endless";
}

std::string malform(std::string_view reply, Malformation m) {
  auto lines = split(reply);
  if (lines.empty()) return std::string(reply);
  switch (m) {
    case Malformation::blank_line: {
      make_multiline(lines);
      std::string out = join(std::vector<Line>{lines.front()});
      out += "\r\n";  // the empty line: no code at all
      out += join(std::vector<Line>(lines.begin() + 1, lines.end()));
      return out;
    }
    case Malformation::mixed_codes:
      make_multiline(lines);
      lines.back().code = next_code(lines.back().code);
      return join(lines);
    case Malformation::bare_lf:
      // RFC 5321 §2.3.8: lines end in CRLF; a bare LF is what this breaks.
      return join(lines, "\n");
    case Malformation::no_space:
      for (auto& l : lines) l.separator.clear();
      return join(lines);
    case Malformation::long_line: {
      Line& last = lines.back();
      if (last.separator.empty()) last.separator.assign(1, ' ');
      const std::size_t used = last.code.size() + last.separator.size() + last.text.size();
      if (used < long_line_length) last.text.append(long_line_length - used, 'x');
      return join(lines);
    }
    case Malformation::bad_code:
      for (auto& l : lines) {
        if (l.code.size() == 3) l.code[1] = 'x';
      }
      return join(lines);
    case Malformation::code_600:
      for (auto& l : lines) {
        if (!l.code.empty()) l.code[0] = '6';
      }
      return join(lines);
    case Malformation::endless: {
      Line first = lines.front();
      first.separator.assign(1, '-');
      return join(std::vector<Line>{first});
    }
  }
  return std::string(reply);
}

std::string endless_line(std::string_view reply) {
  return std::string(reply.substr(0, 3)) + "-continued\r\n";
}

}  // namespace smtp::fake::rules
