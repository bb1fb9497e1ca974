#pragma once
// Deliberate protocol violations of the fake server, the proof that the
// checks can fail. Each one breaks ONE requirement of the compliance
// catalogue (docs/CONFORMANCE.md), so that a scenarios/fake/broken-*.lua
// profile can show what the check of that requirement reports: a FAIL, or a
// WARN or INFO where the RFC's sentence sets no MUST (the profile's
// expect- line). All are off by default: the server is a correct server first
// (ARCHITECTURE.md §5).
//
// Each flag is consulted at exactly one place (the dialogue, the DATA
// unstuffer or the fake server's session), and the comment there cites the
// clause it breaks. Breakage that rules can produce faithfully (a refused
// null sender, a 250 to VRFY, ...) is written as rules in the broken
// profiles instead.
#include <array>
#include <string>
#include <string_view>

namespace smtp::proto {

struct ServerViolations {
  bool lf_dot_lf_ends_data = false;             // D3
  bool starttls_keeps_plaintext = false;        // T4
  bool data_without_recipients = false;         // S2
  bool unknown_command_closes = false;          // C7
  bool no_enhanced_codes = false;               // X5
  bool ehlo_keeps_transaction = false;          // E7
  bool rset_keeps_transaction = false;          // C2
  bool drops_pipelined_commands = false;        // P1
  bool data_after_bdat = false;                 // K3
  bool ignores_declared_size = false;           // X1
  bool auth_twice = false;                      // A6
  bool starttls_twice = false;                  // T3
  bool starttls_again = false;                  // T3 (INFO)
  bool short_command_lines = false;             // L1
  bool ehlo_reply_to_helo = false;              // E2
  bool ehlo_without_domain = false;             // E6
  bool ehlo_keyword_equals = false;             // E1
  bool unknown_mail_parameter_ignored = false;  // C8
  bool unknown_body_accepted = false;           // X2
  bool refused_chunk_not_read = false;          // K4
  bool bdat_size_unchecked = false;             // K5
  bool starttls_ignores_argument = false;       // T2
  bool auth_cancel_not_501 = false;             // A3
  bool auth_bad_base64_535 = false;             // A4
  bool auth_empty_response_accepted = false;    // A7
  bool chunking_refuses_data = false;           // K1
  bool bdat_chunk_scanned = false;              // K2
  bool smtputf8_without_8bitmime = false;       // X3
  bool data_line_counts_dot = false;            // L4
  bool drops_sessions_over_limit = false;       // O1
};

struct ViolationInfo {
  std::string_view name;  // as `violate` and --violate take it
  bool ServerViolations::*flag;
  std::string_view check;   // the docs/CONFORMANCE.md id of the check it breaks
  std::string_view breaks;  // the requirement and its clause, for docs and errors
};

inline constexpr std::array<ViolationInfo, 30> violation_table{{
    {"lf-dot-lf-ends-data", &ServerViolations::lf_dot_lf_ends_data, "D3",
     "LF \".\" LF ends DATA; only CRLF \".\" CRLF may (RFC 5321 §4.1.1.4, §2.3.8)"},
    {"starttls-keeps-plaintext", &ServerViolations::starttls_keeps_plaintext, "T4",
     "plaintext pipelined behind STARTTLS is executed inside TLS (RFC 3207 §4.2, "
     "CVE-2011-0411)"},
    {"data-without-recipients", &ServerViolations::data_without_recipients, "S2",
     "DATA after MAIL with no accepted RCPT gets 354; the message is refused at the dot "
     "(RFC 5321 §3.3)"},
    {"unknown-command-closes", &ServerViolations::unknown_command_closes, "C7",
     "an unknown command gets 500 and the session is closed (RFC 5321 §3.8, §4.2.4)"},
    {"no-enhanced-codes", &ServerViolations::no_enhanced_codes, "X5",
     "ENHANCEDSTATUSCODES is advertised but replies carry no enhanced code (RFC 2034 §3, §4)"},
    {"ehlo-keeps-transaction", &ServerViolations::ehlo_keeps_transaction, "E7",
     "EHLO or HELO inside a transaction keeps it (RFC 5321 §4.1.4)"},
    {"rset-keeps-transaction", &ServerViolations::rset_keeps_transaction, "C2",
     "RSET answers 250 but keeps the transaction (RFC 5321 §4.1.1.5)"},
    {"drops-pipelined-commands", &ServerViolations::drops_pipelined_commands, "P1",
     "with PIPELINING advertised, only the first command of a read is answered and the rest "
     "is dropped (RFC 2920 §3.2)"},
    {"data-after-bdat", &ServerViolations::data_after_bdat, "K3",
     "DATA after BDAT in the same transaction gets 354 (RFC 3030 §2)"},
    {"ignores-declared-size", &ServerViolations::ignores_declared_size, "X1",
     "MAIL with a SIZE over the advertised maximum gets 250 (RFC 1870 §6.1)"},
    {"auth-twice", &ServerViolations::auth_twice, "A6",
     "AUTH after a successful AUTH is accepted (RFC 4954 §4)"},
    {"starttls-twice", &ServerViolations::starttls_twice, "T3",
     "STARTTLS is advertised again inside TLS and answered 220 (RFC 3207 §4.2); the session "
     "then closes, as TLS inside TLS cannot start"},
    {"starttls-again", &ServerViolations::starttls_again, "T3",
     "STARTTLS is not advertised inside TLS, but a second STARTTLS is answered 220 all the same "
     "(RFC 3207 §4.2 forbids only advertising it: INFO); the session then closes"},
    {"short-command-lines", &ServerViolations::short_command_lines, "L1",
     "command lines over 300 octets get 500; 512 must be accepted (RFC 5321 §4.5.3.1.4)"},
    {"ehlo-reply-to-helo", &ServerViolations::ehlo_reply_to_helo, "E2",
     "HELO is answered with the multi-line EHLO reply that lists the extensions "
     "(RFC 5321 §3.2)"},
    {"ehlo-without-domain", &ServerViolations::ehlo_without_domain, "E6",
     "EHLO without a domain gets 250 instead of 501 (RFC 5321 §4.1.1.1, §4.1.4)"},
    {"ehlo-keyword-equals", &ServerViolations::ehlo_keyword_equals, "E1",
     "the EHLO reply lists SIZE as \"SIZE=max\", not ehlo-keyword SP ehlo-param "
     "(RFC 5321 §4.1.1.1)"},
    {"unknown-mail-parameter-ignored", &ServerViolations::unknown_mail_parameter_ignored, "C8",
     "MAIL with a parameter the server does not know gets 250; it should get 555 "
     "(RFC 5321 §4.1.1.11)"},
    {"unknown-body-accepted", &ServerViolations::unknown_body_accepted, "X2",
     "MAIL with BODY=<a value other than 7BIT or 8BITMIME> gets 250 (RFC 6152 §2)"},
    {"refused-chunk-not-read", &ServerViolations::refused_chunk_not_read, "K4",
     "BDAT without an accepted recipient is refused at once, and its octets are then read as "
     "commands (RFC 3030 §2)"},
    {"bdat-size-unchecked", &ServerViolations::bdat_size_unchecked, "K5",
     "a BDAT chunk size that is not a number is read as 0, as atoi() would, and the chunk gets "
     "250 (RFC 3030 §2; RFC 5321 §4.2.2)"},
    {"starttls-ignores-argument", &ServerViolations::starttls_ignores_argument, "T2",
     "STARTTLS with a parameter gets 220 and starts TLS; it must get 501 (RFC 3207 §4)"},
    {"auth-cancel-not-501", &ServerViolations::auth_cancel_not_501, "A3",
     "\"*\" in answer to an AUTH challenge gets 535 instead of 501 (RFC 4954 §4)"},
    {"auth-bad-base64-535", &ServerViolations::auth_bad_base64_535, "A4",
     "an AUTH initial response that is not base64 gets 535 instead of 501 (RFC 4954 §4)"},
    {"auth-empty-response-accepted", &ServerViolations::auth_empty_response_accepted, "A7",
     "an empty SASL response (\"=\") is taken as a successful authentication: 235 "
     "(RFC 4954 §4, RFC 4616 §2)"},
    {"chunking-refuses-data", &ServerViolations::chunking_refuses_data, "K1",
     "CHUNKING is advertised and DATA gets 502: mail is taken by BDAT only; a server offering "
     "BDAT MUST still support DATA (RFC 3030 §2)"},
    {"bdat-chunk-scanned", &ServerViolations::bdat_chunk_scanned, "K2",
     "a BDAT chunk is read like DATA: CRLF \".\" CRLF inside it ends the message, and the "
     "chunk's remaining octets are read as commands; a chunk is exactly its announced octets "
     "(RFC 3030 §2)"},
    {"smtputf8-without-8bitmime", &ServerViolations::smtputf8_without_8bitmime, "X3",
     "SMTPUTF8 is advertised without 8BITMIME (BODY=8BITMIME is still taken, unannounced); a "
     "server offering SMTPUTF8 MUST announce 8BITMIME (RFC 6531 §3.1, item 8)"},
    {"data-line-counts-dot", &ServerViolations::data_line_counts_dot, "L4",
     "DATA lines are measured on the wire, the transparency dot included: a 1000-octet line "
     "that is dot-stuffed (1001 sent) gets the message refused with 500 (RFC 5321 "
     "§4.5.3.1.6)"},
    {"drops-sessions-over-limit", &ServerViolations::drops_sessions_over_limit, "O1",
     "a session over the server's max_sessions is closed without a word instead of getting "
     "421 (RFC 5321 §3.8)"},
}};

// Turns on the violation called `name` (exact spelling). False for an
// unknown name.
inline bool set_violation(ServerViolations& violations, std::string_view name) {
  for (const auto& v : violation_table) {
    if (v.name == name) {
      violations.*v.flag = true;
      return true;
    }
  }
  return false;
}

// "a, b, c": every name, for error messages.
inline std::string violation_names() {
  std::string names;
  for (const auto& v : violation_table) {
    if (!names.empty()) names += ", ";
    names += v.name;
  }
  return names;
}

// The names of the violations turned on, space-separated ("" when none).
inline std::string active_violations(const ServerViolations& violations) {
  std::string names;
  for (const auto& v : violation_table) {
    if (!(violations.*v.flag)) continue;
    if (!names.empty()) names += ' ';
    names += v.name;
  }
  return names;
}

}  // namespace smtp::proto
