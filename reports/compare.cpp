#include "reports/compare.hpp"

#include <algorithm>
#include <array>

#include "common/rfc3339.hpp"

namespace smtp::reports {
namespace {

using Kind = CompareMetric::Kind;
using Phase = load::MeasuredPhase;
using Verdict = ThresholdJudgement::Verdict;

constexpr std::array<Kind, 6> kRunWide = {Kind::throughput, Kind::rate,      Kind::delivered,
                                          Kind::errors,     Kind::reply_4xx, Kind::reply_5xx};

// The latency rows of a phase: percentile (or 0 for the other kinds).
struct LatencyRow {
  Kind kind;
  double percentile;
};
constexpr std::array<LatencyRow, 6> kLatencyRows = {{{Kind::percentile, 50},
                                                     {Kind::percentile, 90},
                                                     {Kind::percentile, 99},
                                                     {Kind::percentile, 99.9},
                                                     {Kind::mean, 0},
                                                     {Kind::max, 0}}};

// A run with --sink: the pairs at the sink, then the delivery latencies.
constexpr std::array<Kind, 7> kDeliveryCounts = {
    Kind::delivered_pairs, Kind::lost,       Kind::bounced, Kind::duplicated,
    Kind::corrupted,       Kind::unexpected, Kind::retried};
constexpr std::array<load::DeliveryLatency, 2> kDeliveryLatencies = {
    load::DeliveryLatency::from_acceptance, load::DeliveryLatency::from_start};
constexpr std::array<double, 2> kDeliveryPercentiles = {50, 99};

bool recorded(const load::RunResult& run, Phase phase) {
  return run.metrics.latency(phase).count() > 0;
}

// The phases with rows: transaction always, service, then the rest in
// enum order, each when either run recorded it.
std::vector<Phase> phases_to_show(const load::RunResult& base, const load::RunResult& candidate) {
  std::vector<Phase> phases = {Phase::transaction};
  const auto either = [&](Phase phase) {
    return recorded(base, phase) || recorded(candidate, phase);
  };
  if (either(Phase::service)) phases.push_back(Phase::service);
  for (std::size_t i = 0; i < load::kMeasuredPhaseCount; ++i) {
    const auto phase = static_cast<Phase>(i);
    if (phase != Phase::transaction && phase != Phase::service && either(phase)) {
      phases.push_back(phase);
    }
  }
  return phases;
}

ComparedRun identify(const load::RunResult& run) {
  ComparedRun compared;
  compared.started_at = common::rfc3339_utc_millis(run.started_at);
  compared.target = run.settings.target;
  compared.elapsed_seconds = run.elapsed_seconds;
  compared.stop_reason = run.stop_reason;
  return compared;
}

int severity(Verdict verdict) {
  switch (verdict) {
    case Verdict::ok:
      return 0;
    case Verdict::no_data:
      return 1;
    case Verdict::regression:
      return 2;
  }
  return 2;
}

}  // namespace

std::optional<double> CompareRow::change() const {
  if (!base || !candidate) return std::nullopt;
  return *candidate - *base;
}

std::optional<double> CompareRow::relative_percent() const {
  if (!base || !candidate || *base == 0) return std::nullopt;
  return 100 * (*candidate - *base) / *base;
}

Comparison::Outcome Comparison::outcome() const {
  if (judgements.empty()) return Outcome::no_thresholds;
  const bool regressed = std::any_of(judgements.begin(), judgements.end(), [](const auto& j) {
    return j.verdict == Verdict::regression;
  });
  return regressed ? Outcome::regression : Outcome::no_regression;
}

Comparison compare_runs(const load::RunResult& base, const load::RunResult& candidate,
                        const std::vector<CompareThreshold>& thresholds) {
  Comparison comparison;
  comparison.base = identify(base);
  comparison.candidate = identify(candidate);
  const auto add_row = [&](const CompareMetric& metric) {
    CompareRow row;
    row.metric = metric;
    row.base = observe(metric, base);
    row.candidate = observe(metric, candidate);
    comparison.rows.push_back(std::move(row));
  };
  for (const Kind kind : kRunWide) add_row({kind, 0, Phase::transaction});
  for (const Phase phase : phases_to_show(base, candidate)) {
    for (const LatencyRow& latency : kLatencyRows)
      add_row({latency.kind, latency.percentile, phase});
  }
  if (base.delivery || candidate.delivery) {
    for (const Kind kind : kDeliveryCounts) add_row({kind, 0, Phase::transaction});
    for (const auto latency : kDeliveryLatencies) {
      for (const double percentile : kDeliveryPercentiles) {
        add_row({Kind::percentile, percentile, Phase::transaction, latency});
      }
    }
  }

  for (const CompareThreshold& threshold : thresholds) {
    // A run-wide metric has no phase; compare like rows do.
    CompareMetric metric = threshold.metric;
    if (!is_latency(metric.kind)) {
      metric.phase = Phase::transaction;
      metric.delivery_latency = load::DeliveryLatency::none;
    }
    auto row = std::find_if(comparison.rows.begin(), comparison.rows.end(),
                            [&](const CompareRow& r) { return r.metric == metric; });
    if (row == comparison.rows.end()) {
      add_row(metric);
      row = comparison.rows.end() - 1;
    }
    row->judgements.push_back(comparison.judgements.size());
    comparison.judgements.push_back(judge(threshold, row->base, row->candidate));
  }
  return comparison;
}

std::optional<Verdict> row_verdict(const Comparison& comparison, const CompareRow& row) {
  std::optional<Verdict> worst;
  for (const std::size_t index : row.judgements) {
    const Verdict verdict = comparison.judgements.at(index).verdict;
    if (!worst || severity(verdict) > severity(*worst)) worst = verdict;
  }
  return worst;
}

std::string row_limits(const Comparison& comparison, const CompareRow& row) {
  std::string limits;
  for (const std::size_t index : row.judgements) {
    if (!limits.empty()) limits += ", ";
    limits += limit_text(comparison.judgements.at(index).threshold);
  }
  return limits;
}

std::string summary_line(const Comparison& comparison) {
  std::size_t passed = 0;
  std::size_t without_data = 0;
  std::string regressions;
  for (const ThresholdJudgement& judgement : comparison.judgements) {
    switch (judgement.verdict) {
      case Verdict::ok:
        ++passed;
        break;
      case Verdict::no_data:
        ++without_data;
        break;
      case Verdict::regression:
        regressions += (regressions.empty() ? "" : "; ") + judgement.detail;
        break;
    }
  }
  switch (comparison.outcome()) {
    case Comparison::Outcome::no_thresholds:
      return "no thresholds given: no regression judged (add e.g. --threshold 'p99:+10%')";
    case Comparison::Outcome::regression:
      return "REGRESSION: " + regressions;
    case Comparison::Outcome::no_regression:
      break;
  }
  std::string line = "no regression: " + std::to_string(passed) +
                     (passed == 1 ? " threshold" : " thresholds") + " passed";
  if (without_data > 0) line += ", " + std::to_string(without_data) + " without data";
  return line;
}

std::string_view to_string(Comparison::Outcome outcome) {
  switch (outcome) {
    case Comparison::Outcome::regression:
      return "regression";
    case Comparison::Outcome::no_regression:
      return "no regression";
    case Comparison::Outcome::no_thresholds:
      return "no thresholds";
  }
  return "?";
}

}  // namespace smtp::reports
