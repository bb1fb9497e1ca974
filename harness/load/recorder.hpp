#pragma once
// A worker's measurements: everything goes into the run's total and into the
// current second's interval, which the worker hands to the engine once a
// second (DESIGN.md §2 step 5: merged for the progress line and the time
// series). Single-threaded: only the worker's thread records.
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

  const Metrics& total() const { return total_; }
  Metrics take_interval();
  const std::vector<std::string>& error_samples() const { return error_samples_; }

 private:
  Metrics total_;
  Metrics interval_;
  std::vector<std::string> error_samples_;
};

}  // namespace smtp::load
