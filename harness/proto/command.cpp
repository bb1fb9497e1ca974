// The command model: verb names and parameter lookup (RFC 5321 §4.1.1).
#include "proto/command.hpp"

#include <array>
#include <cstdint>

#include "proto/ascii.hpp"

namespace smtp::proto {
namespace {

// Indexed by Verb; the order must follow the enum.
constexpr std::array<std::string_view, 15> verb_names = {
    "HELO", "EHLO", "MAIL", "RCPT", "DATA",     "BDAT", "RSET",    "NOOP",
    "QUIT", "VRFY", "EXPN", "HELP", "STARTTLS", "AUTH", "UNKNOWN",
};
static_assert(static_cast<std::size_t>(Verb::unknown) + 1 == verb_names.size());

constexpr std::uint32_t pack4(std::string_view s) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(s[0])) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(s[1])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(s[2])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(s[3])) << 24;
}

// verb_names packed four octets to a word, indexed by Verb. Names that are
// not four letters long get a value no masked word can take.
constexpr std::array<std::uint32_t, 15> make_packed_verbs() {
  std::array<std::uint32_t, 15> out{};
  for (std::size_t i = 0; i < verb_names.size(); ++i) {
    out[i] = verb_names[i].size() == 4 ? pack4(verb_names[i]) : 0xFFFFFFFFu;
  }
  return out;
}
constexpr std::array<std::uint32_t, 15> packed_verbs = make_packed_verbs();

}  // namespace

std::string_view to_string(Verb verb) {
  const auto i = static_cast<std::size_t>(verb);
  return i < verb_names.size() ? verb_names[i] : verb_names.back();
}

Verb verb_from_string(std::string_view word) {
  // This runs for every line, so the four-letter verbs are compared as one
  // word each. Clearing bit 5 of an octet upper-cases a letter, and for a
  // letter L only L and its lower case give L back, so the match is exact and
  // case-insensitive (§2.4).
  if (word.size() == 4) {
    const std::uint32_t w = pack4(word) & 0xDFDFDFDFu;
    for (std::size_t i = 0; i < packed_verbs.size(); ++i) {
      if (packed_verbs[i] == w) return static_cast<Verb>(i);
    }
    return Verb::unknown;
  }
  // "UNKNOWN" is a name for the model, not a verb: it stays unknown.
  return iequals(word, "STARTTLS") ? Verb::starttls : Verb::unknown;
}

const EsmtpParam* Command::param(std::string_view keyword) const {
  for (const EsmtpParam& p : params) {
    if (iequals(p.keyword, keyword)) return &p;
  }
  return nullptr;
}

}  // namespace smtp::proto
