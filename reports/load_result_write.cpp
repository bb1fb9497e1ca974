#include "reports/result_json.hpp"

#include <utility>
#include <vector>

#include "reports/result_envelope.hpp"
#include "reports/result_json_internal.hpp"

// Writes the layout of reports/schema/result.schema.json, kind "load".

namespace smtp::reports {
namespace detail {
namespace {

using load::Histogram;
using load::Metrics;
using nlohmann::json;

template <typename Table, typename Value>
std::string_view name_of(const Table& table, Value value) {
  for (const auto& [name, entry] : table) {
    if (entry == value) return name;
  }
  return "?";
}

json counters_to_json(const load::Counters& counters) {
  json value = json::object();
  for (const auto& [name, field] : kCounterFields) value[std::string(name)] = counters.*field;
  return value;
}

// Every kind, zeros included, so that a renderer's table has fixed rows.
json errors_to_json(const Metrics& metrics) {
  json value = json::object();
  for (std::size_t i = 0; i < load::kErrorKindCount; ++i) {
    value[std::string(load::to_string(error_kind_at(i)))] = metrics.errors()[i];
  }
  return value;
}

json replies_to_json(const Metrics& metrics) {
  json value = json::array();
  for (const auto& [key, count] : metrics.replies()) {
    json entry{{"phase", load::to_string(key.phase)}, {"code", key.code}, {"count", count}};
    if (!key.enhanced.empty()) entry["enhanced"] = key.enhanced;
    value.push_back(std::move(entry));
  }
  return value;
}

// One entry per (phase, class) that recorded something, in phase order.
json latency_to_json(const Metrics& metrics) {
  json value = json::array();
  for (std::size_t p = 0; p < load::kMeasuredPhaseCount; ++p) {
    for (std::size_t c = 0; c < load::kReplyClassCount; ++c) {
      const Histogram* histogram = metrics.latency(phase_at(p), reply_class_at(c));
      if (histogram == nullptr || histogram->count() == 0) continue;
      json entry = summarised_histogram_to_json(*histogram);
      entry["phase"] = load::to_string(phase_at(p));
      entry["class"] = class_name(reply_class_at(c));
      value.push_back(std::move(entry));
    }
  }
  return value;
}

// Every class of a phase merged: what a summary table shows first.
json phases_to_json(const Metrics& metrics) {
  json value = json::array();
  for (std::size_t p = 0; p < load::kMeasuredPhaseCount; ++p) {
    const Histogram merged = metrics.latency(phase_at(p));
    if (merged.count() == 0) continue;
    json entry = summary_to_json(merged);
    entry["phase"] = load::to_string(phase_at(p));
    value.push_back(std::move(entry));
  }
  return value;
}

json custom_to_json(const Metrics& metrics) {
  json value = json::object();
  for (const auto& [name, total] : metrics.custom()) value[name] = total;
  return value;
}

// The parts a worker and the whole run share (read_metrics reads them back).
void put_metrics(json& object, const Metrics& metrics) {
  object["counters"] = counters_to_json(metrics.counters());
  object["errors"] = errors_to_json(metrics);
  object["replies"] = replies_to_json(metrics);
  object["latency"] = latency_to_json(metrics);
  object["custom"] = custom_to_json(metrics);
}

json settings_to_json(const load::RunSettings& settings) {
  json value{
      {"target", settings.target},
      {"scenario", settings.scenario},
      {"model", settings.model},
      {"connections", settings.connections},
      {"threads", settings.threads},
      {"tls", settings.tls},
      {"auth", settings.auth},
      {"pipelining", settings.pipelining},
      {"chunking", settings.chunking},
      {"size", settings.size},
      {"recipients", settings.recipients},
      {"seed", settings.seed},
  };
  if (!settings.arrivals.empty()) value["arrivals"] = settings.arrivals;
  if (settings.duration_seconds) value["duration_seconds"] = *settings.duration_seconds;
  if (settings.messages) value["messages"] = *settings.messages;
  if (settings.shard_count > 0) {
    value["shard"] = {{"index", settings.shard_index}, {"count", settings.shard_count}};
  }
  if (settings.merged_runs > 0) value["merged_runs"] = settings.merged_runs;
  return value;
}

json worker_to_json(const load::WorkerResult& worker) {
  json value{{"index", worker.index}, {"cpu_seconds", worker.cpu_seconds}};
  put_metrics(value, worker.metrics);
  return value;
}

json sample_to_json(const load::SecondSample& sample) {
  json value{{"second", sample.second}, {"target_rate", sample.target_rate}};
  for (const auto& [name, field] : kSampleCounts) value[std::string(name)] = sample.*field;
  return value;
}

json generator_to_json(const load::GeneratorHealth& generator) {
  return json{
      {"cpu_seconds", generator.cpu_seconds},
      {"busiest_worker_cpu", generator.busiest_worker_cpu},
      {"loop_lag", summarised_histogram_to_json(generator.loop_lag)},
      {"bound", generator.bound},
      {"reasons", generator.reasons},
  };
}

json threshold_to_json(const load::ThresholdVerdict& verdict) {
  const load::Threshold& threshold = verdict.threshold;
  json value{
      {"text", threshold.text},
      {"metric", name_of(kThresholdMetrics, threshold.metric)},
      {"phase", threshold.delivery_latency != load::DeliveryLatency::none
                    ? load::to_string(threshold.delivery_latency)
                    : load::to_string(threshold.phase)},
      {"op", name_of(kThresholdOps, threshold.op)},
      {"limit", threshold.value},
      {"share", threshold.share},
      {"observed", verdict.observed},
      {"passed", verdict.passed},
      {"detail", verdict.detail},
  };
  if (threshold.metric == load::Threshold::Metric::percentile) {
    value["percentile"] = threshold.percentile;
  }
  return value;
}

template <typename T, typename WriteOne>
json list_to_json(const std::vector<T>& list, WriteOne write_one) {
  json value = json::array();
  for (const auto& item : list) value.push_back(write_one(item));
  return value;
}

json load_to_json(const load::RunResult& result) {
  json value{
      {"settings", settings_to_json(result.settings)},
      {"elapsed_seconds", result.elapsed_seconds},
      {"interrupted", result.interrupted},
      {"stop_reason", result.stop_reason},
      {"achieved_rate", result.achieved_rate},
      {"phases", phases_to_json(result.metrics)},
      {"workers", list_to_json(result.workers, worker_to_json)},
      {"series", list_to_json(result.series, sample_to_json)},
      {"generator", generator_to_json(result.generator)},
      {"thresholds", list_to_json(result.thresholds, threshold_to_json)},
      {"error_samples", result.error_samples},
  };
  if (result.settings.target_rate) value["target_rate"] = *result.settings.target_rate;
  if (result.delivery) value["delivery"] = delivery_to_json(*result.delivery);
  put_metrics(value, result.metrics);
  return value;
}

}  // namespace
}  // namespace detail

nlohmann::json to_json(const load::RunResult& result) {
  return detail::envelope_to_json("load", result.started_at, detail::load_to_json(result));
}

}  // namespace smtp::reports
