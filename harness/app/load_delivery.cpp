#include "app/load_delivery.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "app/load_options.hpp"
#include "app/run_id.hpp"
#include "common/duration.hpp"
#include "common/host_port.hpp"
#include "load/format.hpp"

namespace smtp::app {
namespace {

using Clock = load::DeliveryLedger::Clock;

common::HostPort sink_address(const std::string& text) {
  auto parsed = common::parse_host_port(text);
  if (!parsed) {
    throw UsageError(
        "--sink: expected HOST:PORT to listen on (e.g. 127.0.0.1:2526, port 0 for any "
        "free port), got '" +
        text + "'");
  }
  return *parsed;
}

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

DeliveryRun::DeliveryRun(const SinkFlags& flags) : drain_(kDefaultDrain) {
  if (flags.drain) {
    auto parsed = common::parse_duration(*flags.drain);
    if (!parsed) {
      throw UsageError("--drain: invalid duration '" + *flags.drain + "' (examples: 30s, 2m)");
    }
    drain_ = *parsed;
  }
  SinkOptions options;
  options.listen = sink_address(*flags.sink);
  options.name = flags.name.value_or("");
  options.profile = flags.profile.value_or("");
  profile_ = options.profile;
  ledger_ = std::make_unique<load::DeliveryLedger>(new_run_id(), Clock::now());
  sink_ = std::make_unique<DeliverySink>(options, *ledger_);
}

void DeliveryRun::finish(load::RunResult& result, const std::atomic<bool>& interrupted, bool quiet,
                         const std::function<void()>& each_second) {
  const auto started = Clock::now();
  const auto deadline = started + drain_;
  const bool live = !quiet && isatty(STDERR_FILENO) == 1 && std::getenv("CI") == nullptr;
  auto shown = started;
  auto published = started;
  bool drawn = false;
  if (!quiet && ledger_->outstanding() > 0 && !interrupted.load()) {
    // Said at once, also in a log: the load is over, the run now waits.
    std::fprintf(stderr, "drain: waiting up to %s for %llu of %llu accepted pairs%s",
                 load::format_duration(static_cast<double>(drain_.count())).c_str(),
                 static_cast<unsigned long long>(ledger_->outstanding()),
                 static_cast<unsigned long long>(ledger_->accepted()), live ? "" : "\n");
    drawn = live;
  }
  // Bounded by the drain's deadline; a poll every 20 ms costs nothing and
  // answers as soon as the last pair arrives.
  while (ledger_->outstanding() > 0 && Clock::now() < deadline && !interrupted.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const auto now = Clock::now();
    if (each_second && now - published >= std::chrono::seconds(1)) {
      published = now;
      each_second();
    }
    const auto every = live ? std::chrono::milliseconds(250) : std::chrono::milliseconds(5000);
    if (!quiet && now - shown >= every) {
      shown = now;
      const auto line = "drain: " + std::to_string(ledger_->outstanding()) + " of " +
                        std::to_string(ledger_->accepted()) +
                        " accepted pairs not yet at the sink, " +
                        std::to_string(static_cast<long>(seconds(deadline - now))) + " s left";
      if (live) {
        std::fprintf(stderr, "\r\033[K%s", line.c_str());
        drawn = true;
      } else {
        std::fprintf(stderr, "%s\n", line.c_str());
      }
    }
  }
  if (drawn) std::fprintf(stderr, "\n");
  const bool cut_short = interrupted.load() && ledger_->outstanding() > 0;
  const auto drained = Clock::now() - started;
  // Everything arrived: a duplicate may still be on its way right behind
  // the last copy. The sink listens a little longer (within the drain).
  const auto grace_end = std::min(deadline, Clock::now() + kDuplicateGrace);
  while (ledger_->outstanding() == 0 && !interrupted.load() && Clock::now() < grace_end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  sink_->stop();
  auto delivery = ledger_->result();
  delivery.sink = sink_->where();
  delivery.profile = profile_;
  delivery.drain_limit_seconds = seconds(drain_);
  delivery.drain_seconds = seconds(drained);
  delivery.drain_interrupted = cut_short;
  result.delivery = std::move(delivery);
}

void add_implied_thresholds(std::vector<load::Threshold>& thresholds) {
  for (const char* text : {"lost<=0", "duplicated<=0", "corrupted<=0"}) {
    std::string error;
    auto implied = load::parse_threshold(text, error);
    if (!implied) continue;  // cannot happen: the texts are valid
    const bool given = std::any_of(thresholds.begin(), thresholds.end(),
                                   [&](const auto& t) { return t.metric == implied->metric; });
    if (!given) thresholds.push_back(std::move(*implied));
  }
}

void judge_after_drain(load::RunResult& result, const std::vector<load::Threshold>& thresholds) {
  result.thresholds.clear();
  for (const auto& threshold : thresholds) {
    result.thresholds.push_back(
        load::evaluate(threshold, result.metrics, result.start_window_seconds, result.delivery));
  }
}

std::string unrouted_hint(const load::DeliveryResult& delivery,
                          const std::string& recipient_domain) {
  const auto& c = delivery.counts;
  // Only when the sink saw no message at all (arrivals that match nothing,
  // a sender the relay rewrote, are no routing problem). Interrupted, the
  // drain proved nothing about the routing.
  if (c.accepted == 0 || delivery.relay.messages > 0 || delivery.drain_interrupted) return {};
  const std::string domain = recipient_domain.empty() ? "the recipients' domain" : recipient_domain;
  return "sink " + delivery.sink + ": none of the " + std::to_string(c.accepted_messages) +
         " accepted messages arrived within the drain (" +
         load::format_duration(delivery.drain_limit_seconds * 1e9) +
         "); check that the relay routes " + domain + " to " + delivery.sink +
         " (Postfix: relayhost or transport_maps; route the sender's domain there too, for "
         "bounces), that it may relay for this client, and that its queue is running (Postfix: "
         "postqueue -p)";
}

}  // namespace smtp::app
