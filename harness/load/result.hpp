#pragma once
// The outcome of a load run: what was asked, what was measured, and how the
// generator itself fared. reports/ turns it into the versioned JSON result
// (reports/schema/) that every renderer reads. Standard library only.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "load/delivery.hpp"
#include "load/histogram.hpp"
#include "load/metrics.hpp"
#include "load/threshold.hpp"

namespace smtp::load {

// One second of the run (the interval [second, second + 1) from the start).
struct SecondSample {
  std::uint32_t second = 0;
  std::uint64_t started = 0;
  std::uint64_t delivered = 0;
  std::uint64_t refused_4xx = 0;
  std::uint64_t refused_5xx = 0;
  std::uint64_t failed = 0;
  std::uint64_t errors = 0;  // all kinds
  std::uint64_t late_starts = 0;
  double target_rate = 0;         // open model: the schedule's rate at mid-second
  std::uint64_t p50_ns = 0;       // transaction response time of the transactions
  std::uint64_t p99_ns = 0;       // decided in this second; 0 when none
  std::uint64_t connections = 0;  // open at the end of the second
  // For `load --metrics` (not in the result file): the worst lag of any
  // worker's 100 ms tick in this second, and the process's CPU time (user +
  // system) from the start of the run to when the second was merged.
  std::uint64_t loop_lag_max_ns = 0;
  double cpu_seconds = 0;
};

// ARCHITECTURE.md §4: the generator watches itself. When it, not the target,
// was the limit, `bound` is set and `reasons` says why.
struct GeneratorHealth {
  double cpu_seconds = 0;         // user + system of the whole process
  double busiest_worker_cpu = 0;  // share of one core, 0..1, of the busiest worker
  Histogram loop_lag;             // how late each worker's 100 ms tick ran
  bool bound = false;
  std::vector<std::string> reasons;
};

struct WorkerResult {
  std::uint32_t index = 0;
  Metrics metrics;
  double cpu_seconds = 0;
};

struct RunSettings {
  std::string target;                 // HOST:PORT
  std::string scenario;               // path, or "" for flags only
  std::string model;                  // "closed" | "open"
  std::string arrivals;               // "constant" | "poisson" (open model)
  std::optional<double> target_rate;  // open model, the profile's peak rate
  std::size_t connections = 0;
  std::size_t threads = 0;
  std::optional<double> duration_seconds;
  std::optional<std::uint64_t> messages;
  std::string tls;    // "none" | "starttls" | "implicit"
  bool auth = false;  // never the credentials themselves
  bool pipelining = true;
  bool chunking = false;
  std::size_t size = 0;
  std::size_t recipients = 0;
  std::uint64_t seed = 0;
  // --shard I/N: this run is shard `index` (1-based) of `count`; its
  // connections, target_rate and messages are its share. Absent (0) for an
  // unsharded or a merged run.
  std::uint32_t shard_index = 0;
  std::uint32_t shard_count = 0;
  // A result of `smtp-harness merge`: how many results went into it; 0 for
  // a single run.
  std::uint32_t merged_runs = 0;
};

struct RunResult {
  RunSettings settings;
  std::chrono::system_clock::time_point started_at;
  double elapsed_seconds = 0;
  bool interrupted = false;  // SIGINT
  // "duration", "messages", "interrupted", "profile ended", "stalled" (no
  // transaction could start for 10 s while connections kept failing: a run
  // limited only by --messages against a target that refuses every session)
  // or "sessions ended".
  std::string stop_reason;
  double achieved_rate = 0;  // transactions started per second
  // The seconds transactions were allowed to start (achieved_rate's
  // window), for judging thresholds again after the delivery drain. Not in
  // the result file: a reader takes started / achieved_rate.
  double start_window_seconds = 0;
  Metrics metrics;  // every worker's, merged
  std::vector<WorkerResult> workers;
  std::vector<SecondSample> series;
  GeneratorHealth generator;
  std::vector<ThresholdVerdict> thresholds;
  // The first few distinct error messages with where they happened
  // ("127.0.0.1:2525: connect: Connection refused"), so a failed run explains
  // itself without a transcript.
  std::vector<std::string> error_samples;
  // With --sink: what came out of the relay (delivery.hpp).
  std::optional<DeliveryResult> delivery;
};

}  // namespace smtp::load
