#pragma once
// Runs a load test (ARCHITECTURE.md §2): resolves and probes the target, starts one
// worker per thread, merges their metrics once a second for the progress line
// and the time series, stops them at the duration, the message limit, the end
// of the rate profile or an interrupt, gives transactions in flight the drain
// timeout to finish, and returns the merged result.
#include <atomic>
#include <functional>
#include <stdexcept>
#include <string>

#include "load/config.hpp"
#include "load/result.hpp"
#include "script/value.hpp"

namespace smtp::load {

class DeliveryLedger;

// The target could not be resolved or did not accept a connection before the
// load started: "127.0.0.1:2: connect: Connection refused".
class TargetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct EngineCallbacks {
  // Once a second, on the caller's thread: that second's sample and every
  // second's metrics merged so far.
  std::function<void(const SecondSample&, const Metrics& so_far, double elapsed_seconds)> on_second;
  // Set (e.g. by a SIGINT handler) to stop the run gracefully.
  const std::atomic<bool>* interrupted = nullptr;
  // With --sink: every message is stamped with a token of the ledger's run
  // and every accepted one recorded in it (delivery_ledger.hpp).
  DeliveryLedger* ledger = nullptr;
};

// `scenario` and `shared`: the scenario file whose hooks each worker runs,
// and init()'s data; null for a run without hooks. Throws TargetError,
// script::ScriptError (a worker's copy of the scenario failed to load) or
// net::TlsSetupError, all before the load starts.
RunResult run_load(const LoadConfig& config, RunSettings settings, const std::string* scenario,
                   const script::Value* shared, const EngineCallbacks& callbacks);

}  // namespace smtp::load
