// compare_json: the comparison as a JSON document; its shape is in
// compare_output.hpp.
#include "reports/compare_output.hpp"
#include "reports/utf8_text.hpp"

namespace smtp::reports {
namespace {

std::string_view unit_name(CompareUnit unit) {
  switch (unit) {
    case CompareUnit::nanoseconds:
      return "ns";
    case CompareUnit::per_second:
      return "per_second";
    case CompareUnit::count:
      return "count";
    case CompareUnit::percent:
      return "percent";
  }
  return "?";
}

nlohmann::json number_or_null(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json run_json(const ComparedRun& run) {
  return {{"file", escape_non_utf8(run.name)},
          {"started_at", run.started_at},
          {"target", escape_non_utf8(run.target)},
          {"elapsed_seconds", run.elapsed_seconds},
          {"stop_reason", escape_non_utf8(run.stop_reason)}};
}

// metric and, for latency, phase.
void put_metric(nlohmann::json& object, const CompareMetric& metric) {
  object["metric"] = metric_name(metric);
  if (is_latency(metric.kind)) object["phase"] = phase_name(metric);
}

}  // namespace

nlohmann::json compare_json(const Comparison& comparison) {
  nlohmann::json rows = nlohmann::json::array();
  for (const CompareRow& row : comparison.rows) {
    nlohmann::json entry = nlohmann::json::object();
    put_metric(entry, row.metric);
    entry["unit"] = std::string(unit_name(unit_of(row.metric.kind)));
    entry["base"] = number_or_null(row.base);
    entry["new"] = number_or_null(row.candidate);
    entry["change"] = number_or_null(row.change());
    entry["relative_percent"] = number_or_null(row.relative_percent());
    rows.push_back(std::move(entry));
  }
  nlohmann::json thresholds = nlohmann::json::array();
  for (const ThresholdJudgement& judgement : comparison.judgements) {
    nlohmann::json entry = {{"threshold", escape_non_utf8(judgement.threshold.text)}};
    put_metric(entry, judgement.threshold.metric);
    entry["limit"] = limit_text(judgement.threshold);
    entry["verdict"] = std::string(to_string(judgement.verdict));
    entry["change"] = number_or_null(judgement.change);
    entry["detail"] = escape_non_utf8(judgement.detail);
    thresholds.push_back(std::move(entry));
  }
  return {{"kind", "smtp-harness/compare"},
          {"version", 1},
          {"base", run_json(comparison.base)},
          {"new", run_json(comparison.candidate)},
          {"rows", std::move(rows)},
          {"thresholds", std::move(thresholds)},
          {"verdict", std::string(to_string(comparison.outcome()))},
          {"summary", escape_non_utf8(summary_line(comparison))}};
}

}  // namespace smtp::reports
