// The delivery section of a load result (schema version 2): written as the
// schema says, read back exactly, refused when it does not follow the
// schema; and a file of version 1, which has none, still reads.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "expect_refused.hpp"
#include "reports/result_file.hpp"
#include "reports/result_json.hpp"
#include "sample_result.hpp"

namespace smtp::reports::delivery_json_test {
namespace {

using nlohmann::json;
using testing::sample_delivery;
using testing::sample_sink_result;

json sink_document() {
  static const json document = json::parse(to_json(sample_sink_result()).dump());
  return document;
}

TEST(DeliveryJson, WritesTheContractsLayout) {
  const json document = sink_document();
  EXPECT_EQ(document["schema_version"], 2);
  const json& delivery = document["load"]["delivery"];
  EXPECT_EQ(delivery["sink"], "127.0.0.1:2526");
  EXPECT_EQ(delivery["profile"], "");
  EXPECT_EQ(delivery["drain"],
            json({{"limit_seconds", 30.0}, {"seconds", 1.75}, {"interrupted", false}}));
  EXPECT_EQ(delivery["counts"]["accepted"], 1770);
  EXPECT_EQ(delivery["counts"]["lost"], 6);
  EXPECT_EQ(delivery["counts"].size(), 10u);
  // A histogram as elsewhere: the summary next to the sparse histogram.
  EXPECT_EQ(delivery["latency"]["count"], 1755);
  EXPECT_TRUE(delivery["latency"]["histogram"].contains("buckets"));
  EXPECT_TRUE(delivery["latency"].contains("p99_ns"));
  EXPECT_EQ(delivery["attempts"], json({{"1", 1720}, {"2", 33}, {"3", 2}}));
  EXPECT_EQ(delivery["header_changes"]["added Received"], 1755);
  EXPECT_EQ(delivery["relay"]["hello_names"]["relay.example.test"], 10);
  EXPECT_EQ(delivery["relay"]["recipients_per_transaction"]["3"], 570);
  EXPECT_EQ(delivery["series"][4],
            json({{"second", 4}, {"accepted", 0}, {"delivered", 15}, {"backlog", 6}}));
  EXPECT_EQ(delivery["samples"].size(), 4u);
  // The delivery latency threshold names its phase.
  EXPECT_EQ(document["load"]["thresholds"][5]["phase"], "delivery");
  EXPECT_EQ(document["load"]["thresholds"][4]["metric"], "lost");
}

TEST(DeliveryJson, RoundTripIsExact) {
  const load::RunResult original = sample_sink_result();
  std::string error;
  const auto read = load_result_from_json(json::parse(to_json(original).dump(2)), error);
  ASSERT_TRUE(read.has_value()) << error;
  ASSERT_TRUE(read->delivery.has_value());
  const load::DeliveryResult& a = *original.delivery;
  const load::DeliveryResult& b = *read->delivery;
  EXPECT_EQ(a.sink, b.sink);
  EXPECT_EQ(a.drain_seconds, b.drain_seconds);
  EXPECT_EQ(a.counts.retried, b.counts.retried);
  EXPECT_EQ(a.counts.header_changed, b.counts.header_changed);
  EXPECT_TRUE(a.latency == b.latency);
  EXPECT_TRUE(a.latency_from_start == b.latency_from_start);
  EXPECT_TRUE(a.retry_delay == b.retry_delay);
  EXPECT_EQ(a.attempts, b.attempts);
  EXPECT_EQ(a.header_changes, b.header_changes);
  EXPECT_EQ(a.relay.hello_names, b.relay.hello_names);
  EXPECT_EQ(a.relay.recipients_per_transaction, b.relay.recipients_per_transaction);
  EXPECT_EQ(a.relay.max_messages_per_connection, b.relay.max_messages_per_connection);
  ASSERT_EQ(a.series.size(), b.series.size());
  EXPECT_EQ(a.series.back().backlog, b.series.back().backlog);
  EXPECT_EQ(a.samples, b.samples);
  EXPECT_EQ(read->thresholds[5].threshold.delivery_latency, load::DeliveryLatency::from_acceptance);
  // Every field, the ones not named above too: written again, the same.
  EXPECT_EQ(to_json(original), to_json(*read));
}

TEST(DeliveryJson, ARunWithoutASinkHasNoSection) {
  const json document = json::parse(to_json(testing::sample_result()).dump());
  EXPECT_FALSE(document["load"].contains("delivery"));
  std::string error;
  const auto read = load_result_from_json(document, error);
  ASSERT_TRUE(read.has_value()) << error;
  EXPECT_FALSE(read->delivery.has_value());
}

TEST(DeliveryJson, RefusesWhatTheSchemaRefuses) {
  json document = sink_document();
  document["load"]["delivery"]["counts"].erase("lost");
  testing::expect_load_refused(document, "load.delivery.counts: missing field \"lost\"");

  document = sink_document();
  document["load"]["delivery"]["relay"]["pipelining"] = 1;
  testing::expect_load_refused(document, "load.delivery.relay: unknown field \"pipelining\"");

  document = sink_document();
  document["load"]["delivery"]["attempts"]["01"] = 3;
  testing::expect_load_refused(document, "load.delivery.attempts: key \"01\" is not a number");

  document = sink_document();
  document["load"]["delivery"]["relay"]["recipients_per_transaction"]["x"] = 3;
  testing::expect_load_refused(document, "recipients_per_transaction: key \"x\" is not a number");

  document = sink_document();
  document["load"]["delivery"]["header_changes"]["added Received"] = -1;
  testing::expect_load_refused(
      document, "load.delivery.header_changes.added Received: expected a non-negative integer");

  document = sink_document();
  document["load"]["delivery"]["series"][2]["second"] = 1;
  testing::expect_load_refused(document,
                               "load.delivery.series[2].second: 1 after 1 (seconds increase)");

  document = sink_document();
  document["load"]["delivery"]["latency"]["p99_ns"] = 1;
  testing::expect_load_refused(document,
                               "load.delivery.latency.p99_ns: 1 disagrees with the histogram");

  document = sink_document();
  document["load"]["delivery"]["drain"]["interrupted"] = "no";
  testing::expect_load_refused(document, "load.delivery.drain.interrupted: expected true or false");
}

TEST(DeliveryJson, AVersionOneFileHasNoDeliverySection) {
  json document = sink_document();
  document["schema_version"] = 1;
  testing::expect_load_refused(document, "load: unknown field \"delivery\"");
  document["load"].erase("delivery");
  // Nor a delivery threshold (the phase names are version 2's).
  testing::expect_load_refused(document, "load.thresholds[5].phase: unknown phase \"delivery\"");
}

// Written by write_sample_result of the last build of schema version 1,
// trimmed to one latency phase and no workers; it must keep reading.
TEST(DeliveryJson, ACheckedInVersionOneFileStillReads) {
  const std::string path = std::string(SMTP_REPORTS_FIXTURES) + "/load-result-v1.json";
  const ResultDocument read = read_result_file(path);
  EXPECT_EQ(read.kind, "load");
  EXPECT_EQ(read.document["schema_version"], 1);
  std::string error;
  const auto result = load_result_from_json(read.document, error);
  ASSERT_TRUE(result.has_value()) << error;
  EXPECT_FALSE(result->delivery.has_value());
  EXPECT_EQ(result->settings.target, "127.0.0.1:2525");
  EXPECT_EQ(result->metrics.counters().transactions_started, 598u);
  EXPECT_FALSE(result->thresholds.empty());
}

}  // namespace
}  // namespace smtp::reports::delivery_json_test
