// DATA transparency throughput on a realistic 1 MiB body: 78-character lines
// with CRLF, every 16th line starting with "." (quoted text, signatures), so
// both directions meet their slow path now and then. Target: ≥ 1 GB/s each way
// (bench/README.md), discarding no slower than keeping.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "proto/dot_stuffer.hpp"
#include "proto/dot_unstuffer.hpp"

namespace {

using smtp::proto::DotStuffer;
using smtp::proto::DotUnstuffer;

const std::string& body_1mib() {
  static const std::string body = [] {
    std::string b;
    b.reserve((1u << 20) + 128);
    const std::string text =
        "The quick brown fox jumps over the lazy dog while the mail queue drains. 0123";
    for (std::size_t line = 0; b.size() < (1u << 20); ++line) {
      b += line % 16 == 0 ? "." : "x";
      b += text.substr(0, 77);
      b += "\r\n";
    }
    return b;
  }();
  return body;
}

const std::string& wire_1mib() {
  static const std::string wire = smtp::proto::dot_stuff(body_1mib());
  return wire;
}

void BM_DotStuff_1MiB(benchmark::State& state) {
  const std::string& body = body_1mib();
  std::string out;
  out.reserve(body.size() * 2);
  for (auto _ : state) {
    out.clear();
    DotStuffer stuffer;
    stuffer.feed(body, out);
    stuffer.finish(out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_DotStuff_1MiB);

void BM_DotUnstuff_1MiB(benchmark::State& state) {
  const std::string& wire = wire_1mib();
  std::string out;
  out.reserve(wire.size());
  for (auto _ : state) {
    out.clear();
    DotUnstuffer unstuffer;
    auto progress = unstuffer.feed(wire, &out);
    benchmark::DoNotOptimize(progress);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
}
BENCHMARK(BM_DotUnstuff_1MiB);

// Draining after a rejection: same scan, nothing kept.
void BM_DotUnstuffDiscard_1MiB(benchmark::State& state) {
  const std::string& wire = wire_1mib();
  for (auto _ : state) {
    DotUnstuffer unstuffer;
    auto progress = unstuffer.feed(wire, nullptr);
    benchmark::DoNotOptimize(progress);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
}
BENCHMARK(BM_DotUnstuffDiscard_1MiB);

}  // namespace
