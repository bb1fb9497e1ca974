#pragma once
// What a load run with --sink saw come out of the relay it loaded (README,
// "Load-testing a relay"): every accepted message matched to its arrivals at
// the sink, per (message, recipient) pair, since relays split recipients.
// Standard library only: the ledger (delivery_ledger.hpp) fills it in, the
// thresholds, reports, compare and merge read it.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "load/histogram.hpp"

namespace smtp::load {

// Counts of (message, recipient) pairs unless the name says otherwise.
struct DeliveryCounts {
  std::uint64_t accepted_messages = 0;  // 250 at the end of data
  std::uint64_t accepted = 0;           // their recipients that got 250 to RCPT
  std::uint64_t delivered = 0;          // accepted pairs that arrived at the sink
  // Accepted, neither delivered nor bounced by the end of the drain.
  std::uint64_t lost = 0;
  // Accepted, and a delivery status notification (null reverse-path) came
  // back to the message's VERP sender at the sink naming the recipient, or
  // the message when the notification names no recipient of it.
  std::uint64_t bounced = 0;
  std::uint64_t duplicated = 0;  // arrivals of a pair that had already arrived
  std::uint64_t corrupted = 0;   // arrivals whose body differs from what was sent
  // Arrivals whose header differs from what was sent in more than added
  // trace fields (Received:, Return-Path:, RFC 5322 §3.6.7); the body intact.
  std::uint64_t header_changed = 0;
  std::uint64_t unexpected = 0;  // arrivals (or recipients) that match no submission
  // Pairs delivered that needed more than one RCPT at the sink (deferred
  // first: greylisting, a 4xx of a --sink-profile).
  std::uint64_t retried = 0;
};

// The counts by the names the result file, the thresholds ("lost<=0") and
// compare give them.
inline constexpr std::array<std::pair<std::string_view, std::uint64_t DeliveryCounts::*>, 10>
    kDeliveryCountNames{{
        {"accepted_messages", &DeliveryCounts::accepted_messages},
        {"accepted", &DeliveryCounts::accepted},
        {"delivered", &DeliveryCounts::delivered},
        {"lost", &DeliveryCounts::lost},
        {"bounced", &DeliveryCounts::bounced},
        {"duplicated", &DeliveryCounts::duplicated},
        {"corrupted", &DeliveryCounts::corrupted},
        {"header_changed", &DeliveryCounts::header_changed},
        {"unexpected", &DeliveryCounts::unexpected},
        {"retried", &DeliveryCounts::retried},
    }};

// The count named `name` (kDeliveryCountNames); nullopt for another name.
std::optional<std::uint64_t> count_named(const DeliveryCounts& counts, std::string_view name);

// The relay's outbound behaviour, as the sink saw it.
struct RelayBehaviour {
  std::uint64_t connections = 0;
  std::uint64_t transactions = 0;  // MAIL commands answered 2xx
  std::uint64_t messages = 0;      // messages the sink answered 250
  std::uint64_t max_messages_per_connection = 0;
  std::uint64_t pipelined_connections = 0;  // sent a command before the last one's reply
  std::uint64_t starttls_connections = 0;   // TLS established with STARTTLS
  std::uint64_t bdat_messages = 0;          // sent with CHUNKING (RFC 3030)
  // EHLO (or HELO) names and how many connections used each; at most
  // kMaxNames names, the rest counted under "(other)".
  std::map<std::string, std::uint64_t> hello_names;
  // Recipients accepted in a transaction → transactions.
  std::map<std::uint32_t, std::uint64_t> recipients_per_transaction;
  static constexpr std::size_t kMaxNames = 16;
};

// One second of the run, counted from its start; the drain adds seconds
// past the load's end.
struct DeliverySecond {
  std::uint32_t second = 0;
  std::uint64_t accepted = 0;   // pairs accepted in this second
  std::uint64_t delivered = 0;  // pairs first arriving in this second
  std::uint64_t backlog = 0;    // accepted so far, not yet delivered or bounced, at its end
};

struct DeliveryResult {
  std::string sink;                // HOST:PORT the sink listened on
  std::string profile;             // --sink-profile, "" for the default RFC-correct sink
  double drain_limit_seconds = 0;  // --drain
  double drain_seconds = 0;        // how long the drain took
  bool drain_interrupted = false;  // SIGINT ended it
  DeliveryCounts counts;
  // First arrival of each pair: from the 250 at the end of data, and (open
  // model) from the transaction's intended start.
  Histogram latency;
  Histogram latency_from_start;
  // The sink's view of the relay's retries: RCPTs per delivered pair
  // (attempts → pairs), and the delay between consecutive attempts.
  std::map<std::uint32_t, std::uint64_t> attempts;
  Histogram retry_delay;
  // Header changes by kind, e.g. "added Received", "changed From"; at most
  // kMaxHeaderChanges kinds, the rest under "(other)".
  std::map<std::string, std::uint64_t> header_changes;
  static constexpr std::size_t kMaxHeaderChanges = 32;
  RelayBehaviour relay;
  std::vector<DeliverySecond> series;
  // A few lost, corrupted, duplicated or unexpected arrivals, named by
  // token and recipient, so that a failed run explains itself.
  std::vector<std::string> samples;
  static constexpr std::size_t kMaxSamples = 8;
};

// The two latencies of a delivery, as thresholds and compare name them
// ("p99:delivery<5s"): from the 250 at the end of data ("delivery", the
// histogram DeliveryResult::latency) and from the transaction's intended
// start ("delivery_from_start", latency_from_start). `none`: a threshold or
// a row that reads a measured phase instead.
enum class DeliveryLatency : std::uint8_t { none, from_acceptance, from_start };

std::string_view to_string(DeliveryLatency latency);  // "delivery", "delivery_from_start", ""
// nullopt for any other name ("none" has no name).
std::optional<DeliveryLatency> delivery_latency_from_string(std::string_view name);
// The histogram of `latency`, which must not be none.
const Histogram& histogram_of(const DeliveryResult& delivery, DeliveryLatency latency);

// Adds `other` into `into` exactly (merge of shards, each with its own sink):
// counts and histograms add, maps add key by key, series add second by
// second, samples are kept up to kMaxSamples.
void merge(DeliveryResult& into, const DeliveryResult& other);

}  // namespace smtp::load
