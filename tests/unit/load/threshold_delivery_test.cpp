// Thresholds on the delivery section of a run with --sink (delivery.hpp):
// the counts of pairs, their shares of the accepted pairs, "delivered" in
// its two meanings, the delivery latencies, and a run without a section.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "load/threshold.hpp"

namespace smtp::load::threshold_delivery_test {
namespace {

constexpr std::uint64_t kMs = 1'000'000;

Threshold parse_ok(std::string_view text) {
  std::string error;
  const auto threshold = parse_threshold(text, error);
  EXPECT_TRUE(threshold.has_value()) << text << ": " << error;
  return threshold.value_or(Threshold{});
}

std::string parse_error(std::string_view text) {
  std::string error;
  EXPECT_FALSE(parse_threshold(text, error).has_value()) << text;
  return error;
}

// 1000 transactions answered 250 at the end of data, of 1200 started.
Metrics submitted() {
  Metrics metrics;
  metrics.counters().transactions_started = 1200;
  metrics.counters().delivered = 1000;
  return metrics;
}

// 1000 messages accepted with 2 recipients each: 2000 pairs, of which 1990
// arrived (10 of them twice, 4 with another body, 30 after a retry), 6
// bounced, 4 lost; 2 arrivals matched nothing. Delivery took 1 ms .. 1 s
// from acceptance (every pair at 10 ms but the last ten), 5 ms more from
// the intended start.
DeliveryResult sink_saw() {
  DeliveryResult delivery;
  DeliveryCounts& c = delivery.counts;
  c.accepted_messages = 1000;
  c.accepted = 2000;
  c.delivered = 1990;
  c.lost = 4;
  c.bounced = 6;
  c.duplicated = 10;
  c.corrupted = 4;
  c.header_changed = 2000;
  c.unexpected = 2;
  c.retried = 30;
  for (int i = 0; i < 1980; ++i) {
    delivery.latency.record(10 * kMs);
    delivery.latency_from_start.record(15 * kMs);
  }
  for (int i = 0; i < 10; ++i) {
    delivery.latency.record(1000 * kMs);
    delivery.latency_from_start.record(1005 * kMs);
  }
  return delivery;
}

ThresholdVerdict judge(std::string_view text, const std::optional<DeliveryResult>& delivery) {
  return evaluate(parse_ok(text), submitted(), 10, delivery);
}

TEST(DeliveryThreshold, ParsesEveryCountAsACountOrAShare) {
  using Metric = Threshold::Metric;
  const std::pair<const char*, Metric> counts[] = {{"lost", Metric::lost},
                                                   {"duplicated", Metric::duplicated},
                                                   {"corrupted", Metric::corrupted},
                                                   {"bounced", Metric::bounced},
                                                   {"unexpected", Metric::unexpected},
                                                   {"retried", Metric::retried}};
  for (const auto& [name, metric] : counts) {
    const Threshold count = parse_ok(std::string(name) + "<=0");
    EXPECT_EQ(count.metric, metric) << name;
    EXPECT_FALSE(count.share) << name;
    EXPECT_TRUE(needs_delivery(count)) << name;
    const Threshold share = parse_ok(std::string(name) + " < 0.5%");
    EXPECT_TRUE(share.share) << name;
    EXPECT_EQ(share.value, 0.5) << name;
    EXPECT_NE(parse_error(std::string(name) + ":rcpt<=0").find("has no phase"), std::string::npos);
  }
  EXPECT_FALSE(needs_delivery(parse_ok("delivered>=99%")));
  EXPECT_FALSE(needs_delivery(parse_ok("p99<1s")));
}

TEST(DeliveryThreshold, ParsesTheDeliveryLatencies) {
  const Threshold from_acceptance = parse_ok("p99:delivery<5s");
  EXPECT_EQ(from_acceptance.delivery_latency, DeliveryLatency::from_acceptance);
  EXPECT_EQ(from_acceptance.value, 5e9);
  EXPECT_TRUE(needs_delivery(from_acceptance));
  EXPECT_EQ(parse_ok("max : delivery_from_start <= 2s").delivery_latency,
            DeliveryLatency::from_start);
  EXPECT_EQ(parse_ok("p99:rcpt<5s").delivery_latency, DeliveryLatency::none);
  EXPECT_NE(parse_error("p99:deliveries<5s").find("delivery, delivery_from_start"),
            std::string::npos);
  EXPECT_NE(parse_error("p99:delivery<5%").find("cannot be a percentage"), std::string::npos);
}

TEST(DeliveryThreshold, CountsArePairs) {
  const DeliveryResult delivery = sink_saw();
  const auto lost = judge("lost<=0", delivery);
  EXPECT_FALSE(lost.passed);
  EXPECT_EQ(lost.observed, 4);
  EXPECT_EQ(lost.detail, "lost = 4, limit <= 0");
  EXPECT_TRUE(judge("lost<=4", delivery).passed);
  EXPECT_EQ(judge("duplicated<=0", delivery).observed, 10);
  EXPECT_EQ(judge("corrupted<=0", delivery).observed, 4);
  EXPECT_EQ(judge("bounced<10", delivery).observed, 6);
  EXPECT_TRUE(judge("bounced<10", delivery).passed);
  EXPECT_EQ(judge("unexpected<=0", delivery).observed, 2);
  EXPECT_EQ(judge("retried<=30", delivery).observed, 30);
  EXPECT_TRUE(judge("retried<=30", delivery).passed);
}

TEST(DeliveryThreshold, SharesAreOfTheAcceptedPairsNotTheMessages) {
  const DeliveryResult delivery = sink_saw();
  const auto retried = judge("retried<1%", delivery);
  EXPECT_EQ(retried.observed, 1.5);  // 30 of 2000 pairs, not of 1000 messages
  EXPECT_FALSE(retried.passed);
  EXPECT_EQ(retried.detail, "retried = 1.5%, limit < 1%");
  EXPECT_TRUE(judge("lost<=0.2%", delivery).passed);  // 4 of 2000
  EXPECT_FALSE(judge("lost<0.2%", delivery).passed);
}

TEST(DeliveryThreshold, ARelaySplittingAMessageIsJudgedPerRecipient) {
  // One message to three recipients; the relay delivered two of them and
  // lost the third: the message did not all arrive, the pairs say how much.
  DeliveryResult delivery;
  delivery.counts.accepted_messages = 1;
  delivery.counts.accepted = 3;
  delivery.counts.delivered = 2;
  delivery.counts.lost = 1;
  const auto lost = judge("lost<50%", delivery);
  EXPECT_TRUE(lost.passed);
  EXPECT_NEAR(lost.observed, 100.0 / 3, 1e-9);
  EXPECT_FALSE(judge("lost<=0", delivery).passed);
  const auto delivered = judge("delivered>=99.9%", delivery);
  EXPECT_FALSE(delivered.passed);
  EXPECT_NEAR(delivered.observed, 200.0 / 3, 1e-9);
}

TEST(DeliveryThreshold, DeliveredReadsTheSinkWhenThereIsOne) {
  const auto share = judge("delivered>=99.9%", sink_saw());
  EXPECT_EQ(share.observed, 99.5);  // 1990 of 2000 pairs arrived
  EXPECT_FALSE(share.passed);
  EXPECT_EQ(judge("delivered>=1990", sink_saw()).observed, 1990);
  // Without a section: its old meaning, transactions with 250 at the end of
  // data, 1000 of 1200 started.
  const auto old = judge("delivered>=80%", std::nullopt);
  EXPECT_NEAR(old.observed, 100.0 * 1000 / 1200, 1e-9);
  EXPECT_TRUE(old.passed);
  EXPECT_EQ(judge("delivered>=1000", std::nullopt).observed, 1000);
}

TEST(DeliveryThreshold, LatencyFromAcceptanceAndFromTheIntendedStart) {
  const DeliveryResult delivery = sink_saw();
  const auto p99 = judge("p99:delivery<5s", delivery);
  EXPECT_TRUE(p99.passed);
  EXPECT_EQ(p99.observed, static_cast<double>(delivery.latency.quantile(0.99)));
  EXPECT_EQ(p99.detail.rfind("p99:delivery = ", 0), 0u) << p99.detail;
  const auto max = judge("max:delivery<1s", delivery);
  EXPECT_FALSE(max.passed);
  EXPECT_EQ(max.observed, 1000.0 * kMs);
  EXPECT_EQ(judge("min:delivery_from_start>=15ms", delivery).observed, 15.0 * kMs);
  EXPECT_TRUE(judge("min:delivery_from_start>=15ms", delivery).passed);
  EXPECT_FALSE(judge("mean:delivery_from_start<15ms", delivery).passed);
  EXPECT_EQ(judge("mean:delivery<1s", delivery).observed, delivery.latency.mean());
  // The transaction phase is not the delivery's.
  EXPECT_EQ(judge("p99<5s", delivery).detail, "no data");
}

TEST(DeliveryThreshold, NothingAcceptedIsNoDataUnlessTroubleCameAnyway) {
  DeliveryResult empty;
  const auto lost = judge("lost<1%", empty);
  EXPECT_TRUE(lost.passed);
  EXPECT_EQ(lost.detail, "no data");
  EXPECT_FALSE(judge("delivered>=99%", empty).passed);
  EXPECT_TRUE(judge("p99:delivery<1s", empty).passed);
  EXPECT_FALSE(judge("p99:delivery>1ms", empty).passed);
  // Arrivals nobody sent, with nothing accepted: all there was.
  empty.counts.unexpected = 3;
  const auto unexpected = judge("unexpected<1%", empty);
  EXPECT_FALSE(unexpected.passed);
  EXPECT_EQ(unexpected.observed, 100);
}

TEST(DeliveryThreshold, ADeliveryMetricWithoutASectionFailsWhateverItsBound) {
  for (const char* text :
       {"lost<=0", "duplicated<=0", "corrupted<1%", "bounced<=5", "unexpected<=0", "retried>=0",
        "p99:delivery<5s", "mean:delivery_from_start<1h", "min:delivery>0ms"}) {
    const auto verdict = judge(text, std::nullopt);
    EXPECT_FALSE(verdict.passed) << text;
    EXPECT_EQ(verdict.detail, "no delivery section (run without --sink)") << text;
  }
}

}  // namespace
}  // namespace smtp::load::threshold_delivery_test
