#include "reports/result_verdict.hpp"

#include <array>
#include <cstdint>

namespace smtp::reports {
namespace {

constexpr std::array<std::string_view, 6> kVerdicts = {"PASS", "FAIL", "WARN",
                                                       "INFO", "SKIP", "ERROR"};

// "1 FAIL, 21 ERROR" of the verdicts in `names` that occurred.
std::string verdict_counts(const nlohmann::json& counts,
                           std::initializer_list<std::string_view> names) {
  std::string text;
  for (const std::string_view name : names) {
    const auto count = counts.at(std::string(name)).get<std::uint64_t>();
    if (count == 0) continue;
    if (!text.empty()) text += ", ";
    text += std::to_string(count) + " " + std::string(name);
  }
  return text;
}

}  // namespace

std::string_view outcome_label(RunVerdict::Outcome outcome) {
  switch (outcome) {
    case RunVerdict::Outcome::passed:
      return "PASSED";
    case RunVerdict::Outcome::failed:
      return "FAILED";
    case RunVerdict::Outcome::interrupted:
      return "INTERRUPTED";
  }
  return "FAILED";
}

RunVerdict load_verdict(const nlohmann::json& document) {
  const nlohmann::json& load = document.at("load");
  RunVerdict verdict;
  std::size_t crossed = 0;
  const nlohmann::json& thresholds = load.at("thresholds");
  for (const nlohmann::json& threshold : thresholds) {
    if (!threshold.at("passed").get<bool>()) ++crossed;
  }
  const bool interrupted = load.at("interrupted").get<bool>();
  const std::string stop_reason = load.at("stop_reason").get<std::string>();
  const auto started = load.at("counters").at("transactions_started").get<std::uint64_t>();
  if (stop_reason == "stalled") {
    verdict.problems.push_back(
        "stalled: no transaction could start for 10 s while every connection failed");
  } else if (!interrupted && started == 0) {
    verdict.problems.push_back("no transaction could start");
  }
  if (thresholds.empty()) {
    verdict.headline = "no thresholds set";
  } else if (crossed == 0) {
    verdict.headline = "all " + std::to_string(thresholds.size()) + " thresholds met";
  } else {
    verdict.headline = std::to_string(crossed) + " of " + std::to_string(thresholds.size()) +
                       " thresholds crossed";
  }
  if (!verdict.problems.empty()) verdict.headline = verdict.problems.front();
  if (interrupted) {
    verdict.outcome = RunVerdict::Outcome::interrupted;
    verdict.headline = "interrupted (SIGINT), partial results; " + verdict.headline;
  } else if (crossed > 0 || !verdict.problems.empty()) {
    verdict.outcome = RunVerdict::Outcome::failed;
  }
  return verdict;
}

RunVerdict check_verdict(const nlohmann::json& document) {
  const nlohmann::json& counts = document.at("check").at("counts");
  RunVerdict verdict;
  const std::string failures = verdict_counts(counts, {"FAIL", "ERROR"});
  if (!failures.empty()) {
    verdict.outcome = RunVerdict::Outcome::failed;
    verdict.headline = failures;
    return verdict;
  }
  std::uint64_t total = 0;
  for (const std::string_view name : kVerdicts)
    total += counts.at(std::string(name)).get<std::uint64_t>();
  verdict.headline = "no FAIL or ERROR in " + std::to_string(total) + " checks";
  const std::string warnings = verdict_counts(counts, {"WARN"});
  if (!warnings.empty()) verdict.headline += " (" + warnings + ")";
  return verdict;
}

RunVerdict result_verdict(const nlohmann::json& document) {
  return document.at("kind").get<std::string>() == "load" ? load_verdict(document)
                                                          : check_verdict(document);
}

}  // namespace smtp::reports
