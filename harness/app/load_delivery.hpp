#pragma once
// The delivery side of `smtp-harness load --sink` (README, "Load-testing a
// relay"): the run's ledger and sink, and the drain after the load, when the
// run waits for what the relay still owes the sink before it judges.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "app/delivery_sink.hpp"
#include "load/delivery_ledger.hpp"
#include "load/result.hpp"
#include "load/threshold.hpp"

namespace smtp::app {

struct SinkFlags {
  std::optional<std::string> sink;     // HOST:PORT
  std::optional<std::string> drain;    // a duration; default kDefaultDrain
  std::optional<std::string> profile;  // a fake-smtpd profile for the sink
  std::optional<std::string> name;     // the sink's greeting name
  bool given() const { return sink.has_value(); }
};

inline constexpr std::chrono::seconds kDefaultDrain{30};
// How long the sink still listens once every pair has arrived, for
// duplicates in flight behind the last copy (within the drain).
inline constexpr std::chrono::seconds kDuplicateGrace{1};

class DeliveryRun {
 public:
  // Checks the flags (UsageError naming the flag), loads the profile
  // (script::ScriptError) and starts the sink (std::runtime_error naming
  // the address).
  explicit DeliveryRun(const SinkFlags& flags);

  load::DeliveryLedger& ledger() { return *ledger_; }
  std::string where() const { return sink_->where(); }

  // After the load: waits up to the drain for every accepted pair to
  // arrive or bounce, showing what is missing; `interrupted` (SIGINT) ends
  // the wait; `each_second`, when set, is called once a second while it
  // waits (load --metrics publishes the ledger's figures). Then stops the
  // sink and fills in result.delivery.
  void finish(load::RunResult& result, const std::atomic<bool>& interrupted, bool quiet,
              const std::function<void()>& each_second = {});

 private:
  std::chrono::nanoseconds drain_;
  std::string profile_;
  std::unique_ptr<load::DeliveryLedger> ledger_;
  std::unique_ptr<DeliverySink> sink_;
};

// A run with --sink fails when a pair is lost, duplicated or corrupted: for
// each of the three the user set no threshold on, `lost<=0` (and so on) is
// added to config.thresholds, so that it is judged, shown and merged as any
// threshold is.
void add_implied_thresholds(std::vector<load::Threshold>& thresholds);

// The thresholds judged again once the drain has filled result.delivery.
void judge_after_drain(load::RunResult& result, const std::vector<load::Threshold>& thresholds);

// Why nothing arrived, when nothing did: what to check on the relay. Empty
// when something arrived, nothing was accepted, or SIGINT cut the drain.
std::string unrouted_hint(const load::DeliveryResult& delivery,
                          const std::string& recipient_domain);

}  // namespace smtp::app
