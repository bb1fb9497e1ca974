#include "app/load_summary_value.hpp"

#include <cstdint>
#include <string>

namespace smtp::app {
namespace {

using script::Value;

Value count(std::uint64_t n) {
  return Value(static_cast<std::int64_t>(n));
}
Value ms(std::uint64_t ns) {
  return Value(static_cast<double>(ns) / 1e6);
}

Value::Table latency_row(const load::Histogram& h) {
  Value::Table row;
  row["count"] = count(h.count());
  row["mean"] = Value(h.mean() / 1e6);
  row["min"] = ms(h.min());
  row["p50"] = ms(h.quantile(0.50));
  row["p90"] = ms(h.quantile(0.90));
  row["p99"] = ms(h.quantile(0.99));
  row["max"] = ms(h.max());
  return row;
}

// With --sink: the delivery counts by their names, and the two latencies.
Value delivery_value(const load::DeliveryResult& delivery) {
  Value::Table table;
  for (const auto& [name, field] : load::kDeliveryCountNames)
    table[std::string(name)] = count(delivery.counts.*field);
  Value::Table latency;
  for (const auto kind :
       {load::DeliveryLatency::from_acceptance, load::DeliveryLatency::from_start}) {
    const auto& h = load::histogram_of(delivery, kind);
    if (h.count() > 0) latency[std::string(load::to_string(kind))] = Value(latency_row(h));
  }
  table["latency_ms"] = Value(std::move(latency));
  table["drain"] = Value(delivery.drain_seconds);
  table["drain_interrupted"] = Value(delivery.drain_interrupted);
  return Value(std::move(table));
}

}  // namespace

Value summary_value(const load::RunResult& result) {
  const auto& m = result.metrics;
  const auto& c = m.counters();
  Value::Table summary;
  summary["target"] = Value(result.settings.target);
  summary["model"] = Value(result.settings.model);
  summary["elapsed"] = Value(result.elapsed_seconds);
  summary["rate"] = Value(result.achieved_rate);
  if (result.settings.target_rate) summary["target_rate"] = Value(*result.settings.target_rate);
  summary["interrupted"] = Value(result.interrupted);
  summary["started"] = count(c.transactions_started);
  summary["delivered"] = count(c.delivered);
  summary["refused_4xx"] = count(c.refused_4xx);
  summary["refused_5xx"] = count(c.refused_5xx);
  summary["failed"] = count(c.failed);
  summary["late_starts"] = count(c.late_starts);
  summary["dropped_starts"] = count(c.dropped_starts);
  summary["connections_opened"] = count(c.connections_opened);
  summary["reconnects"] = count(c.reconnects);

  Value::Table errors;
  for (std::size_t i = 0; i < load::kErrorKindCount; ++i)
    errors[std::string(load::to_string(static_cast<load::ErrorKind>(i)))] = count(m.errors()[i]);
  summary["errors"] = Value(std::move(errors));

  Value::Table latency;
  for (std::size_t i = 0; i < load::kMeasuredPhaseCount; ++i) {
    auto phase = static_cast<load::MeasuredPhase>(i);
    auto h = m.latency(phase);
    if (h.count() == 0) continue;
    latency[std::string(load::to_string(phase))] = Value(latency_row(h));
  }
  summary["latency_ms"] = Value(std::move(latency));

  Value::Table counters;
  for (const auto& [name, value] : m.custom()) counters[name] = Value(value);
  summary["counters"] = Value(std::move(counters));

  Value::List thresholds;
  for (const auto& verdict : result.thresholds) {
    Value::Table row;
    row["threshold"] = Value(verdict.threshold.text);
    row["passed"] = Value(verdict.passed);
    row["detail"] = Value(verdict.detail);
    thresholds.push_back(Value(std::move(row)));
  }
  summary["thresholds"] = Value(std::move(thresholds));
  if (result.delivery) summary["delivery"] = delivery_value(*result.delivery);
  return Value(std::move(summary));
}

}  // namespace smtp::app
