#pragma once
// A compliance run for the reports tests: three areas, every verdict once,
// notes, a truncated transcript, a redacted AUTH line, and a server that
// sends hostile bytes (hostile_server_bytes). Deterministic.
#include <string>

#include "check/check_result.hpp"

namespace smtp::reports::testing {

// What the hostile server of check D3 sent, in one transcript entry: markup
// and "]]>", quotes and ampersands, NUL and an ANSI escape, bytes that are
// not UTF-8 (a stray 0xFF, a broken two-byte sequence, an overlong '/', an
// encoded surrogate), a C1 control, U+FFFE, a right-to-left override, real
// UTF-8 (SMTPUTF8 text), a bare LF and a truncated sequence at the end.
std::string hostile_server_bytes();

// The same kinds of trouble in a check's reason and title strings, which
// are well-formed UTF-8 here so that the JSON round trip is exact.
std::string hostile_reason();

check::CheckRunResult sample_check_result();

}  // namespace smtp::reports::testing
