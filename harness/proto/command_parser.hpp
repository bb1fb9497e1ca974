#pragma once
// Server side: one command line (without CRLF, as the LineFramer yields it)
// → Command, or a classified error that maps onto the reply the server owes:
// 500 for an unrecognised/too long line, 501 for bad arguments, 553/501 for
// bad paths, 555 for unknown parameters (§4.1.1.11) — the mapping is the
// server dialogue's; this layer only classifies. Error details quote the
// offending bytes through escape_bytes().
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "proto/command.hpp"
#include "proto/path.hpp"

namespace smtp::proto {

enum class CommandErrorKind {
  empty,                // an empty line
  line_too_long,        // > 512 octets with CRLF (§4.5.3.1.4)
  control_character,    // a bare CR, LF, NUL or other control byte in the line (§2.3.8)
  missing_argument,     // e.g. "MAIL" or "EHLO" alone (§4.1.4: EHLO without a domain is 501)
  unexpected_argument,  // e.g. "DATA x", "RSET x", "QUIT x", "STARTTLS x" (§4.1.1)
  bad_syntax,           // e.g. "MAIL TO:", "BDAT abc", "BDAT 5 NOTLAST"
  bad_path,             // see path_error
  bad_parameter,        // malformed esmtp-param (§4.1.2)
  non_ascii,            // 8-bit bytes outside a path without SMTPUTF8, or a UTF-8
                        // parameter value on a MAIL without the SMTPUTF8 parameter
};

std::string_view to_string(CommandErrorKind kind);

struct CommandError {
  CommandErrorKind kind;
  Verb verb = Verb::unknown;  // as far as it was recognised
  std::string detail;
  std::optional<PathError> path_error;  // set for bad_path; its offset is in the line
  friend bool operator==(const CommandError&, const CommandError&) = default;
};

struct CommandParseOptions {
  // UTF-8 addresses may be accepted (RFC 6531 §3.3). For MAIL: the server
  // advertises SMTPUTF8, and the MAIL line must itself carry the SMTPUTF8
  // parameter, else a UTF-8 path is a non_ascii path error (§3.5: 553 5.6.7).
  // For RCPT: the transaction's MAIL carried SMTPUTF8. It also admits UTF-8
  // in ESMTP values (§3.3), free arguments (VRFY/EXPN, §3.7.4.2; NOOP, HELP)
  // and the EHLO/HELO word; ill-formed UTF-8 there is bad_syntax or
  // bad_parameter. Without it any 8-bit octet is non_ascii.
  bool smtputf8 = false;
  std::size_t max_line = 512;  // octets including CRLF, §4.5.3.1.4
  // AUTH lines. RFC 4954 §4 keeps the AUTH command itself under the SMTP
  // limit (a client MUST NOT send an initial response that would exceed it),
  // but servers MUST handle the encoded responses of their mechanisms and
  // 12288 octets is the size it names; a server is liberal here.
  std::size_t max_auth_line = 12288;
  // MAIL and RCPT: every extension that adds a parameter also raises the line
  // limit (RFC 1870 §3, RFC 3461 §4, RFC 4954 §5, RFC 6152 §2), so a server
  // offering them must accept longer envelope lines. Only raises max_line.
  std::size_t max_envelope_line = 512;
  // The grammar has no space in "MAIL FROM:<", but many clients send
  // "MAIL FROM: <a@b>" and most servers accept it. Strict mode refuses it,
  // and also more than one SP between ESMTP parameters.
  bool strict_envelope_syntax = false;
  // §4.1.1: servers SHOULD tolerate trailing spaces before CRLF (docs/CONFORMANCE.md C9).
  bool allow_trailing_spaces = true;
};

// Checks run in this order, so each line gets one well-defined error: empty,
// line_too_long, control_character, then (after stripping tolerated trailing
// spaces) the verb's own grammar. An unknown verb is not an error: it yields
// Verb::unknown with verb_text and argument kept, and the server answers 500.
std::variant<Command, CommandError> parse_command(std::string_view line,
                                                  const CommandParseOptions& options = {});

}  // namespace smtp::proto
