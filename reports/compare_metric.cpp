#include "reports/compare_metric.hpp"

#include <array>

#include "load/format.hpp"

namespace smtp::reports {
namespace {

using Kind = CompareMetric::Kind;

struct NamedKind {
  std::string_view name;
  Kind kind;
};

// Every kind but the percentiles, which carry their number ("p99.9").
constexpr std::array<NamedKind, 15> kKindNames = {{
    {"mean", Kind::mean},
    {"max", Kind::max},
    {"throughput", Kind::throughput},
    {"rate", Kind::rate},
    {"delivered", Kind::delivered},
    {"errors", Kind::errors},
    {"4xx", Kind::reply_4xx},
    {"5xx", Kind::reply_5xx},
    {"delivered_pairs", Kind::delivered_pairs},
    {"lost", Kind::lost},
    {"bounced", Kind::bounced},
    {"duplicated", Kind::duplicated},
    {"corrupted", Kind::corrupted},
    {"unexpected", Kind::unexpected},
    {"retried", Kind::retried},
}};

std::uint64_t all_errors(const load::Metrics& metrics) {
  std::uint64_t count = 0;
  for (const std::uint64_t n : metrics.errors()) count += n;
  return count;
}

// A share of the transactions started, in percent (threshold.cpp's rule).
std::optional<double> share(std::uint64_t count, std::uint64_t started) {
  if (started == 0) return count > 0 ? std::optional<double>(100) : std::nullopt;
  return 100 * static_cast<double>(count) / static_cast<double>(started);
}

std::optional<double> latency_value(const CompareMetric& metric, const load::Histogram& histogram) {
  if (histogram.count() == 0) return std::nullopt;
  if (metric.kind == Kind::mean) return histogram.mean();
  if (metric.kind == Kind::max) return static_cast<double>(histogram.max());
  return static_cast<double>(histogram.quantile(metric.percentile / 100));
}

// A metric of the delivery section; nullopt for a run without one.
std::optional<double> observe_delivery(const CompareMetric& metric, const load::RunResult& run) {
  if (!run.delivery) return std::nullopt;
  if (is_latency(metric.kind)) {
    return latency_value(metric, load::histogram_of(*run.delivery, metric.delivery_latency));
  }
  // Named as the counts are (load::kDeliveryCountNames), delivered_pairs
  // aside: "delivered" is the transactions' here.
  const std::string name = metric.kind == Kind::delivered_pairs ? "delivered" : metric_name(metric);
  return static_cast<double>(load::count_named(run.delivery->counts, name).value_or(0));
}

}  // namespace

bool is_delivery_count(Kind kind) {
  return kind == Kind::delivered_pairs || kind == Kind::lost || kind == Kind::bounced ||
         kind == Kind::duplicated || kind == Kind::corrupted || kind == Kind::unexpected ||
         kind == Kind::retried;
}

bool reads_delivery(const CompareMetric& metric) {
  return is_delivery_count(metric.kind) ||
         (is_latency(metric.kind) && metric.delivery_latency != load::DeliveryLatency::none);
}

bool is_latency(Kind kind) {
  return kind == Kind::percentile || kind == Kind::mean || kind == Kind::max;
}

bool is_share(Kind kind) {
  return kind == Kind::errors || kind == Kind::reply_4xx || kind == Kind::reply_5xx;
}

CompareUnit unit_of(Kind kind) {
  if (is_latency(kind)) return CompareUnit::nanoseconds;
  if (is_share(kind)) return CompareUnit::percent;
  if (kind == Kind::delivered || is_delivery_count(kind)) return CompareUnit::count;
  return CompareUnit::per_second;
}

bool higher_is_worse(Kind kind) {
  return is_latency(kind) || is_share(kind) ||
         (is_delivery_count(kind) && kind != Kind::delivered_pairs);
}

std::string metric_name(const CompareMetric& metric) {
  if (metric.kind == Kind::percentile) return "p" + load::format_number(metric.percentile, 6);
  for (const NamedKind& entry : kKindNames) {
    if (entry.kind == metric.kind) return std::string(entry.name);
  }
  return "?";
}

std::optional<Kind> named_kind(std::string_view name) {
  for (const NamedKind& entry : kKindNames) {
    if (entry.name == name) return entry.kind;
  }
  return std::nullopt;
}

std::string phase_name(const CompareMetric& metric) {
  if (metric.delivery_latency != load::DeliveryLatency::none) {
    return std::string(load::to_string(metric.delivery_latency));
  }
  return std::string(load::to_string(metric.phase));
}

std::string metric_label(const CompareMetric& metric) {
  std::string label = metric_name(metric);
  if (is_latency(metric.kind) && (metric.phase != load::MeasuredPhase::transaction ||
                                  metric.delivery_latency != load::DeliveryLatency::none)) {
    label += ":" + phase_name(metric);
  }
  return label;
}

double start_window_seconds(const load::RunResult& run) {
  const auto started = static_cast<double>(run.metrics.counters().transactions_started);
  // achieved_rate = started / window (engine.cpp), so the window comes back
  // exactly enough from the two numbers the result file keeps.
  if (started > 0 && run.achieved_rate > 0) return started / run.achieved_rate;
  return run.elapsed_seconds;
}

std::optional<double> observe(const CompareMetric& metric, const load::RunResult& run) {
  if (reads_delivery(metric)) return observe_delivery(metric, run);
  const load::Metrics& metrics = run.metrics;
  const load::Counters& counters = metrics.counters();
  switch (metric.kind) {
    case Kind::percentile:
    case Kind::mean:
    case Kind::max:
      return latency_value(metric, metrics.latency(metric.phase));
    case Kind::throughput: {
      const double window = start_window_seconds(run);
      if (!(window > 0)) return std::nullopt;
      return static_cast<double>(counters.delivered) / window;
    }
    case Kind::rate:
      if (!(start_window_seconds(run) > 0)) return std::nullopt;
      return run.achieved_rate;
    case Kind::delivered:
      return static_cast<double>(counters.delivered);
    case Kind::errors:
      return share(all_errors(metrics), counters.transactions_started);
    case Kind::reply_4xx:
      return share(counters.refused_4xx, counters.transactions_started);
    case Kind::reply_5xx:
      return share(counters.refused_5xx, counters.transactions_started);
    default:
      break;  // the delivery counts, above
  }
  return std::nullopt;
}

}  // namespace smtp::reports
