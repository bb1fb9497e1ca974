#pragma once
// RFC 5321 §4.1.2 paths: "<>", "<local@domain>", source routes
// "<@a,@b:local@domain>", quoted local parts "<\"a b\"@d>", address literals
// "<u@[192.0.2.1]>" / "<u@[IPv6:2001:db8::1]>", and, under SMTPUTF8
// (RFC 6531 §3.3), UTF-8 local parts and U-label domains.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace smtp::proto {

struct Mailbox {
  std::string local_part;  // as on the wire; a quoted local part keeps its quotes
  std::string domain;      // a domain name or an address literal with brackets;
                           // empty only for the bare "Postmaster" recipient (§4.1.1.3)
  bool quoted_local_part() const;
  bool address_literal() const;   // domain is "[...]"
  std::string to_string() const;  // "local@domain", or "Postmaster"
  friend bool operator==(const Mailbox&, const Mailbox&) = default;
};

struct Path {
  std::vector<std::string> source_route;  // domains of "@a,@b:" (§4.1.2, obsolete but legal)
  Mailbox mailbox;
  bool null = false;  // "<>" (the reverse-path of a bounce)

  // The wire form with angle brackets. Nothing is normalised on parsing, so
  // this is exactly the text parse_path consumed.
  std::string to_string() const;
  // The mailbox without brackets or source route: "" for the null path.
  std::string address() const { return null ? std::string() : mailbox.to_string(); }
  friend bool operator==(const Path&, const Path&) = default;
};

enum class PathErrorKind {
  missing_brackets,  // no "<" ... ">"
  bad_local_part,    // not a Dot-string or Quoted-string
  bad_domain,        // not a Domain or address literal
  bad_source_route,
  local_part_too_long,  // > 64 octets, §4.5.3.1.1
  domain_too_long,      // > 255 octets, §4.5.3.1.2
  path_too_long,        // > 256 octets with brackets, §4.5.3.1.3
  non_ascii,            // 8-bit octets without SMTPUTF8 (RFC 6531 §3.3)
  bad_utf8,             // ill-formed UTF-8 even with SMTPUTF8
};

std::string_view to_string(PathErrorKind kind);

struct PathError {
  PathErrorKind kind;
  std::string detail;
  std::size_t offset = 0;  // offset in the parsed text
  friend bool operator==(const PathError&, const PathError&) = default;
};

struct PathOptions {
  bool smtputf8 = false;          // allow UTF-8 in local part and domain
  bool allow_null = true;         // "<>" (false for RCPT, §4.1.1.3)
  bool allow_postmaster = false;  // bare "<Postmaster>" (true for RCPT)
};

// Parses a path that starts at text[0] ("<"...). On success `length` receives
// how many characters the path used, so the caller can parse the parameters
// that follow. The parser never looks past the closing ">", so a path followed
// by anything parses the same, and a truncated path is always an error
// (missing_brackets when the text ends before the ">").
//
// Checked beyond the grammar: the size limits above, DNS labels of at most 63
// octets (RFC 1035 §2.3.4; only for ASCII labels, since a U-label's limit
// applies to its A-label form), IPv4 octets 0-255 and the IPv6 forms of
// §4.1.3. Source routes are kept; ignoring them is the server's decision.
std::variant<Path, PathError> parse_path(std::string_view text, const PathOptions& options,
                                         std::size_t* length = nullptr);

// A whole Domain or address-literal (RFC 5321 §4.1.2, §4.1.3) by the same
// rules as the domain of a mailbox: what a server names itself by in its
// greeting and its EHLO reply. nullopt when `text` is one; else the error,
// its offset into `text`.
std::optional<PathError> check_domain(std::string_view text, const PathOptions& options = {});

// The same as parse_path, filling `out` in place for callers that keep the Path inside a
// bigger object (the command parser); `out` must be default-constructed and
// holds partial results after an error.
std::optional<PathError> parse_path_into(std::string_view text, const PathOptions& options,
                                         Path& out, std::size_t* length = nullptr);

}  // namespace smtp::proto
