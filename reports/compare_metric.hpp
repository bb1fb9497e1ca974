#pragma once
// One number that `smtp-harness compare` reads from each of two load runs:
// which metric, of which phase, in which unit, and which way is worse.
// Standard library and the load model only.
//
// The metrics, spelt as the compare thresholds spell them
// (compare_threshold.hpp):
//   pN, mean, max   latency of a measured phase (default: transaction), from
//                   the phase's histogram with every reply class merged
//                   (load::Metrics::latency(phase)); "no data" when that
//                   phase recorded nothing. Higher is worse.
//   throughput      messages delivered per second of the run's start window:
//                   delivered / (transactions_started / achieved_rate), the
//                   seconds in which transactions were allowed to start,
//                   which is the window achieved_rate itself uses (the drain
//                   after a stop and, in the open model, anything after the
//                   rate profile's end are left out). When nothing started
//                   (achieved_rate is then 0) the window is elapsed_seconds;
//                   "no data" when that is 0 too. Lower is worse.
//   rate            the run's achieved_rate: transactions started per second
//                   of the same window. Lower is worse.
//   delivered       messages delivered (a count). Lower is worse.
//   errors, 4xx, 5xx  shares of the transactions started, in percent: every
//                   error of any kind, the transactions refused with a 4xx,
//                   with a 5xx. As `load --threshold` counts them: with
//                   nothing started, errors that did happen are 100% and no
//                   errors are "no data". Higher is worse.
// A run with --sink (the result's delivery section, load/delivery.hpp) adds:
//   delivered_pairs pairs of message and recipient delivered at the sink (a
//                   count). Lower is worse. ("delivered" stays the
//                   transactions answered 250, so that a run with --sink
//                   compares with one without.)
//   lost, bounced, duplicated, corrupted, unexpected, retried
//                   pairs (counts), as the delivery section counts them.
//                   Higher is worse.
//   pN, mean, max of the phases "delivery" (from the 250 at the end of data
//                   to the first arrival) and "delivery_from_start" (from the
//                   intended start).
// Each is "no data" for a run without a delivery section.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "load/metrics.hpp"
#include "load/result.hpp"

namespace smtp::reports {

enum class CompareUnit : std::uint8_t {
  nanoseconds,
  per_second,
  count,
  percent,  // a share: 0..100, and its changes in percentage points
};

struct CompareMetric {
  enum class Kind : std::uint8_t {
    percentile,
    mean,
    max,
    throughput,
    rate,
    delivered,
    errors,
    reply_4xx,
    reply_5xx,
    delivered_pairs,
    lost,
    bounced,
    duplicated,
    corrupted,
    unexpected,
    retried,
  };
  Kind kind = Kind::percentile;
  double percentile = 0;                                         // 0..100, Kind::percentile only
  load::MeasuredPhase phase = load::MeasuredPhase::transaction;  // latency kinds only
  // Latency kinds: a delivery latency in place of `phase`; none otherwise.
  load::DeliveryLatency delivery_latency = load::DeliveryLatency::none;

  bool operator==(const CompareMetric&) const = default;
};

bool is_latency(CompareMetric::Kind kind);
bool is_share(CompareMetric::Kind kind);
// delivered_pairs and the trouble counts of a delivery section.
bool is_delivery_count(CompareMetric::Kind kind);
// Whether the metric reads the delivery section.
bool reads_delivery(const CompareMetric& metric);
CompareUnit unit_of(CompareMetric::Kind kind);
// Latency and the shares get worse as they rise; throughput, rate and
// delivered as they fall.
bool higher_is_worse(CompareMetric::Kind kind);

// The metric without its phase ("p99.9", "throughput", "4xx"), and the
// name of a kind other than percentile, or nullopt for a name that is none.
std::string metric_name(const CompareMetric& metric);
std::optional<CompareMetric::Kind> named_kind(std::string_view name);
// "p99" for the transaction phase, "p99:rcpt" for another: what a
// threshold on it is written as.
std::string metric_label(const CompareMetric& metric);
// The phase a latency metric reads: "rcpt", "delivery", "delivery_from_start".
std::string phase_name(const CompareMetric& metric);

// The seconds of the run in which transactions could start (see above).
double start_window_seconds(const load::RunResult& run);

// The metric's value in `run`, in its unit; nullopt for "no data".
std::optional<double> observe(const CompareMetric& metric, const load::RunResult& run);

}  // namespace smtp::reports
