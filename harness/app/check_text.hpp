#pragma once
// What `smtp-harness check` prints: a line per check as it ends, and the
// summary. Plain text; JSON and JUnit come from reports/.
#include <string>

#include "check/check_result.hpp"

namespace smtp::app {

// "FAIL   D3    No smuggling with a fake end of data   RFC 5321 §4.1.1.4" and,
// when the check gave a reason (any verdict), an indented "→ reason" line,
// and when the server's software has a remediation hint for the verdict, an
// indented "hint: ..." line.
std::string check_line(const check::CheckResult& result);

// "server: Postfix (version unknown); greeting: 220 mx.example.org ESMTP Postfix".
std::string server_line(const check::ServerIdentity& server);

// The server line, "78 checks in 4.2 s: 60 PASS, 2 FAIL, 3 WARN, 5 INFO, 8
// SKIP, 0 ERROR" and the verdict of the run at the --fail-on level.
std::string check_summary(const check::CheckRunResult& run, bool fail_on_should);

}  // namespace smtp::app
