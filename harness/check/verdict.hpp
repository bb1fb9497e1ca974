#pragma once
// The compliance suite's verdicts and requirement levels (docs/CONFORMANCE.md,
// "Verdicts"). Standard library only: the script bridge, the runner and the
// reports all speak these.
#include <cstdint>
#include <optional>
#include <string_view>

namespace smtp::check {

enum class Verdict : std::uint8_t {
  pass,   // the requirement was met
  fail,   // a MUST was violated
  warn,   // a SHOULD was violated, or the behaviour was tolerable but weak
  info,   // a recorded behaviour or policy
  skip,   // does not apply: not advertised, another profile, no oracle
  error,  // the check could not run: the connection failed, the target hung
};
inline constexpr std::size_t kVerdictCount = 6;

// "PASS", "FAIL", ... as reports print them.
std::string_view to_string(Verdict verdict);
// Case-insensitive.
std::optional<Verdict> parse_verdict(std::string_view text);

// RFC 2119 levels as docs/CONFORMANCE.md uses them (MUST, SHOULD, INFO).
enum class Level : std::uint8_t { must, should, info };
std::string_view to_string(Level level);  // "MUST", "SHOULD", "INFO"
// "MUST", "SHOULD", "INFO", or their letters M, S, I; case-insensitive.
std::optional<Level> parse_level(std::string_view text);

}  // namespace smtp::check
