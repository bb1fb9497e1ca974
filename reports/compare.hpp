#pragma once
// Two load runs side by side (`smtp-harness compare BASE.json NEW.json`):
// a row per metric with BASE's value, NEW's and the change, and the
// compare thresholds judged on those rows. The renderers (compare_output.hpp)
// only format what is here. Standard library and the load model only.
//
// The rows, in order (compare_metric.hpp defines each metric):
//   throughput, rate, delivered, errors, 4xx, 5xx
//   p50, p90, p99, p99.9, mean, max of the transaction phase (always), of the
//   service time, then of every other measured phase either run recorded, in
//   load::MeasuredPhase order ("p99:rcpt")
//   with a delivery section in either run (--sink): delivered_pairs, lost,
//   bounced, duplicated, corrupted, unexpected, retried, then p50 and p99 of
//   delivery and of delivery_from_start
//   a row for any threshold's metric not among those (say p95, or a phase
//   neither run recorded), in the order the thresholds were given
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "load/result.hpp"
#include "reports/compare_metric.hpp"
#include "reports/compare_threshold.hpp"

namespace smtp::reports {

struct CompareRow {
  CompareMetric metric;
  std::optional<double> base;           // nullopt: no data
  std::optional<double> candidate;      // NEW's value
  std::vector<std::size_t> judgements;  // indexes into Comparison::judgements

  // NEW - BASE, when both have data.
  std::optional<double> change() const;
  // The change in percent of BASE; nullopt also when BASE is 0.
  std::optional<double> relative_percent() const;
};

// What identifies a run in the output.
struct ComparedRun {
  std::string name;        // the file as given; compare_runs leaves it empty
  std::string started_at;  // RFC 3339, UTC
  std::string target;
  double elapsed_seconds = 0;
  std::string stop_reason;
};

struct Comparison {
  enum class Outcome : std::uint8_t { regression, no_regression, no_thresholds };

  ComparedRun base;
  ComparedRun candidate;
  std::vector<CompareRow> rows;
  std::vector<ThresholdJudgement> judgements;  // one per threshold, in the order given

  Outcome outcome() const;
};

Comparison compare_runs(const load::RunResult& base, const load::RunResult& candidate,
                        const std::vector<CompareThreshold>& thresholds);

// The worst verdict of the row's thresholds (regression, then no data, then
// ok); nullopt for a row without one.
std::optional<ThresholdJudgement::Verdict> row_verdict(const Comparison& comparison,
                                                       const CompareRow& row);
// The row's limits, as written: "+10%", or "+10%, +5ms"; "" without one.
std::string row_limits(const Comparison& comparison, const CompareRow& row);

// One line: "REGRESSION: p99 +23.4% (limit +10%); throughput -12% (limit -5%)",
// "no regression: 2 thresholds passed", or "no thresholds given: ...".
std::string summary_line(const Comparison& comparison);

std::string_view to_string(Comparison::Outcome outcome);  // "regression", "no regression", ...

}  // namespace smtp::reports
