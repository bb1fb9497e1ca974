#include "app/check_text.hpp"

#include <cstdio>

namespace smtp::app {
namespace {

std::string padded(std::string_view text, std::size_t width) {
  std::string out(text);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out;
}

// Reasons quote the target's bytes: control characters would redraw the
// terminal, so they are shown as \xNN.
std::string printable(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace

std::string check_line(const check::CheckResult& result) {
  std::string line = padded(check::to_string(result.verdict), 7);
  line += padded(result.id, 10);
  line += ' ';
  line += padded(printable(result.title), 56);
  line += "  ";
  line += result.rfc;
  line += '\n';
  if (!result.reason.empty()) {
    // The first line of the reason; a Lua traceback stays in the report.
    std::string_view reason = result.reason;
    reason = reason.substr(0, reason.find('\n'));
    line += "       → ";
    line += printable(reason);
    line += '\n';
  }
  if (!result.hint.empty()) {
    line += "       hint: ";
    line += printable(result.hint);
    line += '\n';
  }
  return line;
}

std::string server_line(const check::ServerIdentity& server) {
  std::string line = "server: " + check::software_text(server);
  line += "; greeting: " + printable(server.banner);
  return line + '\n';
}

std::string check_summary(const check::CheckRunResult& run, bool fail_on_should) {
  char head[96];
  std::snprintf(head, sizeof head, "%zu checks in %.1f s:", run.results.size(),
                run.elapsed_seconds);
  std::string out = run.server ? server_line(*run.server) : std::string();
  out += head;
  for (std::size_t i = 0; i < check::kVerdictCount; ++i) {
    const auto verdict = static_cast<check::Verdict>(i);
    out += i == 0 ? " " : ", ";
    out += std::to_string(run.count(verdict));
    out += ' ';
    out += check::to_string(verdict);
  }
  out += '\n';
  const bool failed = check::run_failed(run, fail_on_should);
  out += failed ? "FAILED" : "PASSED";
  out += fail_on_should ? " (failing on MUST and SHOULD, and on errors)\n"
                        : " (failing on MUST, and on errors)\n";
  return out;
}

}  // namespace smtp::app
