#pragma once
// A load run as JUnit XML (the layout of reports/junit.hpp), from its result
// JSON. One <testsuite> "smtp-harness load: TARGET" holding:
//   "run completed"      (classname "load"): <failure> when no transaction
//                        could start or the run stalled, <error> when it was
//                        interrupted (partial results) — what makes `load`
//                        exit non-zero besides the thresholds, so that a CI
//                        page agrees with the exit code; <system-out> has
//                        the key numbers, the errors by kind and the first
//                        error messages, and a generator-bound warning
//   "delivery"           (classname "load.delivery"), a run with --sink only:
//                        <failure> when pairs were lost, duplicated or
//                        corrupted (each unless a threshold on it judged it:
//                        its testcase says whether that many were allowed);
//                        <system-out> has the delivery counts and latency
//   "threshold TEXT"     (classname "load.thresholds"), one per --threshold
//                        (the delivery ones and those --sink implies too):
//                        <failure message="DETAIL" type="threshold"> when it
//                        was crossed
// Errors (4xx, timeouts ...) alone do not fail a testcase, as they do not
// fail `load`: a --threshold such as 'errors<1%' says how many are too many.
// Properties carry the target, model, seed and scenario.
#include <nlohmann/json.hpp>
#include <string>

namespace smtp::reports {

// `document`: a load result that read_result_file validated.
std::string load_junit(const nlohmann::json& document);

}  // namespace smtp::reports
