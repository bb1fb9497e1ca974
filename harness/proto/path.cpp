// RFC 5321 §4.1.2 / §4.1.3 path grammar with the RFC 6531 §3.3 extensions.
//
//   Reverse-path = Path / "<>"            Path = "<" [ A-d-l ":" ] Mailbox ">"
//   A-d-l = At-domain *( "," At-domain )  At-domain = "@" Domain
//   Mailbox = Local-part "@" ( Domain / address-literal )
//   Local-part = Dot-string / Quoted-string
//   Domain = sub-domain *("." sub-domain)  sub-domain = Let-dig [Ldh-str]
//   address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
//                           General-address-literal ) "]"
// SMTPUTF8 adds UTF8-non-ascii to atext and qtextSMTP and U-label to sub-domain.
#include "proto/path.hpp"

#include <array>
#include <cstdint>
#include <optional>

#include "proto/ascii.hpp"
#include "proto/escape.hpp"
#include "proto/limits.hpp"
#include "proto/utf8.hpp"

namespace smtp::proto {
namespace {

// Character classes of the ASCII grammar, one table lookup per octet.
enum : std::uint8_t {
  k_let_dig = 1,   // ALPHA / DIGIT
  k_atext = 2,     // RFC 5322 §3.2.3 atext
  k_qtext = 4,     // qtextSMTP: %d32-33 / %d35-91 / %d93-126
  k_dcontent = 8,  // %d33-90 / %d94-126
  k_hex = 16,      // HEXDIG
  k_digit = 32,
  k_ldh = 64,  // ALPHA / DIGIT / "-"
};

constexpr std::array<std::uint8_t, 256> make_classes() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 128; ++c) {
    const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    const bool digit = c >= '0' && c <= '9';
    std::uint8_t v = 0;
    if (alpha || digit) v |= k_let_dig | k_atext | k_ldh;
    if (c == '-') v |= k_ldh;
    if (digit) v |= k_digit | k_hex;
    if ((c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f')) v |= k_hex;
    for (char s : std::string_view("!#$%&'*+-/=?^_`{|}~")) {
      if (c == s) v |= k_atext;
    }
    if (c >= 32 && c <= 126 && c != '"' && c != '\\') v |= k_qtext;
    if ((c >= 33 && c <= 90) || (c >= 94 && c <= 126)) v |= k_dcontent;
    t[static_cast<std::size_t>(c)] = v;
  }
  return t;
}

constexpr std::array<std::uint8_t, 256> classes = make_classes();

bool has(char c, std::uint8_t cls) {
  return (classes[static_cast<unsigned char>(c)] & cls) != 0;
}
bool eight_bit(char c) {
  return static_cast<unsigned char>(c) >= 0x80;
}

// Snum 3("." Snum), Snum = 1*3DIGIT with a value of 0-255 (§4.1.3).
bool ipv4_literal(std::string_view s) {
  int parts = 0;
  std::size_t i = 0;
  while (true) {
    std::size_t digits = 0;
    int value = 0;
    while (i < s.size() && has(s[i], k_digit) && digits < 4) {
      value = value * 10 + (s[i] - '0');
      ++i;
      ++digits;
    }
    if (digits == 0 || digits > 3 || value > 255) return false;
    if (++parts == 4) return i == s.size();
    if (i == s.size() || s[i] != '.') return false;
    ++i;
  }
}

// `groups` receives how many IPv6-hex groups the colon-separated list holds;
// an empty list is valid and holds none.
bool hex_groups(std::string_view s, int* groups) {
  *groups = 0;
  if (s.empty()) return true;
  std::size_t i = 0;
  while (true) {
    std::size_t digits = 0;
    while (i < s.size() && has(s[i], k_hex)) {
      ++i;
      ++digits;
    }
    if (digits == 0 || digits > 4) return false;  // IPv6-hex = 1*4HEXDIG
    ++*groups;
    if (i == s.size()) return true;
    if (s[i] != ':') return false;
    ++i;
  }
}

// IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp (§4.1.3). A "::" stands
// for at least two groups, so it leaves room for 6 explicit groups (4 when an
// IPv4 address fills the last two).
bool ipv6_address(std::string_view s) {
  int max_groups = 8;
  if (s.find('.') != std::string_view::npos) {
    const std::size_t colon = s.rfind(':');
    if (colon == std::string_view::npos || !ipv4_literal(s.substr(colon + 1))) return false;
    s = s.substr(0, colon + 1);  // keep the colon: it may be the second half of "::"
    if (s.size() >= 2 && s.substr(s.size() - 2) == "::") {
      // "...::1.2.3.4": the "::" stays
    } else {
      s.remove_suffix(1);  // the separator before the IPv4 part
    }
    max_groups = 6;
  }
  const std::size_t gap = s.find("::");
  if (gap == std::string_view::npos) {
    int n = 0;
    return hex_groups(s, &n) && n == max_groups;
  }
  int left = 0;
  int right = 0;
  return hex_groups(s.substr(0, gap), &left) && hex_groups(s.substr(gap + 2), &right) &&
         left + right <= max_groups - 2;
}

// Ldh-str = *( ALPHA / DIGIT / "-" ) Let-dig
bool ldh_str(std::string_view s) {
  if (s.empty() || !has(s.back(), k_let_dig)) return false;
  for (char c : s) {
    if (!has(c, k_let_dig) && c != '-') return false;
  }
  return true;
}

class PathScanner {
 public:
  PathScanner(std::string_view text, const PathOptions& options) : text_(text), options_(options) {}

  std::optional<PathError> run(Path& path, std::size_t* length) {
    if (!scan(path)) return std::move(error_);
    if (length != nullptr) *length = pos_;
    return std::nullopt;
  }

  // The text is a Domain or address-literal followed by one '>', which the
  // grammar's domain rules need as their end (check_domain adds it).
  std::optional<PathError> run_domain() {
    const bool ok = !text_.empty() && text_[0] == '['
                        ? address_literal()
                        : domain(PathErrorKind::bad_domain, PathErrorKind::domain_too_long);
    if (!ok) return std::move(error_);
    if (pos_ + 1 != text_.size()) {
      return PathError{PathErrorKind::bad_domain, "unexpected character in the domain", pos_};
    }
    return std::nullopt;
  }

 private:
  bool scan(Path& path) {
    if (text_.empty() || text_[0] != '<') {
      return fail(PathErrorKind::missing_brackets, 0, "a path starts with '<'");
    }
    if (text_.size() >= 2 && text_[1] == '>') {
      if (!options_.allow_null) {
        return fail(PathErrorKind::bad_local_part, 1, "the null path \"<>\" is not allowed here");
      }
      path.null = true;
      pos_ = 2;
      return true;
    }
    // §4.1.1.3: "<Postmaster>" without a domain is a valid recipient.
    constexpr std::string_view postmaster = "postmaster";
    if (options_.allow_postmaster && text_.size() >= postmaster.size() + 2 &&
        iequals(text_.substr(1, postmaster.size()), postmaster) &&
        text_[postmaster.size() + 1] == '>') {
      path.mailbox.local_part = std::string(text_.substr(1, postmaster.size()));
      pos_ = postmaster.size() + 2;
      return true;
    }
    pos_ = 1;
    if (!at_end() && at() == '@' && !source_route(path.source_route)) return false;
    if (!mailbox(path.mailbox)) return false;
    if (pos_ > limits::path) {
      return fail(
          PathErrorKind::path_too_long, 0,
          "path of " + std::to_string(pos_) + " octets, more than 256 (RFC 5321 §4.5.3.1.3)");
    }
    return true;
  }

  // A-d-l ":" — each At-domain is kept without its "@".
  bool source_route(std::vector<std::string>& route) {
    while (true) {
      ++pos_;  // "@"
      const std::size_t start = pos_;
      if (!domain(PathErrorKind::bad_source_route, PathErrorKind::bad_source_route)) return false;
      route.emplace_back(text_.substr(start, pos_ - start));
      if (at_end()) return truncated();
      const char c = text_[pos_];
      ++pos_;
      if (c == ':') return true;
      if (c != ',') {
        return fail(PathErrorKind::bad_source_route, pos_ - 1,
                    "expected ',' or ':' after a source-route domain");
      }
      if (at_end()) return truncated();
      if (at() != '@') {
        return fail(PathErrorKind::bad_source_route, pos_, "expected '@' after ','");
      }
    }
  }

  bool mailbox(Mailbox& box) {
    const std::size_t local_start = pos_;
    if (!local_part()) return false;
    const std::size_t local_end = pos_;
    if (at_end()) return truncated();
    if (at() != '@') {
      if (at() == '>') {
        return fail(PathErrorKind::bad_domain, pos_, "the mailbox has no \"@domain\"");
      }
      return fail(PathErrorKind::bad_local_part, pos_, "unexpected character in the local part");
    }
    if (local_end - local_start > limits::local_part) {
      return fail(PathErrorKind::local_part_too_long, local_start,
                  "local part of " + std::to_string(local_end - local_start) +
                      " octets, more than 64 (RFC 5321 §4.5.3.1.1)");
    }
    ++pos_;  // "@"
    const std::size_t domain_start = pos_;
    if (at_end()) return truncated();
    if (at() == '[') {
      if (!address_literal()) return false;
    } else if (!domain(PathErrorKind::bad_domain, PathErrorKind::domain_too_long)) {
      return false;
    }
    const std::size_t domain_end = pos_;
    if (at_end()) return truncated();
    if (at() != '>')
      return fail(PathErrorKind::bad_domain, pos_, "unexpected character in the domain");
    ++pos_;
    box.local_part.assign(text_.data() + local_start, local_end - local_start);
    box.domain.assign(text_.data() + domain_start, domain_end - domain_start);
    return true;
  }

  bool local_part() {
    if (at_end()) return truncated();
    if (at() == '"') return quoted_string();
    // Dot-string = Atom *("." Atom), Atom = 1*atext
    const std::size_t start = pos_;
    bool atom_empty = true;
    while (true) {
      const std::size_t before = pos_;
      skip(k_atext);
      if (pos_ != before) atom_empty = false;
      if (at_end()) break;
      const char c = at();
      if (c == '.') {
        if (atom_empty) return fail(PathErrorKind::bad_local_part, pos_, "empty atom before '.'");
        ++pos_;
        atom_empty = true;
      } else if (eight_bit(c)) {
        if (!utf8(true, PathErrorKind::bad_local_part)) return false;
        atom_empty = false;
      } else {
        break;
      }
    }
    if (at_end()) return truncated();
    if (pos_ == start) return fail(PathErrorKind::bad_local_part, pos_, "empty local part");
    if (atom_empty)
      return fail(PathErrorKind::bad_local_part, pos_ - 1, "local part ends with '.'");
    return true;
  }

  // Quoted-string = DQUOTE *QcontentSMTP DQUOTE
  bool quoted_string() {
    ++pos_;
    while (!at_end()) {
      const char c = at();
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c == '\\') {
        // quoted-pairSMTP = %d92 %d32-126 (RFC 6531 does not extend it)
        ++pos_;
        if (at_end()) return truncated();
        const char q = at();
        if (eight_bit(q)) {
          if (!utf8(false, PathErrorKind::bad_local_part)) return false;
          continue;
        }
        if (q < 32 || q > 126) {
          return fail(PathErrorKind::bad_local_part, pos_, "bad quoted pair");
        }
        ++pos_;
      } else if (has(c, k_qtext)) {
        ++pos_;
      } else if (eight_bit(c)) {
        if (!utf8(true, PathErrorKind::bad_local_part)) return false;
      } else {
        return fail(PathErrorKind::bad_local_part, pos_, "control character in a quoted string");
      }
    }
    return truncated();
  }

  // Domain = sub-domain *("." sub-domain); under SMTPUTF8 a sub-domain may
  // also be a U-label. Labels start and end with a letter or digit (or a
  // UTF-8 character) and ASCII labels have at most 63 octets.
  bool domain(PathErrorKind kind, PathErrorKind too_long) {
    const std::size_t start = pos_;
    while (true) {
      const std::size_t label_start = pos_;
      bool ascii = true;
      while (true) {
        skip(k_ldh);
        if (at_end() || !eight_bit(at())) break;
        if (!utf8(true, kind)) return false;
        ascii = false;
      }
      if (at_end()) return truncated();
      const std::string_view label = text_.substr(label_start, pos_ - label_start);
      if (label.empty()) return fail(kind, pos_, "empty domain label");
      if (label.front() == '-' || label.back() == '-') {
        return fail(kind, label_start, "a domain label starts or ends with '-'");
      }
      if (ascii && label.size() > 63) {
        return fail(kind, label_start, "domain label longer than 63 octets (RFC 1035 §2.3.4)");
      }
      if (at() != '.') break;
      ++pos_;
    }
    if (pos_ - start > limits::domain) {
      return fail(too_long, start,
                  "domain of " + std::to_string(pos_ - start) +
                      " octets, more than 255 (RFC 5321 §4.5.3.1.2)");
    }
    return true;
  }

  bool address_literal() {
    const std::size_t start = pos_;
    ++pos_;  // "["
    while (!at_end() && at() != ']') {
      const char c = at();
      if (eight_bit(c)) {
        if (!utf8(false, PathErrorKind::bad_domain)) return false;
      } else if (has(c, k_dcontent) || c == ':') {
        ++pos_;
      } else {
        return fail(PathErrorKind::bad_domain, pos_, "character not allowed in an address literal");
      }
    }
    if (at_end()) return truncated();
    const std::string_view content = text_.substr(start + 1, pos_ - start - 1);
    ++pos_;                                         // "]"
    constexpr std::string_view ipv6_tag = "IPv6:";  // ABNF strings are case-insensitive
    bool valid = false;
    if (istarts_with(content, ipv6_tag)) {
      valid = ipv6_address(content.substr(ipv6_tag.size()));
    } else if (content.find(':') == std::string_view::npos) {
      valid = ipv4_literal(content);
    } else {
      // General-address-literal = Standardized-tag ":" 1*dcontent
      const std::size_t colon = content.find(':');
      valid = ldh_str(content.substr(0, colon)) && colon + 1 < content.size();
    }
    if (!valid) return fail(PathErrorKind::bad_domain, start, "malformed address literal");
    if (pos_ - start > limits::domain) {
      return fail(PathErrorKind::domain_too_long, start, "address literal longer than 255 octets");
    }
    return true;
  }

  // An octet >= 0x80 at pos_: non_ascii without SMTPUTF8, bad_utf8 when the
  // sequence is ill-formed, `misplaced` where the grammar has no UTF-8.
  bool utf8(bool allowed_here, PathErrorKind misplaced) {
    if (!options_.smtputf8) {
      return fail(PathErrorKind::non_ascii, pos_, "8-bit octet without SMTPUTF8 (RFC 6531 §3.3)");
    }
    const int n = utf8_scan(text_.substr(pos_));
    if (n < 0) return truncated();
    if (n == 0) return fail(PathErrorKind::bad_utf8, pos_, "ill-formed UTF-8 (RFC 3629 §4)");
    if (!allowed_here) return fail(misplaced, pos_, "UTF-8 is not allowed here");
    pos_ += static_cast<std::size_t>(n);
    return true;
  }

  // Advances over octets of class `cls`: the hot loop of every path.
  void skip(std::uint8_t cls) {
    const char* s = text_.data();
    const std::size_t n = text_.size();
    std::size_t p = pos_;
    while (p < n && has(s[p], cls)) ++p;
    pos_ = p;
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char at() const { return text_[pos_]; }

  bool truncated() {
    return fail(PathErrorKind::missing_brackets, text_.size(),
                "the text ends before the closing '>'");
  }

  // The detail quotes the text from the offending octet on.
  bool fail(PathErrorKind kind, std::size_t offset, std::string detail) {
    if (offset < text_.size()) {
      detail += " at \"";
      detail += escape_bytes(text_.substr(offset), 16);
      detail += '"';
    }
    error_ = PathError{kind, std::move(detail), offset};
    return false;
  }

  std::string_view text_;
  const PathOptions& options_;
  std::size_t pos_ = 0;
  std::optional<PathError> error_;
};

}  // namespace

std::optional<PathError> check_domain(std::string_view text, const PathOptions& options) {
  const std::string terminated = std::string(text) + '>';
  auto error = PathScanner(terminated, options).run_domain();
  // Offsets and details speak of `text`, without the added '>'.
  if (error && error->offset >= text.size()) {
    error->offset = text.size();
    if (error->kind == PathErrorKind::missing_brackets) {
      error->kind = PathErrorKind::bad_domain;
      error->detail = "the domain is incomplete";
    }
  }
  return error;
}

bool Mailbox::quoted_local_part() const {
  return !local_part.empty() && local_part.front() == '"';
}

bool Mailbox::address_literal() const {
  return !domain.empty() && domain.front() == '[';
}

std::string Mailbox::to_string() const {
  if (domain.empty()) return local_part;
  std::string out;
  out.reserve(local_part.size() + 1 + domain.size());
  out += local_part;
  out += '@';
  out += domain;
  return out;
}

std::string Path::to_string() const {
  if (null) return "<>";
  std::string out = "<";
  for (std::size_t i = 0; i < source_route.size(); ++i) {
    out += i == 0 ? "@" : ",@";
    out += source_route[i];
  }
  if (!source_route.empty()) out += ':';
  out += mailbox.to_string();
  out += '>';
  return out;
}

std::string_view to_string(PathErrorKind kind) {
  static constexpr std::array<std::string_view, 9> names = {
      "missing_brackets", "bad_local_part", "bad_domain", "bad_source_route", "local_part_too_long",
      "domain_too_long",  "path_too_long",  "non_ascii",  "bad_utf8",
  };
  const auto i = static_cast<std::size_t>(kind);
  return i < names.size() ? names[i] : "unknown";
}

std::variant<Path, PathError> parse_path(std::string_view text, const PathOptions& options,
                                         std::size_t* length) {
  std::variant<Path, PathError> result;
  if (auto e = parse_path_into(text, options, std::get<Path>(result), length)) {
    result = std::move(*e);
  }
  return result;
}

std::optional<PathError> parse_path_into(std::string_view text, const PathOptions& options,
                                         Path& out, std::size_t* length) {
  return PathScanner(text, options).run(out, length);
}

}  // namespace smtp::proto
