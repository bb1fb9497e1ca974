#include "app/load_live_metrics.hpp"

#include <cstdio>

#include "app/load_options.hpp"
#include "app/run_id.hpp"
#include "common/duration.hpp"
#include "common/host_port.hpp"
#include "load/live_metrics.hpp"

namespace smtp::app {
namespace {

common::HostPort metrics_address(const std::string& text) {
  auto parsed = common::parse_host_port(text);
  if (!parsed)
    throw UsageError(
        "--metrics: expected ADDR:PORT to serve /metrics on (e.g. 127.0.0.1:9464, "
        "port 0 for any free port), got '" +
        text + "'");
  return *parsed;
}

}  // namespace

LiveMetrics::LiveMetrics(const MetricsFlags& flags, const load::LoadConfig& config,
                         const load::RunSettings& settings)
    : config_(config), linger_(kDefaultMetricsLinger) {
  const auto at = metrics_address(*flags.address);
  if (flags.linger) {
    auto parsed = common::parse_duration(*flags.linger);
    if (!parsed)
      throw UsageError("--metrics-linger: invalid duration '" + *flags.linger +
                       "' (examples: 15s, 1m, 0s)");
    linger_ = *parsed;
  }
  run_id_ = flags.run_id ? *flags.run_id : new_run_id();
  if (run_id_.empty()) throw UsageError("--run-id: must not be empty");
  shard_ = settings.shard_count > 0
               ? std::to_string(settings.shard_index) + "/" + std::to_string(settings.shard_count)
               : "1/1";
  endpoint_ = std::make_unique<MetricsEndpoint>(at);
  load::LiveMetricsInput input;
  input.shard = shard_;
  input.run_id = run_id_;
  endpoint_->publish(load::live_metrics_text(input));  // a scrape before the first second
}

void LiveMetrics::second(const load::SecondSample& sample, const load::Metrics& so_far,
                         const load::DeliveryLedger* ledger) {
  load::LiveMetricsInput input;
  input.shard = shard_;
  input.run_id = run_id_;
  input.so_far = &so_far;
  input.last_second = &sample;
  if (config_.model == load::Model::open) input.target_rate = sample.target_rate;
  std::optional<load::DeliveryResult> delivery;
  if (ledger != nullptr) delivery = ledger->result();
  if (delivery) input.delivery = &*delivery;
  endpoint_->publish(load::live_metrics_text(input));
}

void LiveMetrics::finish(const load::RunResult& result, const std::atomic<bool>& interrupted,
                         bool quiet) {
  load::LiveMetricsInput input;
  input.shard = shard_;
  input.run_id = run_id_;
  input.so_far = &result.metrics;
  load::SecondSample last;
  if (!result.series.empty()) last = result.series.back();
  last.cpu_seconds = result.generator.cpu_seconds;
  input.last_second = &last;
  if (config_.model == load::Model::open) input.target_rate = last.target_rate;
  if (result.delivery) input.delivery = &*result.delivery;
  input.finished = true;
  if (!quiet && linger_.count() > 0)
    std::fprintf(stderr,
                 "metrics: final counts at http://%s/metrics, waiting up to %.3g s for a scrape\n",
                 where().c_str(), std::chrono::duration<double>(linger_).count());
  endpoint_->linger(load::live_metrics_text(input), linger_, interrupted);
}

}  // namespace smtp::app
