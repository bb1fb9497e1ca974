#include "reports/html/svg_histogram_chart.hpp"

#include <algorithm>
#include <string_view>

#include "reports/html/chart_scale.hpp"
#include "reports/html/html_text.hpp"
#include "reports/html/svg_parts.hpp"

namespace smtp::reports::html {
namespace {

constexpr double kWidth = 760;
constexpr double kHeight = 280;

std::string_view class_color(std::string_view label) {
  if (label == "3xx") return palette::class_3xx;
  if (label == "4xx") return palette::class_4xx;
  if (label == "5xx") return palette::class_5xx;
  return palette::ok;
}

}  // namespace

std::string svg_histogram_chart(const Distribution& distribution, const std::string& title) {
  return svg_histogram_chart(distribution,
                             {title,
                              "How many timings fell in each latency range, stacked by reply "
                              "class, on a logarithmic latency axis.",
                              " replies"});
}

std::string svg_histogram_chart(const Distribution& distribution, const HistogramChartText& text) {
  const std::size_t bins = distribution.edges.empty() ? 0 : distribution.edges.size() - 1;
  std::uint64_t tallest = 0;
  for (std::size_t bin = 0; bin < bins; ++bin) {
    std::uint64_t stacked = 0;
    for (const auto& series : distribution.series) stacked += series.counts[bin];
    tallest = std::max(tallest, stacked);
  }
  const PlotArea plot{70, 44, kWidth - 70 - 24, kHeight - 44 - 42};
  const Axis x_axis = bins == 0 ? log_axis(1e3, 1e6, Unit::nanoseconds)
                                : log_axis(distribution.edges.front(), distribution.edges.back(),
                                           Unit::nanoseconds);
  const Axis y_axis = linear_axis(static_cast<double>(tallest), Unit::count);

  std::string svg = svg_open(kWidth, kHeight, text.title, text.description);
  std::vector<LegendItem> items;
  for (const auto& series : distribution.series) {
    items.push_back({series.label + text.legend_suffix, std::string(class_color(series.label))});
  }
  svg += legend(plot.left, 16, items);
  svg += vertical_axis(plot, y_axis, "timings");
  svg += horizontal_axis(plot, x_axis, "latency (logarithmic)");
  if (bins == 0) return svg + empty_note(plot, "no timings recorded") + "</svg>";

  for (std::size_t bin = 0; bin < bins; ++bin) {
    const double left = plot.x(x_axis, distribution.edges[bin]);
    const double right = plot.x(x_axis, distribution.edges[bin + 1]);
    // A hair of space between bars, unless they are thinner than that.
    const double width = std::max(right - left - (right - left > 3 ? 1 : 0), 0.5);
    std::uint64_t below = 0;
    for (const auto& series : distribution.series) {
      const std::uint64_t count = series.counts[bin];
      if (count == 0) continue;
      const double top = plot.y(y_axis, static_cast<double>(below + count));
      const double bottom = plot.y(y_axis, static_cast<double>(below));
      svg += "<rect x=\"" + coordinate(left) + "\" y=\"" + coordinate(top) + "\" width=\"" +
             coordinate(width) + "\" height=\"" + coordinate(std::max(bottom - top, 0.5)) +
             "\" fill=\"" + std::string(class_color(series.label)) + "\"><title>" +
             html_text(series.label + ": " + std::to_string(count) + " between " +
                       format_value(distribution.edges[bin], Unit::nanoseconds) + " and " +
                       format_value(distribution.edges[bin + 1], Unit::nanoseconds)) +
             "</title></rect>";
      below += count;
    }
  }
  return svg + "</svg>";
}

}  // namespace smtp::reports::html
