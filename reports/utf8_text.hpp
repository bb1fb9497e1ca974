#pragma once
// Bytes from the network where Unicode text is required: JSON strings (the
// result file) and XML (JUnit). Well-formed UTF-8 (RFC 3629 §4, as
// proto/utf8.hpp judges it) passes through; every other byte is
// written as the four ASCII characters \xnn, as proto::escape_bytes writes
// bytes, so that a reader sees which byte it was.
#include <string>
#include <string_view>

namespace smtp::reports {

// `bytes` with each byte that does not belong to a well-formed UTF-8
// sequence replaced by \xnn (lower-case hex). Well-formed input comes back
// unchanged, so the result is always valid UTF-8.
std::string escape_non_utf8(std::string_view bytes);

// Appends \xnn for one byte.
void append_hex_escape(std::string& out, unsigned char byte);

}  // namespace smtp::reports
