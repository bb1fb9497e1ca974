// The report's charts degrade sanely: no data, one point, all zeros, one
// phase, huge values; and what they label is escaped.
#include <gtest/gtest.h>

#include <string>

#include "load/histogram.hpp"
#include "proto/utf8.hpp"
#include "reports/html/svg_histogram_chart.hpp"
#include "reports/html/svg_line_chart.hpp"
#include "reports/html/svg_percentile_chart.hpp"
#include "reports/result_json.hpp"
#include "text_search.hpp"

namespace smtp::reports::html::svg_chart_test {
namespace {

using testing::occurrences;

bool well_formed_svg(const std::string& svg) {
  return svg.rfind("<svg ", 0) == 0 && svg.size() > 6 && svg.substr(svg.size() - 6) == "</svg>" &&
         occurrences(svg, "<svg") == 1 &&
         occurrences(svg, "<text") == occurrences(svg, "</text>") &&
         occurrences(svg, "<g ") + occurrences(svg, "<g>") == occurrences(svg, "</g>") &&
         // No coordinate that is not a number.
         svg.find("nan") == std::string::npos && svg.find("=\"inf") == std::string::npos &&
         svg.find(",inf") == std::string::npos && proto::is_utf8(svg);
}

LineChart throughput(std::vector<double> sent, std::vector<double> ok) {
  LineChart chart;
  chart.title = "Throughput";
  chart.y_title = "msg/s";
  chart.y_unit = Unit::rate;
  chart.series = {{"sent", "#00f", std::move(sent)}, {"ok", "#0f0", std::move(ok)}};
  return chart;
}

TEST(SvgLineChart, DrawsOneLinePerSeries) {
  const std::string svg = svg_line_chart(throughput({200, 210, 190}, {198, 200, 185}));
  EXPECT_TRUE(well_formed_svg(svg)) << svg;
  EXPECT_EQ(occurrences(svg, "<polyline"), 2u);
  EXPECT_NE(svg.find("200/s"), std::string::npos) << "a y tick labelled with its unit";
  EXPECT_NE(svg.find(">2s<"), std::string::npos) << "an x tick in seconds";
}

TEST(SvgLineChart, EmptySeriesSayNoSamples) {
  const std::string svg = svg_line_chart(throughput({}, {}));
  EXPECT_TRUE(well_formed_svg(svg)) << svg;
  EXPECT_EQ(occurrences(svg, "<polyline"), 0u);
  EXPECT_NE(svg.find("no samples"), std::string::npos);
}

TEST(SvgLineChart, ASinglePointGetsAMarker) {
  const std::string svg = svg_line_chart(throughput({5}, {4}));
  EXPECT_TRUE(well_formed_svg(svg)) << svg;
  EXPECT_EQ(occurrences(svg, "<polyline"), 0u);
  EXPECT_EQ(occurrences(svg, "<circle"), 2u);
}

TEST(SvgLineChart, AllZerosDrawOnTheBaseline) {
  const std::string svg = svg_line_chart(throughput({0, 0, 0}, {0, 0, 0}));
  EXPECT_TRUE(well_formed_svg(svg)) << svg;
  EXPECT_EQ(occurrences(svg, "<polyline"), 2u);
}

TEST(SvgLineChart, LongRunsAreCombinedToAFewHundredPoints) {
  std::vector<double> values(86'400, 100);
  values[50'000] = 1e9;  // a spike the max combination keeps
  LineChart chart = throughput(values, values);
  chart.series[1].combine = LineSeries::Combine::max;
  const std::string svg = svg_line_chart(chart);
  EXPECT_TRUE(well_formed_svg(svg));
  EXPECT_LT(svg.size(), 100'000u);
  EXPECT_NE(svg.find("1G/s"), std::string::npos) << "the spike sets the axis";
}

TEST(SvgLineChart, LabelsAreEscaped) {
  LineChart chart = throughput({1, 2}, {1, 2});
  chart.title = "<script>alert(1)</script>";
  chart.series[0].label = "\"quoted\" & \xff";
  const std::string svg = svg_line_chart(chart);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_NE(svg.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(svg.find("&quot;quoted&quot; &amp; \\xff"), std::string::npos);
  EXPECT_TRUE(proto::is_utf8(svg));
}

TEST(SvgPercentileChart, OneRowPerPhaseOnALogAxis) {
  std::vector<PercentileRow> rows = {
      {"connect", 10, 40e3, 90e3, 150e3, 230e3, 240e3, 250e3},
      {"transaction", 500, 1e6, 20e6, 28e6, 40e6, 3.7e12, 3.7e12},  // huge: above an hour
  };
  const std::string svg = svg_percentile_chart(rows, "percentiles");
  EXPECT_TRUE(well_formed_svg(svg)) << svg;
  EXPECT_EQ(occurrences(svg, "class=\"phase-row\""), 2u);
  EXPECT_NE(svg.find(">connect<"), std::string::npos);
  EXPECT_NE(svg.find(">1ms<"), std::string::npos);
}

TEST(SvgPercentileChart, NoPhaseAndZeroLatencies) {
  EXPECT_TRUE(well_formed_svg(svg_percentile_chart({}, "none")));
  const std::string zeros = svg_percentile_chart({{"banner", 1, 0, 0, 0, 0, 0, 0}}, "zeros");
  EXPECT_TRUE(well_formed_svg(zeros)) << zeros;
  EXPECT_EQ(occurrences(zeros, "class=\"phase-row\""), 1u);
}

TEST(SvgHistogramChart, StacksTheClasses) {
  load::Histogram ok;
  for (std::uint64_t v = 1'000'000; v < 9'000'000; v += 10'000) ok.record(v);
  load::Histogram refused;
  refused.record(4'000'000, 3);
  const nlohmann::json latency = nlohmann::json::array(
      {{{"phase", "transaction"}, {"class", "2xx"}, {"histogram", histogram_to_json(ok)}},
       {{"phase", "transaction"}, {"class", "5xx"}, {"histogram", histogram_to_json(refused)}}});
  const std::string svg = svg_histogram_chart(latency_distribution(latency, "transaction"), "d");
  EXPECT_TRUE(well_formed_svg(svg)) << svg;
  EXPECT_GT(occurrences(svg, "<rect"), 10u);
  EXPECT_NE(svg.find("5xx: 3 between"), std::string::npos);
}

TEST(SvgHistogramChart, NoTimingsSaySo) {
  const std::string svg = svg_histogram_chart(Distribution{}, "empty");
  EXPECT_TRUE(well_formed_svg(svg)) << svg;
  EXPECT_EQ(occurrences(svg, "<rect"), 0u);
  EXPECT_NE(svg.find("no timings recorded"), std::string::npos);
}

}  // namespace
}  // namespace smtp::reports::html::svg_chart_test
