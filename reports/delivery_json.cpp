// The delivery section of a load result (load.delivery, schema version 2):
// what a run with --sink saw come out of the relay (load/delivery.hpp).
// Histograms travel as everywhere else in the schema, summary and sparse
// histogram; maps keyed by a number ("attempts", "recipients_per_transaction")
// have its decimal text as the key, as JSON object keys are strings.
#include <array>
#include <charconv>
#include <limits>
#include <utility>

#include "reports/result_json_internal.hpp"

namespace smtp::reports::detail {
namespace {

using load::DeliveryResult;
using load::RelayBehaviour;
using nlohmann::json;

constexpr std::array<std::pair<std::string_view, std::uint64_t RelayBehaviour::*>, 7> kRelayCounts{{
    {"connections", &RelayBehaviour::connections},
    {"transactions", &RelayBehaviour::transactions},
    {"messages", &RelayBehaviour::messages},
    {"max_messages_per_connection", &RelayBehaviour::max_messages_per_connection},
    {"pipelined_connections", &RelayBehaviour::pipelined_connections},
    {"starttls_connections", &RelayBehaviour::starttls_connections},
    {"bdat_messages", &RelayBehaviour::bdat_messages},
}};

constexpr std::array<std::pair<std::string_view, std::uint64_t load::DeliverySecond::*>, 3>
    kSecondCounts{{
        {"accepted", &load::DeliverySecond::accepted},
        {"delivered", &load::DeliverySecond::delivered},
        {"backlog", &load::DeliverySecond::backlog},
    }};

template <typename Table, typename Struct>
json counts_to_json(const Table& table, const Struct& from) {
  json value = json::object();
  for (const auto& [name, field] : table) value[std::string(name)] = from.*field;
  return value;
}

template <typename Table, typename Struct>
void read_counts(const Table& table, const Fields& fields, Struct& into) {
  for (const auto& [name, field] : table) into.*field = fields.u64(name);
}

template <typename Key>
json numbered_to_json(const std::map<Key, std::uint64_t>& counts) {
  json value = json::object();
  for (const auto& [key, n] : counts) value[std::to_string(key)] = n;
  return value;
}

// {"1": 980, "2": 20}: keys in the decimal form std::to_string writes, so
// that a file reads back to the same text.
std::map<std::uint32_t, std::uint64_t> read_numbered(const json& value, const std::string& path) {
  if (!value.is_object()) fail(path, "expected an object");
  std::map<std::uint32_t, std::uint64_t> counts;
  for (const auto& [key, n] : value.items()) {
    std::uint32_t number = 0;
    const auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), number);
    if (error != std::errc() || end != key.data() + key.size() || std::to_string(number) != key) {
      fail(path, "key \"" + key + "\" is not a number (0.." +
                     std::to_string(std::numeric_limits<std::uint32_t>::max()) + ")");
    }
    counts[number] = read_u64(n, field_path(path, key));
  }
  return counts;
}

std::map<std::string, std::uint64_t> read_named_counts(const json& value, const std::string& path) {
  if (!value.is_object()) fail(path, "expected an object");
  std::map<std::string, std::uint64_t> counts;
  for (const auto& [key, n] : value.items()) counts[key] = read_u64(n, field_path(path, key));
  return counts;
}

json relay_to_json(const RelayBehaviour& relay) {
  json value = counts_to_json(kRelayCounts, relay);
  value["hello_names"] = relay.hello_names;
  value["recipients_per_transaction"] = numbered_to_json(relay.recipients_per_transaction);
  return value;
}

RelayBehaviour read_relay(const json& value, const std::string& path) {
  Fields::Names names = names_of(kRelayCounts);
  names.insert(names.end(), {"hello_names", "recipients_per_transaction"});
  const Fields fields(value, path, names);
  RelayBehaviour relay;
  read_counts(kRelayCounts, fields, relay);
  relay.hello_names = read_named_counts(fields["hello_names"], fields.path("hello_names"));
  relay.recipients_per_transaction = read_numbered(fields["recipients_per_transaction"],
                                                   fields.path("recipients_per_transaction"));
  return relay;
}

json second_to_json(const load::DeliverySecond& second) {
  json value = counts_to_json(kSecondCounts, second);
  value["second"] = second.second;
  return value;
}

// In increasing order of second, each once: merge (load::merge) relies on it.
std::vector<load::DeliverySecond> read_series(const json& value, const std::string& path) {
  Fields::Names names = names_of(kSecondCounts);
  names.push_back("second");
  auto series = read_list<load::DeliverySecond>(
      value, path, [&](const json& item, const std::string& item_at) {
        const Fields fields(item, item_at, names);
        load::DeliverySecond second;
        second.second = fields.unsigned_as<std::uint32_t>("second");
        read_counts(kSecondCounts, fields, second);
        return second;
      });
  for (std::size_t i = 1; i < series.size(); ++i) {
    if (series[i].second <= series[i - 1].second) {
      fail(item_path(path, i) + ".second", std::to_string(series[i].second) + " after " +
                                               std::to_string(series[i - 1].second) +
                                               " (seconds increase)");
    }
  }
  return series;
}

}  // namespace

json delivery_to_json(const DeliveryResult& delivery) {
  json series = json::array();
  for (const auto& second : delivery.series) series.push_back(second_to_json(second));
  return json{
      {"sink", delivery.sink},
      {"profile", delivery.profile},
      {"drain",
       {{"limit_seconds", delivery.drain_limit_seconds},
        {"seconds", delivery.drain_seconds},
        {"interrupted", delivery.drain_interrupted}}},
      {"counts", counts_to_json(load::kDeliveryCountNames, delivery.counts)},
      {"latency", summarised_histogram_to_json(delivery.latency)},
      {"latency_from_start", summarised_histogram_to_json(delivery.latency_from_start)},
      {"attempts", numbered_to_json(delivery.attempts)},
      {"retry_delay", summarised_histogram_to_json(delivery.retry_delay)},
      {"header_changes", delivery.header_changes},
      {"relay", relay_to_json(delivery.relay)},
      {"series", std::move(series)},
      {"samples", delivery.samples},
  };
}

DeliveryResult read_delivery(const json& value, const std::string& path) {
  const Fields fields(value, path,
                      {"sink", "profile", "drain", "counts", "latency", "latency_from_start",
                       "attempts", "retry_delay", "header_changes", "relay", "series", "samples"});
  DeliveryResult delivery;
  delivery.sink = fields.string("sink");
  delivery.profile = fields.string("profile");
  const Fields drain(fields["drain"], fields.path("drain"),
                     {"limit_seconds", "seconds", "interrupted"});
  delivery.drain_limit_seconds = drain.non_negative("limit_seconds");
  delivery.drain_seconds = drain.non_negative("seconds");
  delivery.drain_interrupted = drain.flag("interrupted");
  const Fields counts(fields["counts"], fields.path("counts"), names_of(load::kDeliveryCountNames));
  read_counts(load::kDeliveryCountNames, counts, delivery.counts);
  delivery.latency = read_summarised_histogram(fields["latency"], fields.path("latency"));
  delivery.latency_from_start =
      read_summarised_histogram(fields["latency_from_start"], fields.path("latency_from_start"));
  delivery.attempts = read_numbered(fields["attempts"], fields.path("attempts"));
  delivery.retry_delay =
      read_summarised_histogram(fields["retry_delay"], fields.path("retry_delay"));
  delivery.header_changes =
      read_named_counts(fields["header_changes"], fields.path("header_changes"));
  delivery.relay = read_relay(fields["relay"], fields.path("relay"));
  delivery.series = read_series(fields["series"], fields.path("series"));
  delivery.samples = read_list<std::string>(fields["samples"], fields.path("samples"), read_string);
  return delivery;
}

}  // namespace smtp::reports::detail
