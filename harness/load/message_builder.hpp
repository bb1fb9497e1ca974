#pragma once
// Builds the messages a load run sends: the built-in generator's (the
// MessageDefaults) or a scenario's message(ctx) answer completed with them.
// Content is an RFC 5322 message with CRLF lines (§2.3: lines ≤ 998 octets;
// we write 76-octet body lines, as MIME encoders do), not yet dot-stuffed:
// the client dialogue stuffs it on the way out (RFC 5321 §4.5.2).
#include <cstdint>
#include <string>
#include <string_view>

#include "load/config.hpp"
#include "proto/client_dialogue.hpp"
#include "script/load_scenario.hpp"

namespace smtp::load {

class MessageBuilder {
 public:
  explicit MessageBuilder(MessageDefaults defaults);

  // seq numbers the message (Message-ID, the recipient pattern's %d).
  proto::OutgoingMessage build(std::uint64_t seq) const;
  proto::OutgoingMessage build(std::uint64_t seq, const script::MessageSpec& spec) const;

  // "rcpt%d@example.test" with %d = n; a pattern without %d as is.
  static std::string expand(std::string_view pattern, std::uint64_t n);

 private:
  std::string header(std::uint64_t seq, std::string_view from, const std::string& to_field,
                     std::string_view subject) const;
  // Appends the empty line and a body so that `content` (the header so
  // far) becomes `size` octets, in CRLF lines.
  void append_padding(std::string& content, std::size_t size) const;

  MessageDefaults defaults_;
  std::string date_;   // one Date: value per run; it only has to be valid (RFC 5322 §3.3)
  std::string lines_;  // prepared body lines of 'x', 76 octets + CRLF each
};

// Normalises a body given by a script: bare LF (and bare CR) line ends become
// CRLF, and a final CRLF is added when missing, so the dialogue's
// end-of-data sequence is unambiguous (RFC 5321 §4.1.1.4).
std::string to_crlf_lines(std::string_view body);

}  // namespace smtp::load
