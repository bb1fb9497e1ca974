#include "reports/result_json.hpp"

#include <array>
#include <set>
#include <utility>

#include "proto/reply.hpp"
#include "reports/result_envelope.hpp"
#include "reports/result_json_internal.hpp"

// Reads what load_result_write.cpp writes. The reader refuses whatever
// reports/schema/result.schema.json refuses (unknown fields included), and
// also what only the code can check: histograms that do not add up
// (Histogram::from_sparse), summaries that disagree with their histogram,
// duplicate entries. Errors name the place like a path:
// "load.latency[3].histogram: buckets out of order (...)".

namespace smtp::reports {
namespace detail {
namespace {

using load::Histogram;
using load::MeasuredPhase;
using load::Metrics;
using nlohmann::json;

constexpr std::array<std::string_view, 2> kModels{"closed", "open"};
constexpr std::array<std::string_view, 2> kArrivals{"constant", "poisson"};
constexpr std::array<std::string_view, 3> kTlsModes{"none", "starttls", "implicit"};

MeasuredPhase read_phase(const json& value, const std::string& path) {
  const std::string text = read_string(value, path);
  const auto phase = load::measured_phase_from_string(text);
  if (!phase) fail(path, "unknown phase \"" + text + "\"");
  return *phase;
}

int read_class(const json& value, const std::string& path) {
  const std::string text = read_string(value, path);
  for (std::size_t c = 0; c < load::kReplyClassCount; ++c) {
    if (text == class_name(reply_class_at(c))) return reply_class_at(c);
  }
  fail(path, "unknown reply class \"" + text + "\" (expected 2xx, 3xx, 4xx or 5xx)");
}

load::Counters read_counters(const json& value, const std::string& path) {
  const Fields fields(value, path, names_of(kCounterFields));
  load::Counters counters;
  for (const auto& [name, field] : kCounterFields) counters.*field = fields.u64(name);
  return counters;
}

void read_errors(const json& value, const std::string& path, Metrics& metrics) {
  if (!value.is_object()) fail(path, "expected an object");
  std::array<bool, load::kErrorKindCount> seen{};
  for (const auto& [name, count] : value.items()) {
    const auto kind = load::error_kind_from_string(name);
    if (!kind) fail(path, "unknown error kind \"" + name + "\"");
    seen[static_cast<std::size_t>(*kind)] = true;
    metrics.count_error(*kind, read_u64(count, field_path(path, name)));
  }
  for (std::size_t kind = 0; kind < load::kErrorKindCount; ++kind) {
    if (!seen[kind]) {
      fail(path, "missing field \"" + std::string(load::to_string(error_kind_at(kind))) + "\"");
    }
  }
}

// The whole text is one RFC 3463 §2 status code, as the reply parser reads
// them: what the writer took from EnhancedCode::to_string().
bool is_enhanced_code(std::string_view text) {
  std::size_t length = 0;
  return proto::parse_enhanced_code(text, &length) && length == text.size();
}

void read_replies(const json& value, const std::string& path, Metrics& metrics) {
  const auto& entries = read_array(value, path);
  std::set<load::ReplyKey> seen;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Fields fields(entries[i], item_path(path, i), {"phase", "code", "count"}, {"enhanced"});
    load::ReplyKey key;
    key.phase = read_phase(fields["phase"], fields.path("phase"));
    // RFC 5321 §4.2: a reply code's first digit is 2 to 5.
    key.code = static_cast<int>(fields.unsigned_as<std::uint32_t>("code"));
    if (key.code < 200 || key.code > 599) fail(fields.path("code"), "not a reply code (200..599)");
    if (fields.has("enhanced")) {
      key.enhanced = fields.string("enhanced");
      if (!is_enhanced_code(key.enhanced)) {
        fail(fields.path("enhanced"), "\"" + key.enhanced + "\" is not an RFC 3463 status code");
      }
    }
    const std::uint64_t count = fields.u64("count");
    if (count == 0) fail(fields.path("count"), "zero (cells never seen are left out)");
    if (!seen.insert(key).second) fail(fields.path(), "duplicate phase, code and enhanced code");
    metrics.count_reply(key.phase, key.code, key.enhanced, count);
  }
}

void read_latency(const json& value, const std::string& path, Metrics& metrics) {
  const auto& entries = read_array(value, path);
  std::set<std::pair<MeasuredPhase, int>> seen;
  const Fields::Names names = with_summary({"phase", "class", "histogram"});
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Fields fields(entries[i], item_path(path, i), names);
    const MeasuredPhase phase = read_phase(fields["phase"], fields.path("phase"));
    const int reply_class = read_class(fields["class"], fields.path("class"));
    const Histogram histogram = read_histogram(fields["histogram"], fields.path("histogram"));
    if (histogram.count() == 0) {
      fail(fields.path("histogram"), "empty (cells with nothing recorded are left out)");
    }
    check_summary(fields, histogram);
    if (!seen.emplace(phase, reply_class).second) fail(fields.path(), "duplicate phase and class");
    metrics.merge_latency(phase, reply_class, histogram);
  }
}

void read_custom(const json& value, const std::string& path, Metrics& metrics) {
  if (!value.is_object()) fail(path, "expected an object");
  for (const auto& [name, total] : value.items()) {
    metrics.add_custom(name, read_number(total, field_path(path, name)));
  }
}

// The parts a worker and the whole run share (put_metrics).
Metrics read_metrics(const Fields& fields) {
  Metrics metrics;
  metrics.counters() = read_counters(fields["counters"], fields.path("counters"));
  read_errors(fields["errors"], fields.path("errors"), metrics);
  read_replies(fields["replies"], fields.path("replies"), metrics);
  read_latency(fields["latency"], fields.path("latency"), metrics);
  read_custom(fields["custom"], fields.path("custom"), metrics);
  return metrics;
}

// "phases" is derived from "latency" (every class of a phase merged), so it
// is checked, not read.
void check_phases(const json& value, const std::string& path, const Metrics& metrics) {
  const auto& entries = read_array(value, path);
  const Fields::Names names = with_summary({"phase"});
  std::set<MeasuredPhase> seen;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Fields fields(entries[i], item_path(path, i), names);
    const MeasuredPhase phase = read_phase(fields["phase"], fields.path("phase"));
    const Histogram merged = metrics.latency(phase);
    if (merged.count() == 0) fail(fields.path("phase"), "no latency entry for this phase");
    if (!seen.insert(phase).second) fail(fields.path(), "duplicate phase");
    check_summary(fields, merged);
  }
  std::size_t measured = 0;
  for (std::size_t p = 0; p < load::kMeasuredPhaseCount; ++p) {
    if (metrics.latency(phase_at(p)).count() > 0) ++measured;
  }
  if (entries.size() != measured) {
    fail(path, "lists " + std::to_string(entries.size()) + " phases, the latency entries have " +
                   std::to_string(measured));
  }
}

load::RunSettings read_settings(const json& value, const std::string& path) {
  const Fields fields(value, path,
                      {"target", "scenario", "model", "connections", "threads", "tls", "auth",
                       "pipelining", "chunking", "size", "recipients", "seed"},
                      {"arrivals", "duration_seconds", "messages", "shard", "merged_runs"});
  load::RunSettings settings;
  settings.target = fields.string("target");
  settings.scenario = fields.string("scenario");
  settings.model = read_enum(fields["model"], fields.path("model"), kModels);
  if (fields.has("arrivals")) {
    settings.arrivals = read_enum(fields["arrivals"], fields.path("arrivals"), kArrivals);
  }
  settings.connections = fields.unsigned_as<std::size_t>("connections");
  settings.threads = fields.unsigned_as<std::size_t>("threads");
  if (fields.has("duration_seconds")) {
    settings.duration_seconds = fields.non_negative("duration_seconds");
  }
  if (fields.has("messages")) settings.messages = fields.u64("messages");
  settings.tls = read_enum(fields["tls"], fields.path("tls"), kTlsModes);
  settings.auth = fields.flag("auth");
  settings.pipelining = fields.flag("pipelining");
  settings.chunking = fields.flag("chunking");
  settings.size = fields.unsigned_as<std::size_t>("size");
  settings.recipients = fields.unsigned_as<std::size_t>("recipients");
  settings.seed = fields.u64("seed");
  if (fields.has("shard")) {
    const Fields shard(fields["shard"], fields.path("shard"), {"index", "count"});
    settings.shard_index = shard.unsigned_as<std::uint32_t>("index");
    settings.shard_count = shard.unsigned_as<std::uint32_t>("count");
    if (settings.shard_index < 1 || settings.shard_index > settings.shard_count) {
      fail(fields.path("shard"), "index " + std::to_string(settings.shard_index) +
                                     " is not within 1.." + std::to_string(settings.shard_count));
    }
  }
  if (fields.has("merged_runs")) {
    settings.merged_runs = fields.unsigned_as<std::uint32_t>("merged_runs");
  }
  return settings;
}

load::WorkerResult read_worker(const json& value, const std::string& path) {
  const Fields fields(
      value, path, {"index", "cpu_seconds", "counters", "errors", "replies", "latency", "custom"});
  load::WorkerResult worker;
  worker.index = fields.unsigned_as<std::uint32_t>("index");
  worker.cpu_seconds = fields.non_negative("cpu_seconds");
  worker.metrics = read_metrics(fields);
  return worker;
}

load::SecondSample read_sample(const json& value, const std::string& path) {
  Fields::Names names{"second", "target_rate"};
  for (const auto name : names_of(kSampleCounts)) names.push_back(name);
  const Fields fields(value, path, names);
  load::SecondSample sample;
  sample.second = fields.unsigned_as<std::uint32_t>("second");
  sample.target_rate = fields.non_negative("target_rate");
  for (const auto& [name, field] : kSampleCounts) sample.*field = fields.u64(name);
  return sample;
}

load::GeneratorHealth read_generator(const json& value, const std::string& path) {
  const Fields fields(value, path,
                      {"cpu_seconds", "busiest_worker_cpu", "loop_lag", "bound", "reasons"});
  load::GeneratorHealth generator;
  generator.cpu_seconds = fields.non_negative("cpu_seconds");
  generator.busiest_worker_cpu = fields.non_negative("busiest_worker_cpu");
  generator.loop_lag = read_summarised_histogram(fields["loop_lag"], fields.path("loop_lag"));
  generator.bound = fields.flag("bound");
  generator.reasons =
      read_list<std::string>(fields["reasons"], fields.path("reasons"), read_string);
  return generator;
}

load::ThresholdVerdict read_threshold(const json& value, const std::string& path,
                                      std::uint64_t version) {
  const Fields fields(
      value, path,
      {"text", "metric", "phase", "op", "limit", "share", "observed", "passed", "detail"},
      {"percentile"});
  load::ThresholdVerdict verdict;
  load::Threshold& threshold = verdict.threshold;
  threshold.text = fields.string("text");
  threshold.metric = read_named(fields["metric"], fields.path("metric"), kThresholdMetrics);
  const bool is_percentile = threshold.metric == load::Threshold::Metric::percentile;
  if (is_percentile != fields.has("percentile")) {
    fail(path, is_percentile ? "missing field \"percentile\""
                             : "\"percentile\" is only for the percentile metric");
  }
  if (is_percentile) {
    threshold.percentile = fields.number("percentile");
    if (threshold.percentile < 0 || threshold.percentile > 100) {
      fail(fields.path("percentile"), "expected 0..100");
    }
  }
  // A latency metric reads a measured phase or, in version 2, a delivery
  // latency ("p99:delivery<5s").
  const std::string phase = read_string(fields["phase"], fields.path("phase"));
  if (const auto delivery = load::delivery_latency_from_string(phase); delivery && version >= 2) {
    threshold.delivery_latency = *delivery;
  } else {
    threshold.phase = read_phase(fields["phase"], fields.path("phase"));
  }
  threshold.op = read_named(fields["op"], fields.path("op"), kThresholdOps);
  threshold.value = fields.number("limit");
  threshold.share = fields.flag("share");
  verdict.observed = fields.number("observed");
  verdict.passed = fields.flag("passed");
  verdict.detail = fields.string("detail");
  return verdict;
}

load::RunResult read_load(const json& value, const std::string& path, std::uint64_t version) {
  // Version 1 files predate the delivery section.
  Fields::Names optional{"target_rate"};
  if (version >= 2) optional.push_back("delivery");
  const Fields fields(value, path,
                      {"settings", "elapsed_seconds", "interrupted", "stop_reason", "achieved_rate",
                       "counters", "errors", "replies", "latency", "phases", "custom", "workers",
                       "series", "generator", "thresholds", "error_samples"},
                      optional);
  load::RunResult result;
  result.settings = read_settings(fields["settings"], fields.path("settings"));
  if (fields.has("target_rate")) result.settings.target_rate = fields.non_negative("target_rate");
  result.elapsed_seconds = fields.non_negative("elapsed_seconds");
  result.interrupted = fields.flag("interrupted");
  result.stop_reason = fields.string("stop_reason");
  result.achieved_rate = fields.non_negative("achieved_rate");
  result.metrics = read_metrics(fields);
  check_phases(fields["phases"], fields.path("phases"), result.metrics);
  result.workers =
      read_list<load::WorkerResult>(fields["workers"], fields.path("workers"), read_worker);
  result.series =
      read_list<load::SecondSample>(fields["series"], fields.path("series"), read_sample);
  result.generator = read_generator(fields["generator"], fields.path("generator"));
  result.thresholds = read_list<load::ThresholdVerdict>(
      fields["thresholds"], fields.path("thresholds"),
      [&](const json& item, const std::string& at) { return read_threshold(item, at, version); });
  result.error_samples =
      read_list<std::string>(fields["error_samples"], fields.path("error_samples"), read_string);
  if (fields.has("delivery")) {
    result.delivery = read_delivery(fields["delivery"], fields.path("delivery"));
  }
  return result;
}

// The envelope (schema, version, kind, tool, started_at), then the load part.
load::RunResult read_document(const json& document) {
  const Envelope envelope = read_envelope(document, "load");
  load::RunResult result = read_load(*envelope.part, "load", envelope.version);
  result.started_at = envelope.started_at;
  return result;
}

}  // namespace
}  // namespace detail

std::optional<load::RunResult> load_result_from_json(const nlohmann::json& document,
                                                     std::string& error) {
  return detail::catch_read_error(error, [&] { return detail::read_document(document); });
}

}  // namespace smtp::reports
