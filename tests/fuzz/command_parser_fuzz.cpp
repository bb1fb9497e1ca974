// Fuzzes parse_command together with the command encoder.
// Input: byte 0 holds the options (bit 0 smtputf8, bit 1 strict envelope
// syntax, bit 2 no trailing-space tolerance) and picks the split point; the
// rest is one command line without its CRLF. Traps when:
//  - an error is unclassified, has no detail, or bad_path lacks its PathError;
//  - an accepted command breaks its own invariants (length, control octets,
//    verb table, a MAIL/RCPT without a path, 8-bit octets without smtputf8);
//  - re-encoding an accepted command does not give it back. For MAIL, RCPT,
//    BDAT, EHLO, HELO, AUTH and the simple verbs the encoder must accept the
//    parsed fields and the server must read the encoded line as the same
//    command. Only the spelling may change, never the meaning: verb_text and
//    "FROM:"/"TO:" come back upper-case, spaces the parser tolerated (after
//    the colon, between parameters, around the EHLO word) are gone, leading
//    zeros of a BDAT size are dropped, and EHLO keeps only its first word.
//    The encoded form is a fixed point: encoding its parse gives it again.
//    Two documented exceptions: an EHLO word with UTF-8 (accepted under
//    smtputf8, but RFC 6531 §3.7.1 has clients send ASCII) and an AUTH line
//    over 512 octets (accepted up to 12288, but RFC 4954 §4 forbids a client
//    to send it) must be refused by the encoder;
//  - the result depends on the chunking: the line plus CRLF fed to the
//    LineFramer whole, split at a point derived from the data, and one byte
//    at a time must frame as the same line and parse the same.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/command_encoder.hpp"
#include "proto/command_parser.hpp"
#include "proto/line_framer.hpp"

namespace {

using namespace smtp::proto;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool has_eight_bit(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// Everything but the spelling (verb_text, argument).
bool same_meaning(const Command& a, const Command& b) {
  return a.verb == b.verb && a.domain == b.domain && a.path == b.path && a.params == b.params &&
         a.chunk_size == b.chunk_size && a.last_chunk == b.last_chunk &&
         a.mechanism == b.mechanism && a.initial_response == b.initial_response;
}

void check_error(const CommandError& e, std::string_view line) {
  check(to_string(e.kind) != "unknown");
  check(!e.detail.empty());
  check(e.path_error.has_value() == (e.kind == CommandErrorKind::bad_path));
  if (e.path_error) {
    check(to_string(e.path_error->kind) != "unknown");
    check(e.path_error->offset <= line.size());
  }
}

// The encoder's line for a parsed command, or nullopt when it has none.
std::optional<Encoded> encode(const Command& c, const CommandParseOptions& o) {
  switch (c.verb) {
    case Verb::mail:
      return encode_mail(*c.path, c.params, o.smtputf8);
    case Verb::rcpt:
      return encode_rcpt(*c.path, c.params, o.smtputf8);
    case Verb::bdat:
      return encode_bdat(c.chunk_size, c.last_chunk);
    case Verb::ehlo:
      return encode_ehlo(c.domain);
    case Verb::helo:
      return encode_helo(c.domain);
    case Verb::auth:
      return encode_auth(c.mechanism, c.initial_response.value_or(std::string()));
    case Verb::unknown:
      return std::nullopt;
    default:
      return encode_simple(c.verb, c.argument, o.smtputf8);
  }
}

void check_round_trip(const Command& c, std::string_view line, const CommandParseOptions& o) {
  const auto encoded = encode(c, o);
  if (!encoded) return;
  const bool utf8_ehlo = (c.verb == Verb::ehlo || c.verb == Verb::helo) && has_eight_bit(c.domain);
  const bool long_auth = c.verb == Verb::auth && line.size() + 2 > 512;
  if (utf8_ehlo || long_auth) {
    check(std::holds_alternative<EncodeError>(*encoded));
    return;
  }
  check(std::holds_alternative<std::string>(*encoded));
  const std::string& wire = std::get<std::string>(*encoded);
  check(wire.size() >= 2 && wire.ends_with("\r\n") && wire.size() <= line.size() + 2);
  const auto reparsed = parse_command(std::string_view(wire).substr(0, wire.size() - 2), o);
  check(std::holds_alternative<Command>(reparsed));
  const Command& again = std::get<Command>(reparsed);
  check(same_meaning(c, again));
  // A fixed point: the canonical line encodes to itself.
  const auto twice = encode(again, o);
  check(twice && std::holds_alternative<std::string>(*twice) &&
        std::get<std::string>(*twice) == wire);
}

void check_command(const Command& c, std::string_view line, const CommandParseOptions& o) {
  const std::size_t limit = c.verb == Verb::auth ? o.max_auth_line : o.max_line;
  check(line.size() + 2 <= limit);
  for (char ch : line) {
    const auto u = static_cast<unsigned char>(ch);
    check(u >= 0x20 && u != 0x7F);
  }
  check(verb_from_string(c.verb_text) == c.verb);
  check(!c.verb_text.empty() && c.verb_text.find(' ') == std::string::npos);
  const bool envelope = c.verb == Verb::mail || c.verb == Verb::rcpt;
  check(c.path.has_value() == envelope);
  if (c.verb == Verb::rcpt) check(!c.path->null);
  if (c.verb == Verb::ehlo || c.verb == Verb::helo) check(!c.domain.empty());
  if (c.verb == Verb::auth) check(!c.mechanism.empty() && c.mechanism.size() <= 20);
  if (!o.smtputf8 && c.verb != Verb::unknown) check(!has_eight_bit(line));
  if (c.verb == Verb::mail && has_eight_bit(line)) {
    const EsmtpParam* flag = c.param("SMTPUTF8");
    check(flag != nullptr && !flag->value);  // RFC 6531 §3.4
  }
  check_round_trip(c, line, o);
}

// Feeds `chunks` of line + CRLF to a framer and parses what it frames.
void check_framed(const std::vector<std::string_view>& chunks, std::string_view line,
                  const CommandParseOptions& o, const std::variant<Command, CommandError>& whole) {
  LineFramer::Options framing;
  framing.max_line = std::max(o.max_line, o.max_auth_line) + 2;
  LineFramer framer(framing);
  int lines = 0;
  for (auto chunk : chunks) {
    framer.feed(chunk);
    for (auto ev = framer.next(); ev.kind != LineFramer::Event::Kind::need_more;
         ev = framer.next()) {
      check(ev.kind == LineFramer::Event::Kind::line && ev.line == line);
      check(parse_command(ev.line, o) == whole);
      ++lines;
    }
  }
  check(lines == 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  CommandParseOptions o;
  o.smtputf8 = (data[0] & 1) != 0;
  o.strict_envelope_syntax = (data[0] & 2) != 0;
  o.allow_trailing_spaces = (data[0] & 4) == 0;
  const std::string_view line(reinterpret_cast<const char*>(data + 1), size - 1);

  const auto whole = parse_command(line, o);
  if (const auto* c = std::get_if<Command>(&whole)) {
    check_command(*c, line, o);
  } else {
    check_error(std::get<CommandError>(whole), line);
  }

  // Chunking. A CRLF inside the input would make it two lines on the wire.
  if (line.find("\r\n") != std::string_view::npos || line.size() > 4096) return 0;
  const std::string wire = std::string(line) + "\r\n";
  check_framed({wire}, line, o, whole);
  const std::size_t cut = (static_cast<std::size_t>(data[0]) * 131 + size) % (wire.size() + 1);
  check_framed({std::string_view(wire).substr(0, cut), std::string_view(wire).substr(cut)}, line, o,
               whole);
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < wire.size(); ++i)
    bytes.push_back(std::string_view(wire).substr(i, 1));
  check_framed(bytes, line, o, whole);
  return 0;
}
