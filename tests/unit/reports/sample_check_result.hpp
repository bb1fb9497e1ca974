#pragma once
// A compliance run for the reports tests: three areas, every verdict once,
// notes, a truncated transcript, a redacted AUTH line, a server that sends
// hostile bytes (hostile_server_bytes) and names itself in a hostile banner
// (hostile_banner), and remediation hints on the FAIL and the WARN (the
// WARN's hostile). Deterministic.
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

// The greeting's first line the probe saw: markup, quotes and an ampersand
// around the phrase that names Postfix.
std::string hostile_banner();

// The hint on the FAIL (E7): plain advice with characters markup escapes.
std::string sample_hint();

check::CheckRunResult sample_check_result();

}  // namespace smtp::reports::testing
