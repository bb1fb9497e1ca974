#pragma once
// `smtp-harness load --metrics ADDR:PORT` (README, "Prometheus metrics"):
// the flags, the endpoint, and the document published once a second from
// the engine's thread and once more, final, after the run (and the drain
// of --sink), when the endpoint lingers for a last scrape.
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "app/metrics_endpoint.hpp"
#include "load/config.hpp"
#include "load/delivery_ledger.hpp"
#include "load/result.hpp"

namespace smtp::app {

struct MetricsFlags {
  std::optional<std::string> address;  // --metrics ADDR:PORT
  std::optional<std::string> linger;   // --metrics-linger DURATION
  std::optional<std::string> run_id;   // --run-id ID
  bool given() const { return address.has_value(); }
};

inline constexpr std::chrono::seconds kDefaultMetricsLinger{15};

class LiveMetrics {
 public:
  // Checks the flags (UsageError naming the flag) and binds the endpoint
  // (std::runtime_error naming the address).
  LiveMetrics(const MetricsFlags& flags, const load::LoadConfig& config,
              const load::RunSettings& settings);

  std::string where() const { return endpoint_->where(); }
  const std::string& run_id() const { return run_id_; }

  // On the engine's thread, once a second (EngineCallbacks::on_second).
  void second(const load::SecondSample& sample, const load::Metrics& so_far,
              const load::DeliveryLedger* ledger);
  // During the drain of --sink, once a second: the run's totals as they
  // ended, and the ledger's figures as they grow.
  void draining(const load::RunResult& result, const load::DeliveryLedger& ledger);
  // After the run: the final document, then up to --metrics-linger for one
  // scrape of it (SIGINT ends the wait).
  void finish(const load::RunResult& result, const std::atomic<bool>& interrupted, bool quiet);

 private:
  std::string document(const load::Metrics& so_far, const load::SecondSample& last,
                       const load::DeliveryResult* delivery, bool finished) const;

  const load::LoadConfig& config_;
  std::string shard_;
  std::string run_id_;
  std::chrono::nanoseconds linger_;
  std::unique_ptr<MetricsEndpoint> endpoint_;
};

}  // namespace smtp::app
