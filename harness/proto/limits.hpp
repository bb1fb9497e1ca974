#pragma once
// Size limits from RFC 5321 §4.5.3.1. A server MUST accept objects up to these
// sizes; both our encoder and our parser enforce them so neither side emits or
// silently accepts something a strict peer would refuse.
#include <cstddef>

namespace smtp::proto::limits {

inline constexpr std::size_t local_part = 64;     // §4.5.3.1.1
inline constexpr std::size_t domain = 255;        // §4.5.3.1.2
inline constexpr std::size_t path = 256;          // §4.5.3.1.3, includes "<" and ">"
inline constexpr std::size_t command_line = 512;  // §4.5.3.1.4, includes CRLF
inline constexpr std::size_t reply_line = 512;    // §4.5.3.1.5, includes CRLF
inline constexpr std::size_t text_line = 1000;    // §4.5.3.1.6, includes CRLF
inline constexpr std::size_t recipients = 100;    // §4.5.3.1.8, minimum a server must buffer

}  // namespace smtp::proto::limits
