#include "reports/compare_cells.hpp"

#include "reports/compare_format.hpp"

namespace smtp::reports {
namespace {

std::string value_cell(CompareUnit unit, const std::optional<double>& value) {
  return value ? format_compare_value(unit, *value) : "no data";
}

std::string change_cell(CompareUnit unit, const CompareRow& row) {
  const auto change = row.change();
  if (!change) return "n/a";
  if (*change == 0) return "0";
  std::string text = format_signed_amount(unit, *change);
  // A share's change stays in percentage points alone: a relative "%"
  // beside it would read as a second share.
  const auto relative = row.relative_percent();
  if (relative && unit != CompareUnit::percent)
    text += " (" + format_signed_percent(*relative) + ")";
  return text;
}

std::string verdict_cell(const std::optional<ThresholdJudgement::Verdict>& verdict) {
  if (!verdict) return "";
  if (*verdict == ThresholdJudgement::Verdict::regression) return "REGRESSION";
  return std::string(to_string(*verdict));
}

}  // namespace

CompareCells compare_cells(const Comparison& comparison, const CompareRow& row) {
  const CompareUnit unit = unit_of(row.metric.kind);
  return {metric_label(row.metric),        value_cell(unit, row.base),
          value_cell(unit, row.candidate), change_cell(unit, row),
          row_limits(comparison, row),     verdict_cell(row_verdict(comparison, row))};
}

std::string row_group(const CompareRow& row) {
  if (is_delivery_count(row.metric.kind)) return "delivery";
  if (!is_latency(row.metric.kind)) return "run";
  return phase_name(row.metric);
}

}  // namespace smtp::reports
