#pragma once
// EHLO reply → capabilities (RFC 5321 §4.1.1.1). The first line is the server's
// domain and greeting; every further line is "keyword *(SP param)".
// Keywords are case-insensitive (§2.4) and stored upper-cased; parameters keep
// their case. Unknown keywords are preserved in order.
//
// Liberal in what it accepts: a malformed capability line is kept, recorded in
// `problems`, and does not stop the parse; only a reply that is not 250 fails.
// Runs of spaces between words are tolerated. The pre-RFC 2554 form
// "AUTH=LOGIN PLAIN" is kept as keyword "AUTH=" with params {"LOGIN", "PLAIN"}.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "proto/reply.hpp"

namespace smtp::proto {

struct Capability {
  std::string keyword;              // upper case, e.g. "SIZE", "AUTH", "X-FOO"
  std::vector<std::string> params;  // e.g. {"PLAIN", "LOGIN"}
};

enum class EhloErrorKind {
  not_positive,  // the reply was not 250
  bad_keyword,   // a keyword that is not ALPHA/DIGIT followed by ALPHA/DIGIT/"-" (§4.1.1.1)
  empty_line,    // an empty capability line
  bad_param,     // a parameter with octets outside %d33-126 (ehlo-param, §4.1.1.1)
};

struct EhloError {
  EhloErrorKind kind;
  std::string detail;
  std::size_t line = 0;  // index of the offending line in the reply
};

struct Capabilities {
  std::string domain;    // first word of the first line
  std::string greeting;  // rest of the first line, without the spaces before it
  std::vector<Capability> items;
  std::vector<EhloError> problems;  // malformed lines, for checks and reports

  bool has(std::string_view keyword) const;  // case-insensitive, exact ("AUTH" != "AUTH=")
  const Capability* find(std::string_view keyword) const;  // the first one; nullptr if none
  // SIZE's parameter (RFC 1870 §4): "SIZE 10240000" -> 10240000; "SIZE" and
  // "SIZE 0" -> 0, which means "no fixed maximum"; nullopt when SIZE is absent
  // or its parameter is not a decimal number that fits.
  std::optional<std::uint64_t> size_limit() const;
  // The mechanisms of every "AUTH" and pre-standard "AUTH=" line, upper case,
  // deduplicated, in order of first appearance.
  std::vector<std::string> auth_mechanisms() const;
};

std::string_view to_string(EhloErrorKind kind);

std::variant<Capabilities, EhloError> parse_ehlo(const Reply& reply);

}  // namespace smtp::proto
