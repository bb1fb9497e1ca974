#pragma once
// The model of one SMTP command (RFC 5321 §4.1.1), shared by the client-side
// encoder and the server-side parser.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/path.hpp"

namespace smtp::proto {

enum class Verb {
  helo,
  ehlo,
  mail,
  rcpt,
  data,
  bdat,
  rset,
  noop,
  quit,
  vrfy,
  expn,
  help,
  starttls,
  auth,
  unknown,
};

// "EHLO", "MAIL", ... and "UNKNOWN".
std::string_view to_string(Verb verb);
// Case-insensitive (§2.4); unknown for anything else.
Verb verb_from_string(std::string_view word);

// An ESMTP parameter (§4.1.2 esmtp-param): keyword [ "=" value ].
struct EsmtpParam {
  std::string keyword;               // upper-cased
  std::optional<std::string> value;  // raw, xtext is not decoded
  friend bool operator==(const EsmtpParam&, const EsmtpParam&) = default;
};

struct Command {
  Verb verb = Verb::unknown;
  std::string verb_text;  // as received, e.g. "mail" or "XCLIENT"
  std::string argument;   // everything after the verb and one SP, as received
                          // (trailing spaces already stripped when tolerated)
  // EHLO and HELO: the first word of the argument, the client's name for
  // itself. Not checked against anything (§4.1.4: a name that does not match
  // the client's address must not be refused).
  std::string domain;
  // MAIL and RCPT: the parsed path and its parameters.
  std::optional<Path> path;
  std::vector<EsmtpParam> params;
  // BDAT: chunk size and LAST (RFC 3030 §2).
  std::uint64_t chunk_size = 0;
  bool last_chunk = false;
  // AUTH (RFC 4954 §4): the SASL mechanism, upper-cased, and the initial
  // response as sent (base64, or "=" for an empty one).
  std::string mechanism;
  std::optional<std::string> initial_response;

  // The parameter with this keyword (case-insensitive), or nullptr.
  const EsmtpParam* param(std::string_view keyword) const;

  friend bool operator==(const Command&, const Command&) = default;
};

}  // namespace smtp::proto
