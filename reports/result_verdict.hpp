#pragma once
// The verdict of a result file, as the command that wrote it decided its exit
// code, read back from the JSON for the renderers (HTML, Markdown, JUnit):
//   load:  failed when a threshold was crossed, when no transaction could
//          start, or when the run stalled; interrupted (SIGINT) wins over
//          both, as exit code 130 does. A done(summary) hook's failure is not
//          in the file, so it cannot be shown.
//   check: failed when a check's verdict is FAIL or ERROR, the default
//          --fail-on must (a WARN fails only with --fail-on should, which the
//          file does not record).
// The document must have passed read_result_file's validation.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace smtp::reports {

struct RunVerdict {
  enum class Outcome { passed, failed, interrupted };
  Outcome outcome = Outcome::passed;
  std::string headline;               // "1 of 2 thresholds crossed", "1 FAIL, 21 ERROR"
  std::vector<std::string> problems;  // run-level failures: "no transaction could start"
};

std::string_view outcome_label(RunVerdict::Outcome outcome);  // "PASSED", "FAILED", "INTERRUPTED"

RunVerdict load_verdict(const nlohmann::json& document);
RunVerdict check_verdict(const nlohmann::json& document);
// By the document's kind.
RunVerdict result_verdict(const nlohmann::json& document);

}  // namespace smtp::reports
