#pragma once
// Every reply the server dialogue can give, in one table: code, enhanced code
// (RFC 3463) and text. Fault-injection rules and tests refer to replies by id.
#include <cstdint>
#include <string_view>

#include "proto/reply.hpp"

namespace smtp::proto {

enum class ServerReply : std::uint8_t {
  // positive
  greeting,      // 220 <host> ESMTP
  closing,       // 221 2.0.0
  ok,            // 250 2.0.0 (RSET, NOOP)
  sender_ok,     // 250 2.1.0
  recipient_ok,  // 250 2.1.5
  queued,        // 250 2.0.0 Ok: queued as <id>
  chunk_ok,      // 250 2.0.0 <n> octets received
  cannot_vrfy,   // 252 2.5.0 (§3.5.3: never a false 250)
  help,          // 214 2.0.0
  tls_ready,     // 220 2.0.0
  auth_ok,       // 235 2.7.0
  start_mail,    // 354
  // transient
  too_many_recipients,  // 452 4.5.3 (§4.5.3.1.10)
  tls_unavailable,      // 454 4.7.0
  store_failed,         // 451 4.3.0
  too_many_errors,      // 421 4.7.0 and close
  binary_garbage,       // 421 4.7.0 and close
  idle_timeout,         // 421 4.4.2 and close (RFC 5321 §4.5.3.2.7)
  too_many_sessions,    // 421 4.3.2 in place of the greeting, and close (§3.8)
  // permanent
  line_too_long,           // 500 5.5.2
  unrecognised,            // 500 5.5.2
  bad_arguments,           // 501 5.5.4
  bad_sender,              // 501 5.1.7
  bad_recipient,           // 501 5.1.3
  not_implemented,         // 502 5.5.1
  need_helo,               // 503 5.5.1
  nested_mail,             // 503 5.5.1
  need_mail,               // 503 5.5.1
  bad_sequence,            // 503 5.5.1
  no_recipients,           // 554 5.5.1 (§3.3)
  unsupported_parameter,   // 555 5.5.4 (§4.1.1.11)
  size_exceeded,           // 552 5.3.4 (RFC 1870 §6)
  size_declared_too_big,   // 552 5.3.4
  non_ascii_address,       // 553 5.6.7 (RFC 6531 §3.5)
  bare_line_ending,        // 550 5.6.0 (§2.3.8)
  auth_required,           // 530 5.7.0 (RFC 4954 §6)
  auth_unknown_mechanism,  // 504 5.5.4 (RFC 4954 §4)
  auth_cancelled,          // 501 5.0.0 (RFC 4954 §4)
  auth_bad_encoding,       // 501 5.5.2 (RFC 4954 §4)
  auth_line_too_long,      // 500 5.5.6 (RFC 4954 §6)
  auth_failed,             // 535 5.7.8 (RFC 4954 §6)
  auth_already,            // 503 5.5.1 (RFC 4954 §4)
  auth_in_transaction,     // 503 5.5.1 (RFC 4954 §4)
  auth_needs_tls,          // 538 5.7.11 (RFC 4954 §6)
  tls_active,              // 503 5.5.1 (RFC 3207 §4.2)
  count_,
};

struct ServerReplyInfo {
  ServerReply id;
  std::string_view name;  // e.g. "too_many_recipients", for rules and reports
  int code;
  EnhancedCode enhanced;
  std::string_view text;
  // A refusal by policy or capacity (452 over the recipient limit, 552 too
  // big, ...), not a client error: it does not count towards max_errors, or
  // a client that pipelines 200 recipients (RFC 5321 §4.5.3.1.10) would be
  // disconnected for doing the right thing.
  bool policy = false;
};

const ServerReplyInfo& server_reply_info(ServerReply id);

}  // namespace smtp::proto
