#include "proto/server_replies.hpp"

#include <array>
#include <cstddef>

namespace smtp::proto {
namespace {

using R = ServerReply;

// Indexed by ServerReply; the static_assert below keeps the order honest.
constexpr std::array<ServerReplyInfo, static_cast<std::size_t>(R::count_)> table{{
    {R::greeting, "greeting", 220, {2, 0, 0}, "ESMTP fake-smtpd ready"},
    {R::closing, "closing", 221, {2, 0, 0}, "Bye"},
    {R::ok, "ok", 250, {2, 0, 0}, "Ok"},
    {R::sender_ok, "sender_ok", 250, {2, 1, 0}, "Sender ok"},
    {R::recipient_ok, "recipient_ok", 250, {2, 1, 5}, "Recipient ok"},
    {R::queued, "queued", 250, {2, 0, 0}, "Ok: queued as"},
    {R::chunk_ok, "chunk_ok", 250, {2, 0, 0}, "octets received"},
    {R::cannot_vrfy,
     "cannot_vrfy",
     252,
     {2, 5, 0},
     "Cannot VRFY user, but will accept message and attempt delivery"},
    {R::help,
     "help",
     214,
     {2, 0, 0},
     "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH"},
    {R::tls_ready, "tls_ready", 220, {2, 0, 0}, "Ready to start TLS"},
    {R::auth_ok, "auth_ok", 235, {2, 7, 0}, "Authentication successful"},
    {R::start_mail, "start_mail", 354, {0, 0, 0}, "End data with <CR><LF>.<CR><LF>"},
    {R::too_many_recipients, "too_many_recipients", 452, {4, 5, 3}, "Too many recipients", true},
    {R::tls_unavailable, "tls_unavailable", 454, {4, 7, 0}, "TLS not available", true},
    {R::store_failed, "store_failed", 451, {4, 3, 0}, "Could not store the message", true},
    {R::too_many_errors, "too_many_errors", 421, {4, 7, 0}, "Too many errors, closing"},
    {R::binary_garbage,
     "binary_garbage",
     421,
     {4, 7, 0},
     "Binary data where commands were expected, closing"},
    {R::idle_timeout, "idle_timeout", 421, {4, 4, 2}, "Idle timeout, closing", true},
    {R::too_many_sessions,
     "too_many_sessions",
     421,
     {4, 3, 2},
     "Too many sessions, try again later",
     true},
    {R::line_too_long, "line_too_long", 500, {5, 5, 2}, "Line too long"},
    {R::unrecognised, "unrecognised", 500, {5, 5, 2}, "Command unrecognized"},
    {R::bad_arguments, "bad_arguments", 501, {5, 5, 4}, "Syntax error in parameters or arguments"},
    {R::bad_sender, "bad_sender", 501, {5, 1, 7}, "Bad sender address syntax"},
    {R::bad_recipient, "bad_recipient", 501, {5, 1, 3}, "Bad recipient address syntax"},
    {R::not_implemented, "not_implemented", 502, {5, 5, 1}, "Command not implemented"},
    {R::need_helo, "need_helo", 503, {5, 5, 1}, "Send EHLO or HELO first"},
    {R::nested_mail, "nested_mail", 503, {5, 5, 1}, "Sender already specified"},
    {R::need_mail, "need_mail", 503, {5, 5, 1}, "Need MAIL command first"},
    {R::bad_sequence, "bad_sequence", 503, {5, 5, 1}, "Bad sequence of commands"},
    {R::no_recipients, "no_recipients", 554, {5, 5, 1}, "No valid recipients"},
    {R::unsupported_parameter,
     "unsupported_parameter",
     555,
     {5, 5, 4},
     "Unsupported MAIL or RCPT parameter"},
    {R::size_exceeded,
     "size_exceeded",
     552,
     {5, 3, 4},
     "Message size exceeds fixed maximum message size",
     true},
    {R::size_declared_too_big,
     "size_declared_too_big",
     552,
     {5, 3, 4},
     "Declared message size exceeds fixed maximum message size",
     true},
    {R::non_ascii_address,
     "non_ascii_address",
     553,
     {5, 6, 7},
     "Non-ASCII address requires the SMTPUTF8 parameter"},
    {R::bare_line_ending,
     "bare_line_ending",
     550,
     {5, 6, 0},
     "Message contains a bare CR or LF or a look-alike end of data (RFC 5321 section 2.3.8)",
     true},
    {R::auth_required, "auth_required", 530, {5, 7, 0}, "Authentication required"},
    {R::auth_unknown_mechanism,
     "auth_unknown_mechanism",
     504,
     {5, 5, 4},
     "Unrecognized authentication type"},
    {R::auth_cancelled, "auth_cancelled", 501, {5, 0, 0}, "Authentication cancelled"},
    {R::auth_bad_encoding,
     "auth_bad_encoding",
     501,
     {5, 5, 2},
     "Cannot decode the authentication response"},
    {R::auth_line_too_long,
     "auth_line_too_long",
     500,
     {5, 5, 6},
     "Authentication Exchange line is too long"},
    {R::auth_failed, "auth_failed", 535, {5, 7, 8}, "Authentication credentials invalid"},
    {R::auth_already, "auth_already", 503, {5, 5, 1}, "Already authenticated"},
    {R::auth_in_transaction,
     "auth_in_transaction",
     503,
     {5, 5, 1},
     "AUTH not permitted during a mail transaction"},
    {R::auth_needs_tls,
     "auth_needs_tls",
     538,
     {5, 7, 11},
     "Encryption required for requested authentication mechanism"},
    {R::tls_active, "tls_active", 503, {5, 5, 1}, "TLS already active"},
}};

constexpr bool table_in_order() {
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (static_cast<std::size_t>(table[i].id) != i) return false;
  }
  return true;
}
static_assert(table_in_order(), "server reply table must be indexed by ServerReply");

}  // namespace

const ServerReplyInfo& server_reply_info(ServerReply id) {
  return table[static_cast<std::size_t>(id)];
}

}  // namespace smtp::proto
