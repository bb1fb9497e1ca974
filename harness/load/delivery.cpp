#include "load/delivery.hpp"

#include <algorithm>

namespace smtp::load {
namespace {

template <typename Key>
void add_counts(std::map<Key, std::uint64_t>& into, const std::map<Key, std::uint64_t>& other) {
  for (const auto& [key, n] : other) into[key] += n;
}

// Names beyond `most` go under "(other)", as the ledger counts them.
void add_names(std::map<std::string, std::uint64_t>& into,
               const std::map<std::string, std::uint64_t>& other, std::size_t most) {
  for (const auto& [name, n] : other) {
    if (into.contains(name) || into.size() < most) {
      into[name] += n;
    } else {
      into["(other)"] += n;
    }
  }
}

void add(DeliveryCounts& into, const DeliveryCounts& other) {
  for (const auto& [name, field] : kDeliveryCountNames) into.*field += other.*field;
}

void add(RelayBehaviour& into, const RelayBehaviour& other) {
  into.connections += other.connections;
  into.transactions += other.transactions;
  into.messages += other.messages;
  into.max_messages_per_connection =
      std::max(into.max_messages_per_connection, other.max_messages_per_connection);
  into.pipelined_connections += other.pipelined_connections;
  into.starttls_connections += other.starttls_connections;
  into.bdat_messages += other.bdat_messages;
  add_names(into.hello_names, other.hello_names, RelayBehaviour::kMaxNames);
  add_counts(into.recipients_per_transaction, other.recipients_per_transaction);
}

}  // namespace

std::optional<std::uint64_t> count_named(const DeliveryCounts& counts, std::string_view name) {
  for (const auto& [known, field] : kDeliveryCountNames) {
    if (known == name) return counts.*field;
  }
  return std::nullopt;
}

std::string_view to_string(DeliveryLatency latency) {
  switch (latency) {
    case DeliveryLatency::from_acceptance:
      return "delivery";
    case DeliveryLatency::from_start:
      return "delivery_from_start";
    case DeliveryLatency::none:
      break;
  }
  return "";
}

std::optional<DeliveryLatency> delivery_latency_from_string(std::string_view name) {
  for (const auto latency : {DeliveryLatency::from_acceptance, DeliveryLatency::from_start}) {
    if (name == to_string(latency)) return latency;
  }
  return std::nullopt;
}

const Histogram& histogram_of(const DeliveryResult& delivery, DeliveryLatency latency) {
  return latency == DeliveryLatency::from_start ? delivery.latency_from_start : delivery.latency;
}

void merge(DeliveryResult& into, const DeliveryResult& other) {
  if (into.sink.empty()) {
    into.sink = other.sink;
  } else if (!other.sink.empty() && other.sink != into.sink) {
    into.sink += ", " + other.sink;
  }
  if (into.profile.empty()) into.profile = other.profile;
  into.drain_limit_seconds = std::max(into.drain_limit_seconds, other.drain_limit_seconds);
  into.drain_seconds = std::max(into.drain_seconds, other.drain_seconds);
  into.drain_interrupted = into.drain_interrupted || other.drain_interrupted;
  add(into.counts, other.counts);
  into.latency.merge(other.latency);
  into.latency_from_start.merge(other.latency_from_start);
  add_counts(into.attempts, other.attempts);
  into.retry_delay.merge(other.retry_delay);
  add_names(into.header_changes, other.header_changes, DeliveryResult::kMaxHeaderChanges);
  add(into.relay, other.relay);
  // A shard's backlog stands after its series ends (its last second's):
  // each side is carried to the other's end before they are added.
  const auto carry = [](std::vector<DeliverySecond>& series, std::uint32_t end) {
    if (series.empty()) return;
    const auto backlog = series.back().backlog;
    for (auto second = series.back().second + 1; second < end; ++second)
      series.push_back({second, 0, 0, backlog});
  };
  auto theirs = other.series;
  const auto end_of = [](const std::vector<DeliverySecond>& series) {
    return series.empty() ? 0u : series.back().second + 1;
  };
  const auto end = std::max(end_of(into.series), end_of(theirs));
  carry(into.series, end);
  carry(theirs, end);
  for (const auto& s : theirs) {
    auto at =
        std::lower_bound(into.series.begin(), into.series.end(), s.second,
                         [](const DeliverySecond& a, std::uint32_t b) { return a.second < b; });
    if (at == into.series.end() || at->second != s.second) {
      into.series.insert(at, s);
    } else {
      at->accepted += s.accepted;
      at->delivered += s.delivered;
      at->backlog += s.backlog;
    }
  }
  for (const auto& sample : other.samples) {
    if (into.samples.size() >= DeliveryResult::kMaxSamples) break;
    into.samples.push_back(sample);
  }
}

}  // namespace smtp::load
