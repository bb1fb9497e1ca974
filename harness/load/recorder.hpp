#pragma once
// A worker's measurements. Events go into the current second's interval,
// which the worker hands to the engine once a second (ARCHITECTURE.md §2,
// load step 5: merged for the progress line and the time series) after
// folding it into the run's total; recording each event once keeps the hot
// path short.
// Single-threaded: only the worker's thread records.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "load/metrics.hpp"
#include "proto/reply.hpp"

namespace smtp::load {

class Recorder {
 public:
  static constexpr std::size_t kMaxErrorSamples = 8;

  void latency(MeasuredPhase phase, int reply_class, std::chrono::nanoseconds elapsed);
  void reply(MeasuredPhase phase, const proto::Reply& reply);
  // Counts the error; the first few distinct `what`s are kept as samples.
  void error(ErrorKind kind, std::string_view what);
  void count(std::uint64_t Counters::*field, std::uint64_t n = 1);
  void custom(const std::string& name, double value);

  // The run so far, up to the last take_interval() or fold().
  const Metrics& total() const { return total_; }
  // Folds the interval into the total and returns a copy of it; the
  // interval starts again (keeping its histograms' memory).
  Metrics take_interval();
  // Folds the interval into the total without a sample (the run's end).
  void fold();
  const std::vector<std::string>& error_samples() const { return error_samples_; }

 private:
  Metrics total_;
  Metrics interval_;
  std::vector<std::string> error_samples_;
};

}  // namespace smtp::load
