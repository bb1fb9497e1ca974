// The Markdown summary's delivery block (a run with --sink).
#include "reports/markdown_delivery.hpp"

#include <gtest/gtest.h>

#include <string>

#include "hostile_results.hpp"
#include "proto/utf8.hpp"
#include "reports/markdown.hpp"
#include "text_search.hpp"

namespace smtp::reports::markdown_delivery_test {
namespace {

using testing::contains;

TEST(MarkdownDelivery, CountsLatencyRelayRetriesAndSamples) {
  const std::string md = to_markdown({testing::sample_sink_load_document()});
  EXPECT_TRUE(contains(md, "**Delivery** at the sink 127.0.0.1:2526 (drained 1.75 s of 30 s):"))
      << md;
  EXPECT_TRUE(contains(md,
                       "| accepted pairs | delivered | lost | bounced | duplicated | corrupted | "
                       "header changed | unexpected | retried |\n"
                       "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
                       "| 1770 (590 messages) | 1755 (99.15%) | 6 (0.339%) | 9 (0.5085%) | "
                       "4 (0.226%) | 2 (0.113%) | 1761 (99.49%) | 1 (0.0565%) | 35 (1.977%) |\n"))
      << md;
  EXPECT_TRUE(contains(md, "**Delivery latency** from acceptance: p50 ")) << md;
  EXPECT_TRUE(contains(md, "; from the intended start: p50 ")) << md;
  EXPECT_TRUE(contains(md,
                       "**Relay:** 12 connections, 612 transactions, 600 messages, 50 "
                       "messages per connection (max 100); PIPELINING 100%, STARTTLS 83.33% "
                       "of connections; CHUNKING 6.667% of messages; EHLO names: "
                       "relay.example.test 10, relay2.example.test 2; recipients per "
                       "transaction: 1 30, 2 12, 3 570."))
      << md;
  EXPECT_TRUE(contains(md,
                       "**Retries:** 35 (1.977%) pairs retried; attempts per delivered "
                       "pair: 1 1720, 2 33, 3 2; delay p50 "))
      << md;
  EXPECT_TRUE(contains(md,
                       "**Header changes:** added Received 1755, added X-Relay-Scan 4, "
                       "changed Subject 2.\n- lost: 3f9a1c02.17 rcpt3@example.test\n"))
      << md;
  // Before the thresholds, which list the delivery ones.
  EXPECT_LT(md.find("**Delivery**"), md.find("| ❌ FAIL | lost&lt;=0 |"));
}

TEST(MarkdownDelivery, NothingWithoutASink) {
  EXPECT_EQ(delivery_markdown(testing::sample_load_document().document.at("load")), "");
  EXPECT_FALSE(contains(to_markdown({testing::sample_load_document()}), "**Delivery**"));
}

TEST(MarkdownDelivery, HostileRelayTextIsEscaped) {
  const std::string md = delivery_markdown(testing::hostile_load_document().document.at("load"));
  EXPECT_TRUE(proto::is_utf8(md));
  EXPECT_FALSE(contains(md, "<script"));
  EXPECT_TRUE(contains(md, "**Delivery** at the sink &lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_TRUE(contains(md, "- unexpected: &lt;script&gt;"));
}

}  // namespace
}  // namespace smtp::reports::markdown_delivery_test
