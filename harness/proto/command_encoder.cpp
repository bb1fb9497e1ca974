// Client-side command lines. Each encoder builds its line and then parses it
// back with the server's parser in strict mode: one grammar, two directions,
// and a field that would change the meaning of the line (a ">" or a space in
// a domain, a keyword with "=" ...) is caught by the comparison.
#include "proto/command_encoder.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "proto/ascii.hpp"
#include "proto/limits.hpp"

namespace smtp::proto {
namespace {

CommandParseOptions strict_options(bool smtputf8) {
  CommandParseOptions o;
  o.smtputf8 = smtputf8;
  o.max_line = limits::command_line;
  // RFC 4954 §4: "the AUTH command is still subject to the line length
  // limitations defined in [SMTP]".
  o.max_auth_line = limits::command_line;
  o.strict_envelope_syntax = true;
  o.allow_trailing_spaces = false;
  return o;
}

EncodeError refused(const CommandError& e) {
  std::string reason(to_string(e.kind));
  reason += ": ";
  reason += e.detail;
  return EncodeError{std::move(reason)};
}

// The line without CRLF → the command a strict server reads, or why not.
std::variant<Command, EncodeError> reparse(std::string_view line, bool smtputf8) {
  auto parsed = parse_command(line, strict_options(smtputf8));
  if (auto* e = std::get_if<CommandError>(&parsed)) return refused(*e);
  return std::move(std::get<Command>(parsed));
}

Encoded with_crlf(std::string line) {
  line += "\r\n";
  return line;
}

bool same_params(const std::vector<EsmtpParam>& parsed, const std::vector<EsmtpParam>& wanted) {
  if (parsed.size() != wanted.size()) return false;
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    if (!iequals(parsed[i].keyword, wanted[i].keyword) || parsed[i].value != wanted[i].value) {
      return false;
    }
  }
  return true;
}

Encoded envelope(std::string_view prefix, const Path& path, const std::vector<EsmtpParam>& params,
                 bool smtputf8) {
  std::string line(prefix);
  line += path.to_string();
  for (const EsmtpParam& p : params) {
    line += ' ';
    line += p.keyword;
    if (p.value) {
      line += '=';
      line += *p.value;
    }
  }
  auto parsed = reparse(line, smtputf8);
  if (auto* e = std::get_if<EncodeError>(&parsed)) return std::move(*e);
  const Command& cmd = std::get<Command>(parsed);
  if (cmd.path != path) {
    return EncodeError{"the path " + path.to_string() +
                       " reads back differently: a field holds characters of the syntax around it"};
  }
  if (!same_params(cmd.params, params)) {
    return EncodeError{
        "the parameters read back differently: a keyword or value holds SP or \"=\""};
  }
  return with_crlf(std::move(line));
}

Encoded hello(std::string_view verb, std::string_view domain) {
  if (domain.empty()) return EncodeError{std::string(verb) + " needs a domain (RFC 5321 §4.1.4)"};
  std::string line(verb);
  line += ' ';
  line += domain;
  // RFC 6531 §3.7.1: the EHLO domain is ASCII even when SMTPUTF8 is used.
  auto parsed = reparse(line, false);
  if (auto* e = std::get_if<EncodeError>(&parsed)) return std::move(*e);
  if (std::get<Command>(parsed).domain != domain) {
    return EncodeError{"the domain must be a single word"};
  }
  return with_crlf(std::move(line));
}

bool free_argument(Verb verb) {
  static constexpr std::array<Verb, 8> verbs = {Verb::data,     Verb::rset, Verb::noop, Verb::quit,
                                                Verb::starttls, Verb::vrfy, Verb::expn, Verb::help};
  for (Verb v : verbs) {
    if (v == verb) return true;
  }
  return false;
}

}  // namespace

Encoded encode_ehlo(std::string_view domain) {
  return hello("EHLO", domain);
}

Encoded encode_helo(std::string_view domain) {
  return hello("HELO", domain);
}

Encoded encode_mail(const Path& reverse_path, const std::vector<EsmtpParam>& params,
                    bool smtputf8) {
  return envelope("MAIL FROM:", reverse_path, params, smtputf8);
}

Encoded encode_rcpt(const Path& forward_path, const std::vector<EsmtpParam>& params,
                    bool smtputf8) {
  return envelope("RCPT TO:", forward_path, params, smtputf8);
}

Encoded encode_bdat(std::uint64_t size, bool last) {
  // Every uint64 chunk size is valid and the line is at most 32 octets.
  std::array<char, 20> digits{};
  const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), size).ptr;
  std::string line = "BDAT ";
  line.append(digits.data(), end);
  if (last) line += " LAST";
  return with_crlf(std::move(line));
}

Encoded encode_auth(std::string_view mechanism, std::string_view initial_response) {
  std::string line = "AUTH ";
  line += mechanism;
  if (!initial_response.empty()) {
    line += ' ';
    line += initial_response;
  }
  auto parsed = reparse(line, false);
  if (auto* e = std::get_if<EncodeError>(&parsed)) {
    if (line.size() + 2 > limits::command_line) {
      e->reason += "; RFC 4954 §4: send AUTH without the initial response and answer the 334";
    }
    return std::move(*e);
  }
  const Command& cmd = std::get<Command>(parsed);
  if (!iequals(cmd.mechanism, mechanism) ||
      cmd.initial_response.value_or(std::string()) != initial_response) {
    return EncodeError{"the mechanism must be a single word"};
  }
  return with_crlf(std::move(line));
}

Encoded encode_simple(Verb verb, std::string_view argument, bool smtputf8) {
  if (!free_argument(verb)) {
    return EncodeError{std::string(to_string(verb)) +
                       " has its own encoder (encode_ehlo, encode_mail, ...)"};
  }
  std::string line(to_string(verb));
  if (!argument.empty()) {
    line += ' ';
    line += argument;
  }
  auto parsed = reparse(line, smtputf8);
  if (auto* e = std::get_if<EncodeError>(&parsed)) return std::move(*e);
  if (std::get<Command>(parsed).argument != argument) {
    return EncodeError{"the argument reads back differently"};
  }
  return with_crlf(std::move(line));
}

std::variant<Path, PathError> path_from_address(std::string_view address,
                                                const PathOptions& options) {
  const bool bracketed = !address.empty() && address.front() == '<';
  std::string wrapped;
  std::string_view text = address;
  if (address.empty() && options.allow_null) return Path{{}, {}, true};
  if (!bracketed) {
    wrapped.reserve(address.size() + 2);
    wrapped += '<';
    wrapped += address;
    wrapped += '>';
    text = wrapped;
  }
  // Offsets in `text` → offsets in `address`.
  const auto in_address = [&](std::size_t offset) {
    if (bracketed) return offset;
    return std::min(offset == 0 ? 0 : offset - 1, address.size());
  };
  std::size_t length = 0;
  auto parsed = parse_path(text, options, &length);
  if (auto* e = std::get_if<PathError>(&parsed)) {
    e->offset = in_address(e->offset);
    return parsed;
  }
  if (length != text.size()) {
    return PathError{PathErrorKind::missing_brackets, "text after the closing '>'",
                     in_address(length)};
  }
  return parsed;
}

}  // namespace smtp::proto
