// compare_markdown: the comparison for a CI step summary (compare_output.hpp).
#include "load/format.hpp"
#include "reports/compare_cells.hpp"
#include "reports/compare_output.hpp"
#include "reports/markdown_text.hpp"

namespace smtp::reports {
namespace {

std::string heading(Comparison::Outcome outcome) {
  switch (outcome) {
    case Comparison::Outcome::regression:
      return "## ❌ compare: regression";
    case Comparison::Outcome::no_regression:
      return "## ✅ compare: no regression";
    case Comparison::Outcome::no_thresholds:
      return "## compare: no thresholds given";
  }
  return "## compare";
}

std::string run_item(std::string_view role, const ComparedRun& run) {
  return "- **" + std::string(role) + "** " + markdown_text(run.name) + ": started " +
         markdown_text(run.started_at) + ", target " + markdown_text(run.target) + ", ran " +
         load::format_number(run.elapsed_seconds) + " s (" + markdown_text(run.stop_reason) + ")\n";
}

std::string table_row(const std::vector<std::string>& cells) {
  std::string line = "|";
  for (const std::string& cell : cells) line += " " + markdown_text(cell) + " |";
  return line + "\n";
}

}  // namespace

std::string compare_markdown(const Comparison& comparison) {
  std::string out = heading(comparison.outcome()) + "\n\n**" +
                    markdown_text(summary_line(comparison)) + "**\n\n" +
                    run_item("BASE", comparison.base) + run_item("NEW", comparison.candidate) +
                    "\n| metric | BASE | NEW | change | limit | verdict |\n"
                    "|---|--:|--:|--:|---|---|\n";
  for (const CompareRow& row : comparison.rows) {
    const CompareCells cells = compare_cells(comparison, row);
    std::string verdict = cells.verdict;
    if (verdict == "REGRESSION") verdict = "❌ REGRESSION";
    out +=
        table_row({cells.metric, cells.base, cells.candidate, cells.change, cells.limit, verdict});
  }
  return out;
}

}  // namespace smtp::reports
