#include "reports/html/html_report.hpp"

#include <iterator>
#include <set>

#include "reports/html/html_blocks.hpp"
#include "reports/html/html_text.hpp"
#include "reports/html/report_style.hpp"
#include "reports/html/sections.hpp"

namespace smtp::reports {
namespace {

using html::html_text;

// Nothing may be fetched, run, framed or submitted: the report is data.
// Inline styles only (the <style> element); the charts are inline SVG, not
// images, so not even data: URLs are needed.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

std::string page_title(const std::vector<ResultDocument>& results) {
  std::string title = "smtp-harness report";
  for (std::size_t i = 0; i < results.size(); ++i) {
    title += (i == 0 ? ": " : "; ") + html::result_title(results[i]);
  }
  return title;
}

// "1", "1 and 2": the schema versions of the files on the page.
std::string schema_versions(const std::vector<ResultDocument>& results) {
  std::set<std::uint64_t> versions;
  for (const ResultDocument& result : results) {
    versions.insert(result.document.at("schema_version").get<std::uint64_t>());
  }
  std::string text;
  for (auto version = versions.begin(); version != versions.end(); ++version) {
    if (version != versions.begin()) text += std::next(version) == versions.end() ? " and " : ", ";
    text += std::to_string(*version);
  }
  return text;
}

std::string tool_text(const std::vector<ResultDocument>& results) {
  std::string versions;
  for (const ResultDocument& result : results) {
    const nlohmann::json& tool = result.document.at("tool");
    const std::string text = html::json_text(tool, "name") + " " + html::json_text(tool, "version");
    if (versions.find(text) == std::string::npos) versions += (versions.empty() ? "" : ", ") + text;
  }
  return versions;
}

}  // namespace

std::string to_html(const std::vector<ResultDocument>& results) {
  std::string body;
  std::string toc = "<nav class=\"toc\" aria-label=\"Contents\"><h2>Contents</h2>\n<ol>\n";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const ResultDocument& result = results[i];
    const std::string id = "r" + std::to_string(i + 1);
    const html::Section section =
        result.kind == "load" ? html::load_section(result, id) : html::check_section(result, id);
    const RunVerdict verdict = result_verdict(result.document);
    const std::string title = html::result_title(result);
    const std::string verdict_badge =
        html::badge(outcome_label(verdict.outcome), html::outcome_class(verdict.outcome));
    toc += "<li><a href=\"#" + id + "\">" + html_text(title) + "</a> " + verdict_badge + "\n<ol>";
    for (const html::TocEntry& entry : section.contents) {
      toc += "<li><a href=\"#" + html_text(entry.id) + "\">" + html_text(entry.text) + "</a></li>";
    }
    toc += "</ol></li>\n";
    body += "<section class=\"result " + html_text(result.kind) + "\" id=\"" + id +
            "\" aria-labelledby=\"" + id + "-title\">\n";
    body += "<h2 id=\"" + id + "-title\">" + html_text(title) + " " + verdict_badge + "</h2>\n";
    body += "<p class=\"source\">from " + html_text(result.name) + "</p>\n";
    body += section.html + "</section>\n";
  }
  toc += "</ol>\n</nav>\n";

  std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  page += "<meta http-equiv=\"Content-Security-Policy\" content=\"" +
          html_text(kContentSecurityPolicy) + "\">\n";
  page += "<meta name=\"referrer\" content=\"no-referrer\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += "<meta name=\"generator\" content=\"" + html_text(tool_text(results)) + "\">\n";
  page += "<title>" + html_text(page_title(results)) + "</title>\n";
  page += "<style>\n" + html::report_style() + "</style>\n</head>\n<body>\n";
  page +=
      "<header class=\"page\"><h1>smtp-harness report</h1>\n<p class=\"muted\">" +
      html_text(std::to_string(results.size()) + (results.size() == 1 ? " result" : " results") +
                ", rendered from result files of schema version " + schema_versions(results) +
                " (reports/schema/result.schema.json).") +
      "</p>\n" + toc + "</header>\n";
  page += "<main>\n" + body + "</main>\n";
  page += "<footer>Written by " + html_text(tool_text(results)) +
          ". This page is self-contained: no script, no external resource.</footer>\n";
  return page + "</body>\n</html>\n";
}

}  // namespace smtp::reports
