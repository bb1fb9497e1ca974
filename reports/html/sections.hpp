#pragma once
// The HTML report's sections, one per result file (html_report.cpp puts them
// on one page under a table of contents). Every id inside a section starts
// with the section's own ("r1-"), so that several results share a page.
#include <string>
#include <vector>

#include "reports/result_file.hpp"
#include "reports/result_verdict.hpp"

namespace smtp::reports::html {

struct TocEntry {
  std::string id;
  std::string text;
};

struct Section {
  std::string html;
  std::vector<TocEntry> contents;  // the section's own headings, for the table of contents
};

Section load_section(const ResultDocument& result, const std::string& id);
Section check_section(const ResultDocument& result, const std::string& id);

// "Load run: 127.0.0.1:2525", "Compliance check: 127.0.0.1:2525".
std::string result_title(const ResultDocument& result);

// The verdict as a box: PASSED / FAILED / INTERRUPTED, the headline, and the
// run-level problems.
std::string verdict_box(const RunVerdict& verdict);
// The CSS class of an outcome: "passed", "failed", "interrupted".
std::string outcome_class(RunVerdict::Outcome outcome);

// <time datetime="...">...</time> for the document's started_at.
std::string started_at_html(const nlohmann::json& document);

}  // namespace smtp::reports::html
