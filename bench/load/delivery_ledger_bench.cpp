// What a run with --sink adds per message besides the sink's SMTP session
// (bench/sink-throughput.sh measures the whole): the client stamps the
// message (token, VERP sender, body digest) and fingerprints it, records the
// submission; the sink fingerprints the arrival and the ledger matches it.
// The message is load's own 1024-octet one (MessageBuilder). No speed is
// asserted here.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "load/config.hpp"
#include "load/delivery_ledger.hpp"
#include "load/delivery_token.hpp"
#include "load/message_builder.hpp"

namespace {

using smtp::load::DeliveryLedger;
using Clock = DeliveryLedger::Clock;

constexpr std::string_view kRun = "0a1b2c3d";

struct Stamped {
  std::string sender;
  std::vector<std::string> to;
  std::string content;
};

// What Conversation::stamp does to a built message.
Stamped stamped(const smtp::load::MessageBuilder& builder, std::uint64_t seq) {
  auto message = builder.build(seq);
  const auto token = smtp::load::delivery_token(kRun, seq);
  smtp::load::stamp_message(message.content, token);
  return {smtp::load::verp_sender(message.from, token), std::move(message.to),
          std::move(message.content)};
}

// The client's side alone: build and stamp (for comparison: the build is
// done without --sink too).
void BM_Delivery_BuildOnly(benchmark::State& state) {
  const smtp::load::MessageBuilder builder(smtp::load::MessageDefaults{});
  std::uint64_t seq = 0;
  for (auto _ : state) benchmark::DoNotOptimize(builder.build(++seq));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_Delivery_BuildOnly);

// One delivered message, everything the ledger does for it: stamp and
// fingerprint (client), submitted, arrived (sink). `early` (range 1): the
// arrival first, as with the sink as its own relay, where the message
// arrives before the client reads its 250.
void BM_Delivery_PerMessage(benchmark::State& state) {
  const bool early = state.range(0) == 1;
  const smtp::load::MessageBuilder builder(smtp::load::MessageDefaults{});
  const auto t0 = Clock::now();
  DeliveryLedger ledger{std::string(kRun), t0};
  std::uint64_t seq = 0;
  for (auto _ : state) {
    ++seq;
    auto m = stamped(builder, seq);
    auto print = ledger.fingerprint(m.content);
    const auto at = t0 + std::chrono::microseconds(seq);
    if (early) ledger.arrived(m.sender, m.to, m.content, at);
    ledger.submitted(seq, m.to, std::move(print), at, at);
    if (!early) ledger.arrived(m.sender, m.to, m.content, at);
  }
  if (ledger.delivered() != seq || ledger.outstanding() != 0) state.SkipWithError("not delivered");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_Delivery_PerMessage)->Arg(0)->Arg(1)->ArgName("early");

}  // namespace
