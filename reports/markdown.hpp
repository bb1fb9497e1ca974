#pragma once
// Result files as a Markdown summary for a CI job's page (GitHub Actions'
// $GITHUB_STEP_SUMMARY, GitLab and others render GitHub Flavored Markdown).
// Per result, from its JSON:
//   load:  the verdict as a heading, one line of context (time, duration,
//          model, seed, scenario), the generator-bound warning, the key
//          numbers, p50/p90/p99 per phase, with --sink the delivery
//          (markdown_delivery.hpp), the thresholds, errors by kind
//   check: the verdict as a heading, the counts, and a table of the checks
//          that FAIL, ERROR or WARN with id, level, clause, title and reason
// Every string from a result goes through markdown_text (escaped, one line).
#include <string>
#include <vector>

#include "reports/result_file.hpp"

namespace smtp::reports {

// `results` as read_result_file returns them (validated).
std::string to_markdown(const std::vector<ResultDocument>& results);

}  // namespace smtp::reports
