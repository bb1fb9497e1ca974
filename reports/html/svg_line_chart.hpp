#pragma once
// A line chart over time, for the per-second series of a load run
// (throughput: sent, ok, 4xx, 5xx; latency: p50, p99). The x of point i is
// x_start + i * x_step. Long runs are drawn with at most max_points points
// per line: consecutive points are combined (their mean for rates, their
// maximum for latencies, so that a spike stays visible). A lone point gets a
// marker, an empty chart says so. A series whose 0 means "no data" (the
// latency of a second in which no transaction was decided) has gaps there
// instead of a dive to the axis.
#include <string>
#include <vector>

#include "reports/html/chart_scale.hpp"

namespace smtp::reports::html {

struct LineSeries {
  enum class Combine { mean, max };
  std::string label;
  std::string color;
  std::vector<double> values;
  bool dashed = false;
  Combine combine = Combine::mean;
  bool zero_is_missing = false;
};

struct LineChart {
  std::string title;  // the SVG's <title>
  std::string description;
  std::string x_title;
  std::string y_title;
  Unit y_unit = Unit::count;
  double x_start = 0;
  double x_step = 1;
  std::vector<LineSeries> series;
  std::size_t max_points = 600;
};

std::string svg_line_chart(const LineChart& chart);

}  // namespace smtp::reports::html
