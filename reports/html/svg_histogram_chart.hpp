#pragma once
// A latency distribution as stacked bars (one colour per series: a reply
// class, or "delivered" in the reply class 2xx's colour) over a log axis of
// latency, bar height the number of timings in the bin.
#include <string>

#include "reports/html/latency_distribution.hpp"

namespace smtp::reports::html {

// What the chart says about itself: its <title>, its <desc>, and what
// follows a series' label in the legend ("2xx" + " replies").
struct HistogramChartText {
  std::string title;
  std::string description;
  std::string legend_suffix;
};

std::string svg_histogram_chart(const Distribution& distribution, const HistogramChartText& text);

// The latency distribution of a phase, stacked by reply class.
std::string svg_histogram_chart(const Distribution& distribution, const std::string& title);

}  // namespace smtp::reports::html
