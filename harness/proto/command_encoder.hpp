#pragma once
// Client side: builds command lines, CRLF included. Refuses what a conforming
// server could reject for syntax or size (RFC 5321 §4.1.1, §4.5.3.1), so a
// scenario error surfaces before any byte is sent. Raw bytes for tests that
// must break the rules go through the transport directly, not through here.
//
// Every encoder checks its line with parse_command in strict mode (no space
// after "FROM:", one SP between parameters, no trailing space, 512 octets
// with CRLF) and requires the parse to give back exactly what it was asked
// to send. So the encoder accepts precisely what the parser accepts, and
// parse_command(encode_x(...) minus CRLF) always returns the same command.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "proto/command.hpp"
#include "proto/command_parser.hpp"
#include "proto/path.hpp"

namespace smtp::proto {

struct EncodeError {
  std::string reason;
};

using Encoded = std::variant<std::string, EncodeError>;

Encoded encode_ehlo(std::string_view domain);
Encoded encode_helo(std::string_view domain);
Encoded encode_mail(const Path& reverse_path, const std::vector<EsmtpParam>& params = {},
                    bool smtputf8 = false);
Encoded encode_rcpt(const Path& forward_path, const std::vector<EsmtpParam>& params = {},
                    bool smtputf8 = false);
Encoded encode_bdat(std::uint64_t size, bool last);
// An empty initial_response sends none; "=" sends an empty one (RFC 4954 §4).
// The line stays within 512 octets: RFC 4954 §4 says a client MUST NOT use
// the initial response when it would make AUTH exceed the SMTP line limit
// (send AUTH without it and answer the 334 instead).
Encoded encode_auth(std::string_view mechanism, std::string_view initial_response = {});
// Verbs without arguments (DATA, RSET, NOOP, QUIT, STARTTLS) or with a free
// argument (VRFY, EXPN, HELP, NOOP): "VERB[ SP argument]" CRLF. With smtputf8
// the argument may hold UTF-8 (RFC 6531 §3.7.4.2, e.g. "VRFY José SMTPUTF8").
Encoded encode_simple(Verb verb, std::string_view argument = {}, bool smtputf8 = false);

// Parses an address as a user writes it ("a@b", "<a@b>", "" or "<>" for the
// null path) into a Path, with the same rules as the server side. The whole
// text must be the address; error offsets are in `address`.
std::variant<Path, PathError> path_from_address(std::string_view address,
                                                const PathOptions& options = {});

}  // namespace smtp::proto
