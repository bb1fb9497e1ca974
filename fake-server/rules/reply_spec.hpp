#pragma once
// A reply a rule or a hook asks for: "451 4.3.0 Try again later". Parsed once
// when the profile loads, rendered per session so that it stays RFC-correct
// (ARCHITECTURE.md §5): the enhanced code is sent when the server has
// ENHANCEDSTATUSCODES, except on the greeting (RFC 2034 §3, §4), and is made up from the reply
// class ("4.0.0") when the profile gave none; 220 and 421 carry the server's
// name first (RFC 5321 §4.2, §4.2.3; 421 then closes, §3.8).
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "proto/reply.hpp"

namespace smtp::fake::rules {

struct ReplySpec {
  int code = 0;                                 // 200..599
  std::optional<proto::EnhancedCode> enhanced;  // class must match code / 100
  std::vector<std::string> lines;               // text lines ("\n" in the source splits them)

  friend bool operator==(const ReplySpec&, const ReplySpec&) = default;
};

// "ddd [x.y.z] [text]" with optional "\n"-separated further lines. The error
// is one sentence for "file:line: reply: <error>".
std::variant<ReplySpec, std::string> parse_reply_spec(std::string_view text);

struct RenderContext {
  bool enhanced = false;      // the client selected ENHANCEDSTATUSCODES
  std::string_view hostname;  // for 220 and 421
};

// The wire form, CRLF-terminated, multi-line when the spec has several lines.
std::string render(const ReplySpec& spec, const RenderContext& context);

}  // namespace smtp::fake::rules
