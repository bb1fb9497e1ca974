#include "common/prometheus_text.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "common/classic_histogram.hpp"
#include "support/prometheus_parse.hpp"

namespace smtp::common::prometheus_text_test {
namespace {

TEST(PrometheusText, EscapesLabelValuesPerTheFormat) {
  EXPECT_EQ(escape_label_value(R"(a\b)"), R"(a\\b)");
  EXPECT_EQ(escape_label_value(R"(say "hi")"), R"(say \"hi\")");
  EXPECT_EQ(escape_label_value("two\nlines"), R"(two\nlines)");
  // Everything else is kept as it is: UTF-8, tabs, braces, NUL.
  EXPECT_EQ(escape_label_value(std::string("\xc3\xa9\t{}\0x", 7)),
            std::string("\xc3\xa9\t{}\0x", 7));
}

TEST(PrometheusText, EscapesHelpTextButNotQuotes) {
  EXPECT_EQ(escape_help_text("a \"b\" \\ c\nd"), R"(a "b" \\ c\nd)");
}

TEST(PrometheusText, NumbersReadBackExactly) {
  EXPECT_EQ(metric_number(0), "0");
  EXPECT_EQ(metric_number(0.0005), "0.0005");
  EXPECT_EQ(metric_number(2.5), "2.5");
  EXPECT_EQ(metric_number(1e21), "1e+21");
  EXPECT_EQ(metric_number(std::nan("")), "NaN");
  EXPECT_EQ(metric_number(HUGE_VAL), "+Inf");
  EXPECT_EQ(metric_number(-HUGE_VAL), "-Inf");
}

TEST(PrometheusText, HostileLabelValuesParseBackToThemselves) {
  const std::string hostile = "r\"}\n# TYPE evil counter\nevil 1\\";
  PrometheusText out(MetricLabels{{"run_id", "x\"y"}});
  out.family("t_rules_fired_total", "counter", "Rules fired.\nBy name \\ rule.");
  out.sample("t_rules_fired_total", {{"rule", hostile}}, std::uint64_t{3});
  out.sample("t_rules_fired_total", {{"rule", "plain"}}, std::uint64_t{4});
  const auto parsed = test::parse_prometheus(out.text());
  ASSERT_EQ(parsed.error, "") << out.text();
  ASSERT_EQ(parsed.samples.size(), 2u);
  EXPECT_EQ(parsed.samples[0].labels.at("rule"), hostile);
  EXPECT_EQ(parsed.samples[0].labels.at("run_id"), "x\"y");
  EXPECT_EQ(parsed.value("t_rules_fired_total", {{"rule", hostile}}), 3.0);
  EXPECT_EQ(parsed.types.count("evil"), 0u);
}

TEST(PrometheusText, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  const std::array<double, 3> bounds = {0.25, 1, 10};
  ClassicHistogram h(bounds);
  for (double v : {0.125, 0.25, 0.5, 1.0, 7.0, 11.0, 100.0}) h.observe(v);
  const auto cumulative = h.cumulative();
  // "le" is "less than or equal": 0.25 and 1.0 count in their own bucket.
  EXPECT_EQ(cumulative, (std::vector<std::uint64_t>{2, 4, 5}));
  EXPECT_EQ(h.count(), 7u);
  EXPECT_EQ(h.sum(), 119.875);  // exact in binary

  PrometheusText out;
  out.family("t_seconds", "histogram", "A histogram.");
  out.histogram("t_seconds", {{"phase", "mail"}}, h.bounds(), cumulative, h.count(), h.sum());
  EXPECT_EQ(out.text(),
            "# HELP t_seconds A histogram.\n"
            "# TYPE t_seconds histogram\n"
            "t_seconds_bucket{phase=\"mail\",le=\"0.25\"} 2\n"
            "t_seconds_bucket{phase=\"mail\",le=\"1\"} 4\n"
            "t_seconds_bucket{phase=\"mail\",le=\"10\"} 5\n"
            "t_seconds_bucket{phase=\"mail\",le=\"+Inf\"} 7\n"
            "t_seconds_sum{phase=\"mail\"} 119.875\n"
            "t_seconds_count{phase=\"mail\"} 7\n");
  EXPECT_EQ(test::parse_prometheus(out.text()).error, "");
}

// The reader the tests rely on refuses what Prometheus would.
TEST(PrometheusText, TheTestReaderRefusesInvalidDocuments) {
  const char* bad[] = {
      "# TYPE a counter\na{x=\"1\\t\"} 1\n",  // bad escape
      "# TYPE a counter\na{x=\"1} 1\n",       // unterminated
      "# TYPE a counter\na 1\na 2\n",         // series twice
      "b 1\n",                                // no TYPE block
      "# TYPE a counter\na one\n",            // not a number
      "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"2\"} 1\n"
      "h_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n",                   // not cumulative
      "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_sum 1\nh_count 2\n",  // no +Inf
      "# TYPE a counter\na 1",                                           // no final newline
  };
  for (const char* doc : bad) EXPECT_NE(test::parse_prometheus(doc).error, "") << doc;
}

}  // namespace
}  // namespace smtp::common::prometheus_text_test
