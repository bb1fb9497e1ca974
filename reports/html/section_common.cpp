// What the load and the check sections share: titles, the verdict box, times.
#include <string>

#include "reports/html/html_blocks.hpp"
#include "reports/html/html_text.hpp"
#include "reports/html/sections.hpp"

namespace smtp::reports::html {

std::string result_title(const ResultDocument& result) {
  if (result.kind == "load") {
    return "Load run: " + json_text(result.document.at("load").at("settings"), "target");
  }
  return "Compliance check: " + json_text(result.document.at("check"), "target");
}

std::string outcome_class(RunVerdict::Outcome outcome) {
  switch (outcome) {
    case RunVerdict::Outcome::passed:
      return "passed";
    case RunVerdict::Outcome::failed:
      return "failed";
    case RunVerdict::Outcome::interrupted:
      return "interrupted";
  }
  return "failed";
}

std::string verdict_box(const RunVerdict& verdict) {
  std::string html = "<div class=\"verdict " + outcome_class(verdict.outcome) + "\"><strong>" +
                     html_text(outcome_label(verdict.outcome)) + "</strong>" +
                     html_text(verdict.headline);
  if (verdict.problems.size() > 1) {
    html += "<ul>";
    for (const std::string& problem : verdict.problems)
      html += "<li>" + html_text(problem) + "</li>";
    html += "</ul>";
  }
  return html + "</div>\n";
}

std::string started_at_html(const nlohmann::json& document) {
  const std::string started_at = json_text(document, "started_at");
  return "<time datetime=\"" + html_text(started_at) + "\">" + html_text(started_at) +
         "</time> (UTC)";
}

}  // namespace smtp::reports::html
