#pragma once
// When transactions should start in the open model (ARCHITECTURE.md §4): a target
// rate, constant or Poisson arrivals, and stages that ramp the rate linearly.
// The schedule yields intended start times; the engine counts every latency
// from them, so a slow server cannot slow the clock down (coordinated
// omission, as wrk2 avoids it).
//
// The rate r(t) is piecewise linear: stage i ramps from the rate at the end of
// stage i-1 (start_rate for the first) to its own target over its duration.
// With Λ(t) = ∫₀ᵗ r, the k-th arrival of a constant schedule is at
// Λ(t) = k + offset; a Poisson schedule draws unit-mean exponential gaps in
// Λ (time rescaling of a non-homogeneous Poisson process), so its arrivals
// follow the ramp too.
//
// Sharding across W workers: each worker gets rate × share. For constant
// arrivals, worker i of W uses offset i/W, so that the merged stream is evenly
// spaced again; Poisson streams split into Poisson streams by themselves.
// Standard library only, deterministic for a given seed.
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

namespace smtp::load {

enum class Arrivals : std::uint8_t { constant, poisson };

struct Stage {
  std::chrono::nanoseconds duration{0};  // > 0
  double target_rate = 0;                // per second, >= 0, at the end of the stage
};

struct RateProfile {
  double start_rate = 0;  // per second, at t = 0
  std::vector<Stage> stages;

  // A constant rate for `duration`: one stage from `rate` to `rate`.
  static RateProfile constant(double rate, std::chrono::nanoseconds duration);
  std::chrono::nanoseconds total_duration() const;
  double rate_at(std::chrono::nanoseconds t) const;  // 0 after the last stage
  // Λ(t): the expected number of arrivals in [0, t].
  double expected_arrivals(std::chrono::nanoseconds t) const;
};

class ArrivalSchedule {
 public:
  // share in (0, 1]: this worker's fraction of the rate; offset in [0, 1): its
  // phase for constant arrivals (i / W).
  ArrivalSchedule(RateProfile profile, Arrivals arrivals, double share, double offset,
                  std::uint64_t seed);

  // The next intended start, as an offset from the run's start; nullopt once
  // the profile has ended (the next arrival would fall after its last stage).
  // Strictly increasing for constant arrivals, non-decreasing for Poisson.
  std::optional<std::chrono::nanoseconds> next();

 private:
  // The t with Λ(t) * share = target, or nullopt past the end.
  std::optional<std::chrono::nanoseconds> time_of(double target) const;

  RateProfile profile_;
  Arrivals arrivals_;
  double share_;
  double position_;  // in units of Λ * share: arrivals so far (+ offset)
  std::mt19937_64 random_;
  std::exponential_distribution<double> gap_{1.0};
};

}  // namespace smtp::load
