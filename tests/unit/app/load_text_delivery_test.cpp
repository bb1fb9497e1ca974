// The delivery block of the summary `load --sink` prints at the end.
#include <gtest/gtest.h>

#include <string>

#include "app/load_text.hpp"

namespace smtp::app::load_text_delivery_test {
namespace {

load::DeliveryResult sink_saw() {
  load::DeliveryResult delivery;
  delivery.sink = "127.0.0.1:2526";
  delivery.drain_limit_seconds = 30;
  delivery.drain_seconds = 1.5;
  auto& c = delivery.counts;
  c.accepted_messages = 100;
  c.accepted = 200;
  c.delivered = 196;
  c.lost = 2;
  c.bounced = 2;
  c.retried = 10;
  c.duplicated = 1;
  for (int i = 0; i < 196; ++i) delivery.latency.record(std::uint64_t{100'000'000});
  delivery.relay.connections = 4;
  delivery.relay.messages = 10;
  delivery.relay.max_messages_per_connection = 5;
  delivery.relay.hello_names = {{"relay.test\x1b[2J", 4}};
  delivery.samples = {"lost: 0a0b0c0d.3 rcpt1@example.test"};
  return delivery;
}

TEST(DeliveryText, CountsLatencyAndTheRelay) {
  const std::string text = delivery_text(sink_saw());
  EXPECT_NE(text.find("delivery at sink 127.0.0.1:2526: 200 pairs accepted (100 messages), "
                      "196 (98%) delivered, lost 2 (1%), bounced 2 (1%), duplicated 1, "
                      "corrupted 0, unexpected 0, retried 10 (5%)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("delivery latency p50 100ms  p99 100ms  drain 1.5s of 30s\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("relay connections 4  messages per connection 2.5 (max 5)  EHLO "
                      "relay.test\\x1b[2J\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  e.g. lost: 0a0b0c0d.3 rcpt1@example.test\n"), std::string::npos);
}

TEST(DeliveryText, NothingArrived) {
  load::DeliveryResult delivery;
  delivery.sink = "127.0.0.1:2526";
  delivery.counts.accepted = 5;
  delivery.counts.lost = 5;
  delivery.drain_interrupted = true;
  const std::string text = delivery_text(delivery);
  EXPECT_NE(text.find("0 delivered, lost 5 (100%)"), std::string::npos) << text;
  EXPECT_NE(text.find("delivery latency none (nothing arrived)"), std::string::npos) << text;
  EXPECT_NE(text.find("(interrupted)"), std::string::npos) << text;
  EXPECT_NE(text.find("relay connections 0\n"), std::string::npos) << text;
}

TEST(DeliveryText, TheSummaryHasTheBlockOnlyWithASink) {
  load::RunResult result;
  EXPECT_EQ(summary_text(result).find("delivery at sink"), std::string::npos);
  result.delivery = sink_saw();
  EXPECT_NE(summary_text(result).find("delivery at sink 127.0.0.1:2526"), std::string::npos);
}

}  // namespace
}  // namespace smtp::app::load_text_delivery_test
