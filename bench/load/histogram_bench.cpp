// The latency histogram on the hot path: every phase of every transaction
// records into one (ARCHITECTURE.md §4), and the live progress line asks for
// quantiles once a second. No speed is asserted here.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "load/histogram.hpp"

namespace {

using smtp::load::Histogram;

// Latencies from 10 µs to 10 s, spread over many buckets so that the
// counters' cache behaviour is not flattered by one hot bucket.
std::vector<std::uint64_t> sample_latencies() {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(14.0, 2.0);  // median ~1.2 ms
  std::vector<std::uint64_t> values(4096);
  for (auto& v : values) {
    v = std::clamp<std::uint64_t>(static_cast<std::uint64_t>(dist(rng)), 10'000, 10'000'000'000);
  }
  return values;
}

void BM_Histogram_Record(benchmark::State& state) {
  const auto values = sample_latencies();
  Histogram h;
  std::size_t i = 0;
  for (auto _ : state) {
    h.record(values[i]);
    i = (i + 1) % values.size();
  }
  benchmark::DoNotOptimize(h.count());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_Histogram_Record);

void BM_Histogram_Quantile(benchmark::State& state) {
  Histogram h;
  for (auto v : sample_latencies()) h.record(v);
  for (auto _ : state) {
    benchmark::DoNotOptimize(h.quantile(0.99));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_Histogram_Quantile);

void BM_Histogram_Merge(benchmark::State& state) {
  Histogram shard;
  for (auto v : sample_latencies()) shard.record(v);
  Histogram total;
  for (auto _ : state) {
    total.merge(shard);
  }
  benchmark::DoNotOptimize(total.count());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_Histogram_Merge);

}  // namespace
