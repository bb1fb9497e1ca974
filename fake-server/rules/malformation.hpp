#pragma once
// Broken replies, for testing how a client copes (the hostile profile). Only
// ever applied when a rule asks for it (ARCHITECTURE.md §5). Each transforms the
// correct wire form of one reply.
#include <optional>
#include <string>
#include <string_view>

namespace smtp::fake::rules {

enum class Malformation {
  blank_line,   // an empty line inside a multi-line reply ("250-a\r\n\r\n250 b")
  mixed_codes,  // continuation lines with another code ("250-a\r\n251 b")
  bare_lf,      // LF instead of CRLF (RFC 5321 §2.3.8 forbids it)
  no_space,     // no separator after the code ("250ok")
  long_line,    // one line far over 512 octets (§4.5.3.1.5)
  bad_code,     // a code that is not three digits ("2x0 ok")
  code_600,     // a code outside 2xx-5xx
  endless,      // a multi-line reply that never ends (the session keeps sending "ddd-" lines)
};

std::optional<Malformation> parse_malformation(std::string_view name);  // "blank-line", ...
std::string_view to_string(Malformation m);
std::string_view malformation_names();  // "blank-line, mixed-codes, ..." for errors

// The malformed wire form of `reply` (one or more CRLF-terminated lines). For
// `endless` it is the reply's first line turned into a continuation line;
// endless_line() is what follows, for ever.
std::string malform(std::string_view reply, Malformation m);
std::string endless_line(std::string_view reply);

}  // namespace smtp::fake::rules
