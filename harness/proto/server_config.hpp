#pragma once
// What the fake server advertises and enforces. Every EHLO keyword can be
// switched off and every limit is configurable.
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "proto/server_violations.hpp"

namespace smtp::proto {

struct ServerExtensions {
  bool pipelining = true;             // RFC 2920
  bool size = true;                   // RFC 1870
  bool eight_bit_mime = true;         // RFC 6152
  bool smtputf8 = true;               // RFC 6531 (also needs 8BITMIME, §3.1)
  bool dsn = true;                    // RFC 3461
  bool enhanced_status_codes = true;  // RFC 2034
  bool chunking = true;               // RFC 3030
  bool starttls = true;               // RFC 3207; advertised only when TLS is configured
  bool auth = true;                   // RFC 4954
  bool help = true;
  bool vrfy = true;  // answered 252 (cannot verify) — never a false 250, docs/CONFORMANCE.md C6

  friend bool operator==(const ServerExtensions&, const ServerExtensions&) = default;
};

// RFC 6531 §3.1: SMTPUTF8 is offered only together with 8BITMIME. The one
// place that decides it, for EHLO, MAIL's parameter and UTF-8 paths alike.
inline bool smtputf8_offered(const ServerExtensions& e) {
  return e.smtputf8 && e.eight_bit_mime;
}

// The EHLO keyword of each extension and the switch that turns it off, in
// the order the EHLO reply advertises them: the one list of them, for the
// reply, for set_extension() and for error messages.
struct ExtensionKeyword {
  std::string_view keyword;
  bool ServerExtensions::*enabled;
};
inline constexpr std::array<ExtensionKeyword, 11> kExtensionKeywords = {{
    {"PIPELINING", &ServerExtensions::pipelining},
    {"SIZE", &ServerExtensions::size},
    {"8BITMIME", &ServerExtensions::eight_bit_mime},
    {"SMTPUTF8", &ServerExtensions::smtputf8},
    {"DSN", &ServerExtensions::dsn},
    {"ENHANCEDSTATUSCODES", &ServerExtensions::enhanced_status_codes},
    {"CHUNKING", &ServerExtensions::chunking},
    {"VRFY", &ServerExtensions::vrfy},
    {"HELP", &ServerExtensions::help},
    {"STARTTLS", &ServerExtensions::starttls},
    {"AUTH", &ServerExtensions::auth},
}};

// Switches the extension behind an EHLO keyword ("SIZE", "8bitmime", ...;
// case-insensitive) on or off. False for a keyword we do not implement.
bool set_extension(ServerExtensions& extensions, std::string_view keyword, bool on);
// The keywords set_extension() knows, space-separated, for error messages.
std::string_view extension_keywords();

struct ServerConfig {
  std::string hostname = "fake-smtpd.test";
  ServerExtensions extensions;
  bool tls_available = false;  // a TLS context exists, so STARTTLS can be offered
  // RFC 4954 §4 / docs/CONFORMANCE.md A1: PLAIN and LOGIN travel in clear text,
  // so AUTH is offered only inside TLS unless this is set.
  bool auth_cleartext = false;
  bool require_auth = false;  // submission: MAIL needs a successful AUTH (530 5.7.0)
  std::vector<std::string> auth_mechanisms = {"PLAIN", "LOGIN"};
  // Empty: any credentials are accepted. Otherwise user → password, and a
  // wrong password gets 535 5.7.8.
  std::map<std::string, std::string> users;

  std::uint64_t max_message_size = 32 * 1024 * 1024;  // octets; 0 = no limit (SIZE 0)
  std::size_t max_recipients = 100;                   // RFC 5321 §4.5.3.1.8: at least 100
  std::size_t max_errors = 20;  // then 421 and close (§7.8 allows it; 0 = never)
  // RFC 5321 §2.3.8 / docs/CONFORMANCE.md D4 ranks "reject" above "keep as data": a
  // DATA message with a bare CR or LF or a look-alike end of data (including
  // CRLF NUL "." CRLF) is refused with 550 5.6.0 after the real terminator.
  // Off, such bytes are kept as data. BDAT content is binary-safe, unchecked.
  bool reject_bare_line_endings = true;
  // Keep message content for delivery. Off (--store none) the server still
  // counts and checks every octet but copies none.
  bool keep_content = true;
  // Deliberate breakage for the broken-*.lua profiles; all off by default.
  ServerViolations violations;
};

}  // namespace smtp::proto
