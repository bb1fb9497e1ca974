// compare_html: the comparison as one self-contained HTML page
// (compare_output.hpp). It shares the HTML report's escaper
// (reports/html/html_text.hpp) and nothing else: its own few lines of CSS,
// no script, no external resource.
#include <string_view>

#include "load/format.hpp"
#include "reports/compare_cells.hpp"
#include "reports/compare_output.hpp"
#include "reports/html/html_text.hpp"

namespace smtp::reports {
namespace {

using html::html_text;

// Nothing may be fetched, run, framed or submitted; inline styles only.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

constexpr std::string_view kStyle = R"css(
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 70em; padding: 0 1em;
       color: #1b1f24; background: #fff; }
h1 { font-size: 1.4em; margin-bottom: .3em; }
.summary { font-weight: 600; padding: .6em .8em; border-radius: 4px; }
.summary.regression { background: #ffe3e3; color: #8a1111; }
.summary.no-regression { background: #dcf5e3; color: #135c2a; }
.summary.no-thresholds { background: #eef1f4; color: #3a4450; }
dl.runs { display: grid; grid-template-columns: max-content auto; gap: .2em 1em; }
dl.runs dt { font-weight: 600; }
dl.runs dd { margin: 0; }
table { border-collapse: collapse; margin-top: 1em; font-variant-numeric: tabular-nums; }
th, td { padding: .25em .7em; border-bottom: 1px solid #dde2e7; text-align: left; }
td.number { text-align: right; white-space: nowrap; }
tbody th { font-weight: 600; background: #f5f7f9; padding-top: .7em; }
tr.regression td { background: #ffe3e3; }
tr.regression td.verdict { color: #8a1111; font-weight: 700; }
tr.no-data td.verdict { color: #6b5500; }
tr.ok td.verdict { color: #135c2a; }
footer { margin-top: 2em; color: #5b6672; font-size: .85em; }
)css";

std::string css_class(Comparison::Outcome outcome) {
  switch (outcome) {
    case Comparison::Outcome::regression:
      return "regression";
    case Comparison::Outcome::no_regression:
      return "no-regression";
    case Comparison::Outcome::no_thresholds:
      return "no-thresholds";
  }
  return "";
}

std::string row_class(const std::optional<ThresholdJudgement::Verdict>& verdict) {
  if (!verdict) return "";
  switch (*verdict) {
    case ThresholdJudgement::Verdict::ok:
      return " class=\"ok\"";
    case ThresholdJudgement::Verdict::regression:
      return " class=\"regression\"";
    case ThresholdJudgement::Verdict::no_data:
      return " class=\"no-data\"";
  }
  return "";
}

std::string run_entry(std::string_view role, const ComparedRun& run) {
  return "<dt>" + std::string(role) + "</dt><dd>" + html_text(run.name) + ": started " +
         html_text(run.started_at) + ", target " + html_text(run.target) + ", ran " +
         html_text(load::format_number(run.elapsed_seconds)) + " s (" + html_text(run.stop_reason) +
         ")</dd>\n";
}

std::string cell(const std::string& text, bool number) {
  return std::string(number ? "<td class=\"number\">" : "<td>") + html_text(text) + "</td>";
}

}  // namespace

std::string compare_html(const Comparison& comparison) {
  std::string rows;
  std::string group;
  for (const CompareRow& row : comparison.rows) {
    const std::string row_group_name = row_group(row);
    if (row_group_name != group) {
      group = row_group_name;
      rows += "<tr><th colspan=\"6\" scope=\"rowgroup\">" +
              html_text(group == "run"        ? "the whole run"
                        : group == "delivery" ? "delivery at the sink (--sink)"
                                              : "phase " + group) +
              "</th></tr>\n";
    }
    const CompareCells cells = compare_cells(comparison, row);
    rows += "<tr" + row_class(row_verdict(comparison, row)) + ">" + cell(cells.metric, false) +
            cell(cells.base, true) + cell(cells.candidate, true) + cell(cells.change, true) +
            cell(cells.limit, false) + "<td class=\"verdict\">" + html_text(cells.verdict) +
            "</td></tr>\n";
  }
  const std::string title =
      "smtp-harness compare: " + comparison.base.name + " → " + comparison.candidate.name;

  std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  page += "<meta http-equiv=\"Content-Security-Policy\" content=\"" +
          html_text(kContentSecurityPolicy) + "\">\n";
  page += "<meta name=\"referrer\" content=\"no-referrer\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += "<title>" + html_text(title) + "</title>\n";
  page += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
  page += "<h1>" + html_text(title) + "</h1>\n";
  page += "<p class=\"summary " + css_class(comparison.outcome()) + "\">" +
          html_text(summary_line(comparison)) + "</p>\n";
  page += "<dl class=\"runs\">\n" + run_entry("BASE", comparison.base) +
          run_entry("NEW", comparison.candidate) + "</dl>\n";
  page +=
      "<table>\n<thead><tr><th scope=\"col\">metric</th><th scope=\"col\">BASE</th>"
      "<th scope=\"col\">NEW</th><th scope=\"col\">change</th><th scope=\"col\">limit</th>"
      "<th scope=\"col\">verdict</th></tr></thead>\n<tbody>\n" +
      rows + "</tbody>\n</table>\n";
  page +=
      "<footer>Latency from each phase's histogram, every reply class merged; throughput is "
      "messages delivered per second of the window in which transactions could start; shares "
      "are of the transactions started, their changes in percentage points (pp). This page is "
      "self-contained: no script, no external resource.</footer>\n";
  return page + "</body>\n</html>\n";
}

}  // namespace smtp::reports
