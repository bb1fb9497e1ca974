#include "proto/ehlo.hpp"

#include <utility>

#include "proto/ascii.hpp"
#include "proto/escape.hpp"

namespace smtp::proto {

namespace {

constexpr std::string_view kLegacyAuth = "AUTH=";  // pre-RFC 2554 spelling

bool is_alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")   (RFC 5321 §4.1.1.1)
bool valid_keyword(std::string_view k) {
  if (k.empty() || !is_alnum(k.front())) return false;
  for (char c : k) {
    if (!is_alnum(c) && c != '-') return false;
  }
  return true;
}

// ehlo-param = 1*(%d33-126)   (RFC 5321 §4.1.1.1)
bool valid_param(std::string_view p) {
  if (p.empty()) return false;
  for (char c : p) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126) return false;
  }
  return true;
}

// Yields the words of `s` separated by runs of SP, one per call (tolerates
// "SIZE  100" and leading or trailing spaces). Empty when none is left.
std::string_view next_word(std::string_view& s) {
  std::size_t b = 0;
  while (b < s.size() && s[b] == ' ') ++b;
  std::size_t e = b;
  while (e < s.size() && s[e] != ' ') ++e;
  const std::string_view w = s.substr(b, e - b);
  s.remove_prefix(e);
  return w;
}

std::string quoted(std::string_view s) {
  return '"' + escape_bytes(s) + '"';
}

}  // namespace

std::string_view to_string(EhloErrorKind kind) {
  switch (kind) {
    case EhloErrorKind::not_positive:
      return "not_positive";
    case EhloErrorKind::bad_keyword:
      return "bad_keyword";
    case EhloErrorKind::empty_line:
      return "empty_line";
    case EhloErrorKind::bad_param:
      return "bad_param";
  }
  return "unknown";
}

const Capability* Capabilities::find(std::string_view keyword) const {
  for (const auto& item : items) {
    if (iequals(item.keyword, keyword)) return &item;
  }
  return nullptr;
}

bool Capabilities::has(std::string_view keyword) const {
  return find(keyword) != nullptr;
}

std::optional<std::uint64_t> Capabilities::size_limit() const {
  const Capability* size = find("SIZE");
  if (size == nullptr) return std::nullopt;
  // RFC 1870 §4: "SIZE" alone or "SIZE 0" means no fixed maximum.
  if (size->params.empty()) return 0;
  const std::string& p = size->params.front();
  std::uint64_t value = 0;
  for (char c : p) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - d) / 10) return std::nullopt;  // does not fit
    value = value * 10 + d;
  }
  return value;
}

std::vector<std::string> Capabilities::auth_mechanisms() const {
  std::vector<std::string> out;
  for (const auto& item : items) {
    if (item.keyword != "AUTH" && item.keyword != kLegacyAuth) continue;
    for (const auto& p : item.params) {
      std::string mech = to_upper_ascii(p);
      bool seen = false;
      for (const auto& m : out) seen = seen || m == mech;
      if (!seen) out.push_back(std::move(mech));
    }
  }
  return out;
}

std::variant<Capabilities, EhloError> parse_ehlo(const Reply& reply) {
  if (reply.code != 250 || reply.lines.empty()) {
    return EhloError{EhloErrorKind::not_positive,
                     "EHLO answered " + std::to_string(reply.code) + ", not 250", 0};
  }

  Capabilities caps;
  // First line: "Domain [ SP ehlo-greet ]" (§4.1.1.1).
  {
    std::string_view first = reply.lines.front().text;
    while (!first.empty() && first.front() == ' ') first.remove_prefix(1);
    const std::size_t sp = first.find(' ');
    caps.domain = std::string(first.substr(0, sp));
    if (sp != std::string_view::npos) {
      std::string_view rest = first.substr(sp);
      while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
      caps.greeting = std::string(rest);
    }
  }

  caps.items.reserve(reply.lines.size() - 1);
  for (std::size_t i = 1; i < reply.lines.size(); ++i) {
    const std::string& text = reply.lines[i].text;
    std::string_view rest = text;
    std::string_view keyword = next_word(rest);
    if (keyword.empty()) {
      caps.problems.push_back(
          {EhloErrorKind::empty_line, "empty capability line " + quoted(text), i});
      continue;
    }

    Capability& cap = caps.items.emplace_back();
    if (istarts_with(keyword, kLegacyAuth)) {
      // "AUTH=LOGIN PLAIN": the first mechanism is glued to the keyword.
      const std::string_view glued = keyword.substr(kLegacyAuth.size());
      keyword = keyword.substr(0, kLegacyAuth.size());
      if (!glued.empty()) cap.params.emplace_back(glued);
    } else if (!valid_keyword(keyword)) {
      caps.problems.push_back(
          {EhloErrorKind::bad_keyword,
           "capability keyword " + quoted(keyword) + " is not ALPHA/DIGIT *(ALPHA/DIGIT/\"-\")",
           i});
    }
    cap.keyword = to_upper_ascii(keyword);
    for (std::string_view p = next_word(rest); !p.empty(); p = next_word(rest)) {
      if (!valid_param(p)) {
        caps.problems.push_back(
            {EhloErrorKind::bad_param,
             "parameter " + quoted(p) + " of " + quoted(keyword) + " has octets outside %d33-126",
             i});
      }
      cap.params.emplace_back(p);
    }
  }
  return caps;
}

}  // namespace smtp::proto
