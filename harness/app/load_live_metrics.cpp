#include "app/load_live_metrics.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "app/load_options.hpp"
#include "app/run_id.hpp"
#include "common/duration.hpp"
#include "common/host_port.hpp"
#include "load/live_metrics.hpp"
#include "proto/escape.hpp"

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
  // A label value Prometheus takes as it is, and a dashboard can type.
  const bool plain =
      !run_id_.empty() && run_id_.size() <= 64 &&
      std::all_of(run_id_.begin(), run_id_.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
      });
  if (!plain)
    throw UsageError("--run-id: 1 to 64 letters, digits, '.', '_' or '-', got '" +
                     proto::escape_bytes(run_id_, 80) + "'");
  shard_ = settings.shard_count > 0
               ? std::to_string(settings.shard_index) + "/" + std::to_string(settings.shard_count)
               : "1/1";
  endpoint_ = std::make_unique<MetricsEndpoint>(at);
  load::LiveMetricsInput input;
  input.shard = shard_;
  input.run_id = run_id_;
  endpoint_->publish(load::live_metrics_text(input));  // a scrape before the first second
}

std::string LiveMetrics::document(const load::Metrics& so_far, const load::SecondSample& last,
                                  const load::DeliveryResult* delivery, bool finished) const {
  load::LiveMetricsInput input;
  input.shard = shard_;
  input.run_id = run_id_;
  input.so_far = &so_far;
  input.last_second = &last;
  if (config_.model == load::Model::open) input.target_rate = last.target_rate;
  input.delivery = delivery;
  input.finished = finished;
  return load::live_metrics_text(input);
}

void LiveMetrics::second(const load::SecondSample& sample, const load::Metrics& so_far,
                         const load::DeliveryLedger* ledger) {
  std::optional<load::DeliveryResult> delivery;
  if (ledger != nullptr) delivery = ledger->result();
  endpoint_->publish(document(so_far, sample, delivery ? &*delivery : nullptr, false));
}

namespace {

// The last second of a run that has ended, with the CPU of the whole run.
load::SecondSample last_second(const load::RunResult& result) {
  load::SecondSample last;
  if (!result.series.empty()) last = result.series.back();
  last.cpu_seconds = result.generator.cpu_seconds;
  return last;
}

}  // namespace

void LiveMetrics::draining(const load::RunResult& result, const load::DeliveryLedger& ledger) {
  const auto delivery = ledger.result();
  endpoint_->publish(document(result.metrics, last_second(result), &delivery, false));
}

void LiveMetrics::finish(const load::RunResult& result, const std::atomic<bool>& interrupted,
                         bool quiet) {
  if (!quiet && linger_.count() > 0)
    std::fprintf(stderr,
                 "metrics: final counts at http://%s/metrics, waiting up to %.3g s for a scrape\n",
                 where().c_str(), std::chrono::duration<double>(linger_).count());
  const auto final_text = document(result.metrics, last_second(result),
                                   result.delivery ? &*result.delivery : nullptr, true);
  endpoint_->linger(final_text, linger_, interrupted);
}

}  // namespace smtp::app
