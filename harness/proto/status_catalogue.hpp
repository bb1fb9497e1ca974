#pragma once
// Meanings of reply codes (RFC 5321 §4.2.3; RFC 1870, 3207, 4954, 7504; RFC
// 3030 defines none of its own) and enhanced status codes (RFC 3463 and the
// IANA "Enumerated Status Codes" registry, RFC 5248), for reports and
// transcripts. Both catalogues are sorted by code with no duplicates.
#include <span>
#include <string_view>

#include "proto/reply.hpp"

namespace smtp::proto {

struct ReplyCodeInfo {
  int code;
  std::string_view meaning;
  std::string_view source;  // e.g. "RFC 5321 §4.2.2"
};

struct EnhancedCodeInfo {
  int subject;
  int detail;
  std::string_view meaning;
  std::string_view source;
};

std::span<const ReplyCodeInfo> reply_code_catalogue();
std::span<const EnhancedCodeInfo> enhanced_code_catalogue();

// The meaning of a code; for an unlisted code, the meaning of its class
// ("Transient negative completion", RFC 5321 §4.2.1), never empty for
// 200..599; "Unknown" outside that range.
std::string_view describe_reply_code(int code);
// By subject.detail (the class only says success/transient/permanent);
// falls back to the subject's meaning, then "Unknown".
std::string_view describe_enhanced_code(const EnhancedCode& code);
std::string_view describe_enhanced_class(int cls);  // 2, 4, 5; else "Unknown"

}  // namespace smtp::proto
