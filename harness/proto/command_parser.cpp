// Server-side command parsing (RFC 5321 §4.1.1, §4.1.2), with AUTH (RFC 4954
// §4), BDAT (RFC 3030 §2) and SMTPUTF8 (RFC 6531 §3.3-3.5). One table maps
// each verb to the grammar of its argument.
#include "proto/command_parser.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>

#include "proto/ascii.hpp"
#include "proto/base64.hpp"
#include "proto/escape.hpp"
#include "proto/utf8.hpp"

namespace smtp::proto {
namespace {

using MaybeError = std::optional<CommandError>;

struct Context {
  std::string_view argument;  // after the verb and one SP
  std::size_t argument_offset = 0;
  bool has_argument = false;
  bool eight_bit = false;  // the line holds an octet >= 0x80
  const CommandParseOptions& options;
};

CommandError error(CommandErrorKind kind, Verb verb, std::string detail) {
  return CommandError{kind, verb, std::move(detail), std::nullopt};
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool is_eight_bit(char c) {
  return static_cast<unsigned char>(c) >= 0x80;
}
// 8-bit octets in text outside a path or parameter: non_ascii without
// SMTPUTF8, else they must form well-formed UTF-8.
MaybeError check_text(std::string_view text, const Context& c, Verb verb) {
  if (!c.eight_bit) return std::nullopt;
  for (std::size_t i = 0; i < text.size();) {
    if (!is_eight_bit(text[i])) {
      ++i;
      continue;
    }
    if (!c.options.smtputf8) {
      return error(CommandErrorKind::non_ascii, verb,
                   "8-bit octet \"" + escape_bytes(text.substr(i, 1)) + "\" at " +
                       std::to_string(c.argument_offset + i) + " without SMTPUTF8 (RFC 6531 §3.3)");
    }
    const std::size_t n = utf8_char_length(text.substr(i));
    if (n == 0) {
      return error(CommandErrorKind::bad_syntax, verb,
                   "ill-formed UTF-8 \"" + escape_bytes(text.substr(i, 4)) + "\" at " +
                       std::to_string(c.argument_offset + i) + " (RFC 3629 §4)");
    }
    i += n;
  }
  return std::nullopt;
}

// ---- verbs without an argument, with an optional or a required one --------

MaybeError no_argument(const Context& c, Command& cmd) {
  if (c.has_argument) {
    return error(CommandErrorKind::unexpected_argument, cmd.verb,
                 std::string(to_string(cmd.verb)) + " takes no argument (RFC 5321 §4.1.1)");
  }
  return std::nullopt;
}

MaybeError optional_text(const Context& c, Command& cmd) {
  return check_text(c.argument, c, cmd.verb);
}

MaybeError required_text(const Context& c, Command& cmd) {
  if (!c.has_argument) {
    return error(CommandErrorKind::missing_argument, cmd.verb,
                 std::string(to_string(cmd.verb)) + " needs an argument (RFC 5321 §4.1.1)");
  }
  return check_text(c.argument, c, cmd.verb);
}

MaybeError unknown(const Context&, Command&) {
  return std::nullopt;
}

// ---- EHLO / HELO ------------------------------------------------------------

MaybeError hello(const Context& c, Command& cmd) {
  if (!c.has_argument) {
    return error(CommandErrorKind::missing_argument, cmd.verb,
                 std::string(to_string(cmd.verb)) + " needs a domain (RFC 5321 §4.1.4)");
  }
  if (MaybeError e = check_text(c.argument, c, cmd.verb)) return e;
  std::string_view word = c.argument;
  word.remove_prefix(std::min(word.find_first_not_of(' '), word.size()));
  word = word.substr(0, word.find(' '));
  if (word.empty()) {
    return error(CommandErrorKind::missing_argument, cmd.verb,
                 std::string(to_string(cmd.verb)) + " needs a domain (RFC 5321 §4.1.4)");
  }
  cmd.domain = std::string(word);
  return std::nullopt;
}

// ---- MAIL / RCPT ------------------------------------------------------------

// esmtp-param = esmtp-keyword ["=" esmtp-value]
// esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
// esmtp-value = 1*(%d33-60 / %d62-126), plus UTF8-non-ascii (RFC 6531 §3.3)
MaybeError esmtp_param(std::string_view token, std::size_t offset, const Context& c, Verb verb,
                       Command& cmd, bool* utf8_value) {
  const auto bad = [&](std::string what) {
    return error(CommandErrorKind::bad_parameter, verb,
                 what + " in parameter \"" + escape_bytes(token, 64) + "\" at " +
                     std::to_string(offset) + " (RFC 5321 §4.1.2)");
  };
  const auto non_ascii = [&] {
    return error(CommandErrorKind::non_ascii, verb,
                 "8-bit octet in parameter \"" + escape_bytes(token, 64) + "\" at " +
                     std::to_string(offset) + " without SMTPUTF8 (RFC 6531 §3.3)");
  };
  const std::size_t eq = token.find('=');
  const std::string_view keyword = token.substr(0, eq);
  if (keyword.empty()) return bad("empty keyword");
  for (std::size_t i = 0; i < keyword.size(); ++i) {
    const char k = keyword[i];
    if (is_eight_bit(k) && !c.options.smtputf8) return non_ascii();
    if (!is_alpha(k) && !is_digit(k) && (k != '-' || i == 0)) return bad("malformed keyword");
  }
  std::string_view value;
  if (eq != std::string_view::npos) {
    value = token.substr(eq + 1);
    if (value.empty()) return bad("empty value");
    for (std::size_t i = 0; i < value.size();) {
      const char v = value[i];
      if (is_eight_bit(v)) {
        if (!c.options.smtputf8) return non_ascii();
        const std::size_t n = utf8_char_length(value.substr(i));
        if (n == 0) return bad("ill-formed UTF-8");
        *utf8_value = true;
        i += n;
        continue;
      }
      if (v == '=') return bad("'=' in value");
      ++i;  // the line has no SP and no control characters here
    }
  }
  EsmtpParam& param = cmd.params.emplace_back();
  param.keyword.assign(keyword.data(), keyword.size());
  for (char& k : param.keyword) k = to_upper_ascii(k);
  if (eq != std::string_view::npos) param.value.emplace(value);
  return std::nullopt;
}

// [SP Mail-parameters]: esmtp-param *(SP esmtp-param)
MaybeError esmtp_params(std::string_view rest, std::size_t offset, const Context& c, Verb verb,
                        Command& cmd, bool* utf8_value) {
  if (rest.empty()) return std::nullopt;
  // One allocation for the parameters: at most one per SP.
  cmd.params.reserve(static_cast<std::size_t>(std::count(rest.begin(), rest.end(), ' ')));
  std::size_t i = 0;
  while (i < rest.size()) {
    if (rest[i] != ' ') {
      return error(CommandErrorKind::bad_syntax, verb,
                   "expected SP after the path, not \"" + escape_bytes(rest.substr(i), 16) +
                       "\" at " + std::to_string(offset + i));
    }
    ++i;
    if (i < rest.size() && rest[i] == ' ') {
      if (c.options.strict_envelope_syntax) {
        return error(CommandErrorKind::bad_syntax, verb,
                     "more than one SP at " + std::to_string(offset + i));
      }
      while (i < rest.size() && rest[i] == ' ') ++i;
    }
    const std::size_t end = std::min(rest.find(' ', i), rest.size());
    if (MaybeError e = esmtp_param(rest.substr(i, end - i), offset + i, c, verb, cmd, utf8_value)) {
      return e;
    }
    i = end;
  }
  return std::nullopt;
}

MaybeError envelope(const Context& c, Command& cmd, std::string_view prefix,
                    const PathOptions& path_options) {
  const Verb verb = cmd.verb;
  if (!c.has_argument) {
    return error(CommandErrorKind::missing_argument, verb,
                 std::string(to_string(verb)) + " needs \"" + std::string(prefix) + "<path>\"");
  }
  const std::string_view arg = c.argument;
  if (!istarts_with(arg, prefix)) {
    return error(CommandErrorKind::bad_syntax, verb,
                 "expected \"" + std::string(prefix) + "\", not \"" + escape_bytes(arg, 16) +
                     "\" (RFC 5321 §4.1.2)");
  }
  std::size_t pos = prefix.size();
  if (pos < arg.size() && arg[pos] == ' ') {
    if (c.options.strict_envelope_syntax) {
      return error(CommandErrorKind::bad_syntax, verb,
                   "space after \"" + std::string(prefix) + "\" (RFC 5321 §4.1.2)");
    }
    while (pos < arg.size() && arg[pos] == ' ') ++pos;
  }
  const std::size_t path_offset = c.argument_offset + pos;
  std::size_t length = 0;
  if (auto e = parse_path_into(arg.substr(pos), path_options, cmd.path.emplace(), &length)) {
    cmd.path.reset();
    e->offset += path_offset;
    CommandError out =
        error(CommandErrorKind::bad_path, verb, std::string(to_string(e->kind)) + ": " + e->detail);
    out.path_error = std::move(*e);
    return out;
  }
  const std::string_view path_text = arg.substr(pos, length);
  pos += length;
  bool utf8_value = false;
  if (MaybeError e =
          esmtp_params(arg.substr(pos), c.argument_offset + pos, c, verb, cmd, &utf8_value)) {
    return e;
  }
  // RFC 6531 §3.4: a client whose envelope needs SMTPUTF8 MUST send the
  // SMTPUTF8 parameter (which takes no value) on MAIL; §3.5: without it a
  // non-ASCII address is refused (X.6.7).
  if (verb == Verb::mail && c.options.smtputf8 && c.eight_bit) {
    const EsmtpParam* flag = cmd.param("SMTPUTF8");
    if (flag == nullptr || flag->value.has_value()) {
      std::size_t first = 0;
      while (first < path_text.size() && !is_eight_bit(path_text[first])) ++first;
      if (first < path_text.size()) {
        CommandError out = error(CommandErrorKind::bad_path, verb,
                                 "non_ascii: UTF-8 address without the SMTPUTF8 parameter");
        out.path_error = PathError{PathErrorKind::non_ascii,
                                   "UTF-8 address without the SMTPUTF8 parameter (RFC 6531 §3.4)",
                                   path_offset + first};
        return out;
      }
      if (utf8_value) {
        return error(CommandErrorKind::non_ascii, verb,
                     "UTF-8 parameter value without the SMTPUTF8 parameter (RFC 6531 §3.4)");
      }
    }
  }
  return std::nullopt;
}

MaybeError mail(const Context& c, Command& cmd) {
  // Reverse-path = Path / "<>"
  return envelope(c, cmd, "FROM:", PathOptions{c.options.smtputf8, true, false});
}

MaybeError rcpt(const Context& c, Command& cmd) {
  // "<Postmaster>" / Forward-path (§4.1.1.3); never "<>"
  return envelope(c, cmd, "TO:", PathOptions{c.options.smtputf8, false, true});
}

// ---- AUTH (RFC 4954 §4) -----------------------------------------------------

// sasl-mech = 1*20mech-char, mech-char = UPPER-ALPHA / DIGIT / "-" / "_"
// (RFC 4422 §3.1). Lower case is accepted and upper-cased: servers are liberal.
bool sasl_mechanism(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '_') return false;
  }
  return true;
}

// RFC 4954 §4: only the base64 alphabet, "=" only as padding at the end.
MaybeError auth(const Context& c, Command& cmd) {
  if (!c.has_argument) {
    return error(CommandErrorKind::missing_argument, cmd.verb,
                 "AUTH needs a mechanism (RFC 4954 §4)");
  }
  if (MaybeError e = check_text(c.argument, c, cmd.verb)) return e;
  const std::size_t sp = c.argument.find(' ');
  const std::string_view mechanism = c.argument.substr(0, sp);
  if (!sasl_mechanism(mechanism)) {
    return error(
        CommandErrorKind::bad_syntax, cmd.verb,
        "\"" + escape_bytes(mechanism, 32) + "\" is not a SASL mechanism name (RFC 4422 §3.1)");
  }
  cmd.mechanism = to_upper_ascii(mechanism);
  if (sp == std::string_view::npos) return std::nullopt;
  const std::string_view response = c.argument.substr(sp + 1);
  if (response != "=" && !is_base64(response)) {
    return error(CommandErrorKind::bad_syntax, cmd.verb,
                 "the initial response is neither base64 nor \"=\" (RFC 4954 §4)");
  }
  cmd.initial_response = std::string(response);
  return std::nullopt;
}

// ---- BDAT (RFC 3030 §2) -----------------------------------------------------

// bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ], chunk-size = 1*DIGIT,
// end-marker = "LAST"
MaybeError bdat(const Context& c, Command& cmd) {
  if (!c.has_argument) {
    return error(CommandErrorKind::missing_argument, cmd.verb,
                 "BDAT needs a chunk size (RFC 3030 §2)");
  }
  if (MaybeError e = check_text(c.argument, c, cmd.verb)) return e;
  const std::string_view arg = c.argument;
  std::uint64_t size = 0;
  std::size_t i = 0;
  constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  for (; i < arg.size() && is_digit(arg[i]); ++i) {
    const auto digit = static_cast<std::uint64_t>(arg[i] - '0');
    if (size > (max - digit) / 10) {
      return error(CommandErrorKind::bad_syntax, cmd.verb, "chunk size does not fit in 64 bits");
    }
    size = size * 10 + digit;
  }
  if (i == 0) {
    return error(CommandErrorKind::bad_syntax, cmd.verb,
                 "chunk size \"" + escape_bytes(arg, 32) + "\" is not a number (RFC 3030 §2)");
  }
  if (i < arg.size()) {
    if (arg[i] != ' ' || !iequals(arg.substr(i + 1), "LAST")) {
      return error(CommandErrorKind::bad_syntax, cmd.verb,
                   "expected \"BDAT size\" or \"BDAT size LAST\", not \"" + escape_bytes(arg, 32) +
                       "\" (RFC 3030 §2)");
    }
    cmd.last_chunk = true;
  }
  cmd.chunk_size = size;
  return std::nullopt;
}

// ---- the command table ------------------------------------------------------

using Handler = MaybeError (*)(const Context&, Command&);

// Indexed by Verb.
constexpr std::array<Handler, 15> handlers = {
    hello,          // HELO
    hello,          // EHLO
    mail,           // MAIL
    rcpt,           // RCPT
    no_argument,    // DATA
    bdat,           // BDAT
    no_argument,    // RSET
    optional_text,  // NOOP [SP String]
    no_argument,    // QUIT
    required_text,  // VRFY SP String
    required_text,  // EXPN SP String
    optional_text,  // HELP [SP String]
    no_argument,    // STARTTLS (RFC 3207 §4)
    auth,           // AUTH
    unknown,        // the server answers 500 (§4.2.4)
};
static_assert(static_cast<std::size_t>(Verb::unknown) + 1 == handlers.size());

}  // namespace

std::string_view to_string(CommandErrorKind kind) {
  static constexpr std::array<std::string_view, 9> names = {
      "empty",      "line_too_long", "control_character", "missing_argument", "unexpected_argument",
      "bad_syntax", "bad_path",      "bad_parameter",     "non_ascii",
  };
  const auto i = static_cast<std::size_t>(kind);
  return i < names.size() ? names[i] : "unknown";
}

namespace {

struct LineScan {
  bool control = false;    // an octet < 0x20 or 0x7F
  bool eight_bit = false;  // an octet >= 0x80
};

// Word-at-a-time tests, the "has less than" and "has zero byte" idioms:
// ((w - 0x20..) & ~w & 0x80..) != 0 exactly when an octet of w is below 0x20,
// and the same on w ^ 0x7F.. with 0x01.. finds a DEL.
LineScan scan_octets(std::string_view line) {
  constexpr std::uint64_t ones = 0x0101010101010101u;
  constexpr std::uint64_t highs = 0x8080808080808080u;
  const auto word_at = [&](std::size_t i) {
    std::uint64_t w;
    std::memcpy(&w, line.data() + i, 8);
    return w;
  };
  std::uint64_t control = 0;
  std::uint64_t high = 0;
  const auto add = [&](std::uint64_t w) {
    const std::uint64_t del = w ^ (ones * 0x7F);
    control |= ((w - ones * 0x20) & ~w) | ((del - ones) & ~del);
    high |= w;
  };
  if (line.size() >= 8) {
    for (std::size_t i = 0; i + 8 <= line.size(); i += 8) add(word_at(i));
    add(word_at(line.size() - 8));  // the tail, overlapping the last full word
  } else {
    for (const char ch : line) {
      const auto c = static_cast<unsigned char>(ch);
      control |= static_cast<std::uint64_t>(c < 0x20 || c == 0x7F) << 7;
      high |= c;
    }
  }
  return LineScan{(control & highs) != 0, (high & highs) != 0};
}

// The checks every line gets before its verb's grammar. On success `line`
// has lost its tolerated trailing spaces and `eight_bit` says whether an
// octet >= 0x80 occurs.
MaybeError check_line(std::string_view& line, Verb verb, const CommandParseOptions& options,
                      bool* eight_bit) {
  if (line.empty()) return error(CommandErrorKind::empty, Verb::unknown, "empty line");

  // §4.5.3.1.4: 512 octets including CRLF; AUTH, MAIL and RCPT have their own
  // limits because extensions lengthen them.
  std::size_t limit = options.max_line;
  if (verb == Verb::auth) limit = options.max_auth_line;
  if (verb == Verb::mail || verb == Verb::rcpt) limit = std::max(limit, options.max_envelope_line);
  if (line.size() + 2 > limit) {
    return error(CommandErrorKind::line_too_long, verb,
                 "line of " + std::to_string(line.size() + 2) + " octets with CRLF, limit " +
                     std::to_string(limit) + " (RFC 5321 §4.5.3.1.4)");
  }

  // §2.3.8: CR and LF only appear together as the line end, which the framer
  // removed; any control octet left (a bare LF from "NOOP\nNOOP", NUL, TAB,
  // DEL) means the line is not a command. The scan runs over every line, so it
  // looks at eight octets at a time; the position only matters for an error.
  const LineScan scan = scan_octets(line);
  if (scan.control) {
    std::size_t i = 0;
    while (static_cast<unsigned char>(line[i]) >= 0x20 && line[i] != 0x7F) ++i;
    return error(CommandErrorKind::control_character, verb,
                 "control octet \"" + escape_bytes(line.substr(i, 1)) + "\" at " +
                     std::to_string(i) + " (RFC 5321 §2.3.8)");
  }
  *eight_bit = scan.eight_bit;

  // §4.1.1: servers SHOULD tolerate trailing white space.
  if (line.back() == ' ') {
    if (!options.allow_trailing_spaces) {
      return error(CommandErrorKind::bad_syntax, verb, "trailing space");
    }
    while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
    if (line.empty()) return error(CommandErrorKind::empty, Verb::unknown, "only spaces");
  }
  if (line.front() == ' ') return error(CommandErrorKind::bad_syntax, verb, "leading space");
  return std::nullopt;
}

}  // namespace

std::variant<Command, CommandError> parse_command(std::string_view line,
                                                  const CommandParseOptions& options) {
  // Built in place and returned by name: a Command is too big to move around
  // for every line.
  std::variant<Command, CommandError> result;
  std::size_t sp = line.find(' ');
  const Verb verb = verb_from_string(line.substr(0, sp));
  bool eight_bit = false;
  if (MaybeError e = check_line(line, verb, options, &eight_bit)) {
    result.emplace<CommandError>(std::move(*e));
    return result;
  }
  if (sp >= line.size()) sp = std::string_view::npos;  // it was a trailing space
  Command& cmd = std::get<Command>(result);
  cmd.verb = verb;
  cmd.verb_text.assign(line.data(), std::min(sp, line.size()));
  Context context{{}, 0, sp != std::string_view::npos, eight_bit, options};
  if (context.has_argument) {
    context.argument = line.substr(sp + 1);
    context.argument_offset = sp + 1;
    cmd.argument.assign(context.argument.data(), context.argument.size());
  }
  if (MaybeError e = handlers[static_cast<std::size_t>(verb)](context, cmd)) {
    result.emplace<CommandError>(std::move(*e));
  }
  return result;
}

}  // namespace smtp::proto
