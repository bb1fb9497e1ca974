#pragma once
// What `smtp-harness load --metrics` serves (README, "Prometheus metrics"):
// the run so far in the Prometheus text format 0.0.4, made on the engine's
// thread once a second from the merged per-second data (never from the
// workers' own recorders). Every series carries the constant labels
// `shard` and `run_id`. Standard library only.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "load/delivery.hpp"
#include "load/metrics.hpp"
#include "load/result.hpp"

namespace smtp::load {

struct LiveMetricsInput {
  std::string shard;   // "I/N", or "1/1" for an unsharded run
  std::string run_id;  // --run-id, or eight random hex digits
  const Metrics* so_far = nullptr;
  // The last complete second (rates, loop lag, CPU); null before the first.
  const SecondSample* last_second = nullptr;
  std::optional<double> target_rate;  // open model: this shard's rate now
  // With --sink: the ledger's figures so far (delivery_ledger.hpp).
  const DeliveryResult* delivery = nullptr;
  bool finished = false;  // the run has ended: these are the final counts
};

std::string live_metrics_text(const LiveMetricsInput& input);

}  // namespace smtp::load
