#include "check/verdict.hpp"

#include <array>

#include "proto/ascii.hpp"

namespace smtp::check {
namespace {

constexpr std::array<std::string_view, kVerdictCount> kVerdictNames = {"PASS", "FAIL", "WARN",
                                                                       "INFO", "SKIP", "ERROR"};

}  // namespace

std::string_view to_string(Verdict verdict) {
  return kVerdictNames[static_cast<std::size_t>(verdict)];
}

std::optional<Verdict> parse_verdict(std::string_view text) {
  for (std::size_t i = 0; i < kVerdictNames.size(); ++i) {
    if (proto::iequals(text, kVerdictNames[i])) return static_cast<Verdict>(i);
  }
  return std::nullopt;
}

std::string_view to_string(Level level) {
  switch (level) {
    case Level::must:
      return "MUST";
    case Level::should:
      return "SHOULD";
    case Level::info:
      return "INFO";
  }
  return "?";
}

std::optional<Level> parse_level(std::string_view text) {
  using proto::iequals;
  if (iequals(text, "MUST") || iequals(text, "M")) return Level::must;
  if (iequals(text, "SHOULD") || iequals(text, "S")) return Level::should;
  if (iequals(text, "INFO") || iequals(text, "I")) return Level::info;
  return std::nullopt;
}

}  // namespace smtp::check
