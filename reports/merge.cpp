#include "reports/merge.hpp"

#include <algorithm>
#include <chrono>
#include <map>

namespace smtp::reports {
namespace {

constexpr std::size_t kMaxErrorSamples = 8;  // as the engine keeps for one run

using load::RunSettings;

// The settings that must be equal for a sum to mean anything.
template <typename T>
bool same(const std::vector<NamedResult>& inputs, T RunSettings::*field, const char* name,
          std::string& error) {
  const auto& first = inputs.front();
  for (const auto& other : inputs) {
    if (other.result.settings.*field != first.result.settings.*field) {
      error = std::string("settings.") + name + " differs: " + first.name + " and " + other.name +
              " are not parts of one load";
      return false;
    }
  }
  return true;
}

bool compatible(const std::vector<NamedResult>& inputs, std::string& error) {
  return same(inputs, &RunSettings::target, "target", error) &&
         same(inputs, &RunSettings::model, "model", error) &&
         same(inputs, &RunSettings::arrivals, "arrivals", error) &&
         same(inputs, &RunSettings::tls, "tls", error) &&
         same(inputs, &RunSettings::auth, "auth", error) &&
         same(inputs, &RunSettings::pipelining, "pipelining", error) &&
         same(inputs, &RunSettings::chunking, "chunking", error) &&
         same(inputs, &RunSettings::size, "size", error) &&
         same(inputs, &RunSettings::recipients, "recipients", error);
}

// Either every input ran with --sink or none did: a sum of deliveries that
// leaves out some inputs' would count their accepted pairs as never seen.
bool deliveries_alike(const std::vector<NamedResult>& inputs, std::string& error) {
  const auto& first = inputs.front();
  for (const auto& other : inputs) {
    if (other.result.delivery.has_value() != first.result.delivery.has_value()) {
      const auto& with = first.result.delivery ? first : other;
      const auto& without = first.result.delivery ? other : first;
      error = without.name + " has no delivery section (run without --sink), " + with.name +
              " has one: merge the runs with --sink, or those without, apart";
      return false;
    }
  }
  return true;
}

// Shards of one load: the same count, each index once.
bool shards_distinct(const std::vector<NamedResult>& inputs, std::string& error) {
  std::map<std::uint32_t, const std::string*> seen;
  for (const auto& input : inputs) {
    const auto& s = input.result.settings;
    if (s.shard_count == 0) continue;
    if (s.shard_count != inputs.front().result.settings.shard_count) {
      error = input.name + " is shard " + std::to_string(s.shard_index) + "/" +
              std::to_string(s.shard_count) + ", " + inputs.front().name + " of " +
              std::to_string(inputs.front().result.settings.shard_count) + " shards";
      return false;
    }
    auto [at, fresh] = seen.emplace(s.shard_index, &input.name);
    if (!fresh) {
      error = input.name + " and " + *at->second + " are both shard " +
              std::to_string(s.shard_index) + "/" + std::to_string(s.shard_count);
      return false;
    }
  }
  return true;
}

RunSettings merged_settings(const std::vector<NamedResult>& inputs) {
  RunSettings settings = inputs.front().result.settings;
  settings.connections = 0;
  settings.threads = 0;
  settings.target_rate.reset();
  settings.messages.reset();
  settings.duration_seconds.reset();
  settings.shard_index = 0;
  settings.shard_count = 0;
  settings.merged_runs = static_cast<std::uint32_t>(inputs.size());
  for (const auto& input : inputs) {
    const auto& s = input.result.settings;
    settings.connections += s.connections;
    settings.threads += s.threads;
    if (s.target_rate) settings.target_rate = settings.target_rate.value_or(0) + *s.target_rate;
    if (s.messages) settings.messages = settings.messages.value_or(0) + *s.messages;
    if (s.duration_seconds) {
      settings.duration_seconds =
          std::max(settings.duration_seconds.value_or(0), *s.duration_seconds);
    }
  }
  return settings;
}

void merge_series(std::vector<load::SecondSample>& into,
                  const std::vector<load::SecondSample>& from) {
  std::map<std::uint32_t, load::SecondSample*> by_second;
  for (auto& sample : into) by_second[sample.second] = &sample;
  for (const auto& sample : from) {
    auto found = by_second.find(sample.second);
    if (found == by_second.end()) {
      into.push_back(sample);
      continue;
    }
    auto& s = *found->second;
    s.started += sample.started;
    s.delivered += sample.delivered;
    s.refused_4xx += sample.refused_4xx;
    s.refused_5xx += sample.refused_5xx;
    s.failed += sample.failed;
    s.errors += sample.errors;
    s.late_starts += sample.late_starts;
    s.target_rate += sample.target_rate;
    s.p50_ns = std::max(s.p50_ns, sample.p50_ns);
    s.p99_ns = std::max(s.p99_ns, sample.p99_ns);
    s.connections += sample.connections;
  }
  std::sort(into.begin(), into.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
}

}  // namespace

std::optional<load::RunResult> merge_results(const std::vector<NamedResult>& inputs,
                                             std::string& error) {
  if (inputs.size() < 2) {
    error = "merge needs at least two results";
    return std::nullopt;
  }
  if (!compatible(inputs, error) || !shards_distinct(inputs, error) ||
      !deliveries_alike(inputs, error)) {
    return std::nullopt;
  }

  load::RunResult merged;
  merged.settings = merged_settings(inputs);
  const auto& first = inputs.front().result;
  merged.started_at = first.started_at;
  auto ended_at = first.started_at;
  std::vector<std::string> stop_reasons;
  double started = 0;
  for (const auto& input : inputs) {
    const auto& r = input.result;
    merged.started_at = std::min(merged.started_at, r.started_at);
    const auto end = r.started_at + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                        std::chrono::duration<double>(r.elapsed_seconds));
    ended_at = std::max(ended_at, end);
    merged.interrupted = merged.interrupted || r.interrupted;
    if (std::find(stop_reasons.begin(), stop_reasons.end(), r.stop_reason) == stop_reasons.end()) {
      stop_reasons.push_back(r.stop_reason);
    }
    merged.achieved_rate += r.achieved_rate;
    started += static_cast<double>(r.metrics.counters().transactions_started);
    merged.metrics.merge(r.metrics);
    for (const auto& worker : r.workers) {
      merged.workers.push_back(worker);
      merged.workers.back().index = static_cast<std::uint32_t>(merged.workers.size() - 1);
    }
    merge_series(merged.series, r.series);
    if (r.delivery) {
      if (!merged.delivery) merged.delivery.emplace();
      load::merge(*merged.delivery, *r.delivery);
    }

    auto& health = merged.generator;
    health.cpu_seconds += r.generator.cpu_seconds;
    health.busiest_worker_cpu = std::max(health.busiest_worker_cpu, r.generator.busiest_worker_cpu);
    health.loop_lag.merge(r.generator.loop_lag);
    health.bound = health.bound || r.generator.bound;
    for (const auto& reason : r.generator.reasons)
      health.reasons.push_back(input.name + ": " + reason);

    for (const auto& sample : r.error_samples) {
      if (merged.error_samples.size() < kMaxErrorSamples &&
          std::find(merged.error_samples.begin(), merged.error_samples.end(), sample) ==
              merged.error_samples.end()) {
        merged.error_samples.push_back(sample);
      }
    }
  }
  merged.elapsed_seconds = std::chrono::duration<double>(ended_at - merged.started_at).count();
  // One reason (the schema's enum): an input that was interrupted or
  // stalled says the most about the whole; otherwise the inputs agree, or
  // the first one's stands.
  merged.stop_reason = stop_reasons.front();
  for (const char* telling : {"stalled", "interrupted"}) {
    if (std::find(stop_reasons.begin(), stop_reasons.end(), telling) != stop_reasons.end()) {
      merged.stop_reason = telling;
    }
  }

  // Thresholds again, on the sum: the window is the one the summed rate
  // implies (each input's is its started / achieved_rate, and they overlap).
  const double window = merged.achieved_rate > 0 ? started / merged.achieved_rate : 0;
  std::vector<std::string> seen;
  for (const auto& input : inputs) {
    for (const auto& verdict : input.result.thresholds) {
      const auto& threshold = verdict.threshold;
      if (std::find(seen.begin(), seen.end(), threshold.text) != seen.end()) continue;
      seen.push_back(threshold.text);
      merged.thresholds.push_back(
          load::evaluate(threshold, merged.metrics, window, merged.delivery));
    }
  }
  return merged;
}

}  // namespace smtp::reports
