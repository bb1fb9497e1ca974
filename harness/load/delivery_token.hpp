#pragma once
// How a message of a run with --sink carries its identity to the sink
// (README, "Load-testing a relay"): a token "<run id>.<seq>" in a VERP-style
// envelope sender ("load+3f9a1c02.17@harness.test") and in the header
// (X-Harness-Token), and a digest of its body (X-Harness-Digest). The sender
// lets the sink tie a RCPT it defers to its message before any DATA
// arrives; the header survives a relay that rewrites the sender. Standard
// library only.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace smtp::load {

inline constexpr std::string_view kTokenField = "X-Harness-Token";
inline constexpr std::string_view kDigestField = "X-Harness-Digest";

// "3f9a1c02.17".
std::string delivery_token(std::string_view run_id, std::uint64_t seq);

// The sequence number of a token of run `run_id` found in `text` (an
// address's local part "load+3f9a1c02.17", or a field value), or nullopt.
std::optional<std::uint64_t> token_seq(std::string_view text, std::string_view run_id);

// "a@b" or "<a@b>" → "a+TOKEN@b" (angle brackets kept); the null
// reverse-path stays null (RFC 5321 §4.5.5: notifications use it).
std::string verp_sender(std::string_view from, std::string_view token);

// The octets after the header's empty line (RFC 5322 §2.1); empty when the
// message has no body.
std::string_view message_body(std::string_view content);
std::string_view message_header(std::string_view content);  // up to and with the empty line

// FNV-1a, 64 bits, of the body: enough to tell a changed body from an
// intact one (not an adversary's collision).
std::uint64_t body_digest(std::string_view body);
std::string digest_text(std::uint64_t digest);  // "fnv1a64=0123456789abcdef"

// Adds the token and digest fields at the end of the header of `content`
// (CRLF lines, not dot-stuffed), whose digest is taken of its body; returns
// that digest.
std::uint64_t stamp_message(std::string& content, std::string_view token);

}  // namespace smtp::load
