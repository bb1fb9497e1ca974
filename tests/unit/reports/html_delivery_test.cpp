// The HTML report's delivery section (a run with --sink): its tables and
// its three charts, drawn by the report's chart code; nothing for a run
// without a sink; hostile relay names escaped; an empty section renders.
#include <gtest/gtest.h>

#include <string>

#include "hostile_results.hpp"
#include "proto/utf8.hpp"
#include "reports/html/html_report.hpp"
#include "text_search.hpp"

namespace smtp::reports::html_delivery_test {
namespace {

using testing::contains;
using testing::occurrences;

using testing::sample_sink_load_document;

TEST(HtmlDelivery, TheSectionHasItsTablesAndCharts) {
  const std::string page = to_html({sample_sink_load_document()});
  EXPECT_TRUE(contains(page, "<a href=\"#r1-delivery\">Delivery</a>"));
  EXPECT_TRUE(contains(page, "<a href=\"#r1-delivery-latency\">Delivery latency</a>"));
  EXPECT_TRUE(contains(page, "schema version 2 "));
  // Four load charts and three of the delivery.
  EXPECT_EQ(occurrences(page, "<svg "), 7u);
  EXPECT_TRUE(contains(page, "<title>Delivery latency from acceptance</title>"));
  EXPECT_TRUE(contains(page, "<title>Delivery latency from the intended start</title>"));
  EXPECT_TRUE(contains(page, "<title>Delivered and accepted over time</title>"));
  EXPECT_TRUE(contains(page, "1755 pairs, each at its first arrival at the sink"));
  EXPECT_TRUE(contains(page, ">delivered pairs</text>")) << "the histogram's legend";
  EXPECT_TRUE(contains(page, ">backlog</text>")) << "the line chart's legend";
  // The counts with their shares of the 1770 accepted pairs.
  EXPECT_TRUE(contains(page,
                       "<td>accepted by the relay (590 messages)</td><td class=\"num\">"
                       "1770</td><td class=\"num\">100%</td>"));
  EXPECT_TRUE(contains(page,
                       "<td>delivered at the sink</td><td class=\"num\">1755</td>"
                       "<td class=\"num\">99.15%</td>"));
  EXPECT_TRUE(contains(page, "<td class=\"num\">6</td><td class=\"num\">0.339%</td>"));
  // The relay: 600 messages over 12 connections, 40 over BDAT.
  EXPECT_TRUE(contains(page, "mean 50, max 100"));
  EXPECT_TRUE(contains(page, "12 of 12 connections (100%)"));
  EXPECT_TRUE(contains(page, "10 of 12 connections (83.33%)"));
  EXPECT_TRUE(contains(page, "40 of 600 messages (6.667%)"));
  EXPECT_TRUE(contains(page, "relay.example.test: 10, relay2.example.test: 2 connections"));
  EXPECT_TRUE(contains(page, "1: 30, 2: 12, 3: 570 transactions"));
  // Retries: the attempts, the share, the delay.
  EXPECT_TRUE(contains(page, "35 pairs (1.977% of the accepted)"));
  EXPECT_TRUE(contains(page, "<td class=\"num\">2</td><td class=\"num\">33</td>"));
  EXPECT_TRUE(contains(page, "<td>retry delay</td><td class=\"num\">35</td>"));
  EXPECT_TRUE(contains(page, "<td>added X-Relay-Scan</td><td class=\"num\">4</td>"));
  EXPECT_TRUE(contains(page, "<li><code>lost: 3f9a1c02.17 rcpt3@example.test</code></li>"));
  EXPECT_TRUE(contains(page, "<dt>sink</dt><dd>127.0.0.1:2526</dd>"));
  EXPECT_EQ(occurrences(page, "<table"), occurrences(page, "</table>"));
  EXPECT_EQ(occurrences(page, "<svg "), occurrences(page, "</svg>"));
}

TEST(HtmlDelivery, ARunWithoutASinkHasNoDeliverySection) {
  const std::string page = to_html({testing::sample_load_document()});
  EXPECT_FALSE(contains(page, "-delivery\""));
  EXPECT_FALSE(contains(page, "Delivery latency"));
}

TEST(HtmlDelivery, HostileRelayTextIsEscaped) {
  const std::string page = to_html({testing::hostile_load_document()});
  EXPECT_FALSE(contains(page, "<script"));
  EXPECT_TRUE(proto::is_utf8(page));
  const std::string escaped =
      "&lt;script&gt;alert(1)&lt;/script&gt; &lt;/style&gt; ]]&gt; &quot;dq&quot; &#39;sq&#39; "
      "&amp; | `tick` *star* [l](u) NUL \\x00 ESC \\x1b CR\\r LF\n LS &#x2028; RLO "
      "\\xe2\\x80\\xae bad \\xff\\xfe end";
  EXPECT_TRUE(contains(page, "<dt>sink</dt><dd>" + escaped + "</dd>"));
  EXPECT_TRUE(contains(page, "<td>added " + escaped + "</td>"));
  EXPECT_TRUE(contains(page, "<li><code>unexpected: " + escaped + "</code></li>"));
  EXPECT_TRUE(contains(page, escaped + ": 1"));  // the EHLO name
}

TEST(HtmlDelivery, AnEmptySectionStillRenders) {
  nlohmann::json document = sample_sink_load_document().document;
  nlohmann::json& delivery = document["load"]["delivery"];
  for (auto& [key, value] : delivery["counts"].items()) value = 0;
  delivery["series"] = nlohmann::json::array();
  delivery["attempts"] = nlohmann::json::object();
  delivery["header_changes"] = nlohmann::json::object();
  delivery["samples"] = nlohmann::json::array();
  for (auto& [key, value] : delivery["relay"].items()) {
    value = value.is_object() ? nlohmann::json::object() : nlohmann::json(0);
  }
  const std::string page = to_html({ResultDocument{"empty.json", "load", document}});
  EXPECT_TRUE(contains(page, "No header changes beyond added trace fields."));
  EXPECT_TRUE(contains(page, "<dt>messages per connection</dt><dd>none</dd>"));
  EXPECT_TRUE(contains(page, "<dt>EHLO names</dt><dd>none</dd>"));
  EXPECT_EQ(occurrences(page, "<svg "), 7u) << "every chart still drawn";
}

}  // namespace
}  // namespace smtp::reports::html_delivery_test
