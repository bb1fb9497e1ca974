#include "reports/html/svg_line_chart.hpp"

#include <algorithm>
#include <utility>

#include "reports/html/html_text.hpp"
#include "reports/html/svg_parts.hpp"

namespace smtp::reports::html {
namespace {

constexpr double kWidth = 760;
constexpr double kHeight = 280;

// Groups of `group` consecutive values combined into one.
std::vector<double> combined(const LineSeries& series, std::size_t group) {
  if (group <= 1) return series.values;
  std::vector<double> out;
  for (std::size_t at = 0; at < series.values.size(); at += group) {
    const std::size_t end = std::min(series.values.size(), at + group);
    double value = 0;
    for (std::size_t i = at; i < end; ++i) {
      value = series.combine == LineSeries::Combine::max ? std::max(value, series.values[i])
                                                         : value + series.values[i];
    }
    if (series.combine == LineSeries::Combine::mean) value /= static_cast<double>(end - at);
    out.push_back(value);
  }
  return out;
}

}  // namespace

std::string svg_line_chart(const LineChart& chart) {
  std::size_t length = 0;
  for (const LineSeries& series : chart.series) length = std::max(length, series.values.size());
  const std::size_t max_points = std::max<std::size_t>(chart.max_points, 2);
  const std::size_t group = length > max_points ? (length + max_points - 1) / max_points : 1;
  const double step = chart.x_step * static_cast<double>(group);

  std::vector<std::vector<double>> lines;
  double highest = 0;
  for (const LineSeries& series : chart.series) {
    lines.push_back(combined(series, group));
    for (const double value : lines.back()) highest = std::max(highest, value);
  }
  const std::size_t points = group > 1 ? (length + group - 1) / group : length;

  PlotArea plot{70, 44, kWidth - 70 - 20, kHeight - 44 - 42};
  // The x axis spans the samples; a lone sample gets a second's room.
  const double x_last = chart.x_start + step * static_cast<double>(points > 1 ? points - 1 : 1);
  Axis x_axis = linear_axis(x_last, Unit::seconds);
  if (x_axis.high > x_last && points > 1) {
    // Keep the line to the right edge: the ticks stay, the axis ends at the data.
    x_axis.high = x_last;
    while (!x_axis.ticks.empty() && x_axis.ticks.back() > x_last) x_axis.ticks.pop_back();
  }
  const Axis y_axis = linear_axis(highest, chart.y_unit);

  std::string svg = svg_open(kWidth, kHeight, chart.title, chart.description);
  std::vector<LegendItem> items;
  for (const LineSeries& series : chart.series) {
    items.push_back({series.label, series.color, series.dashed});
  }
  svg += legend(plot.left, 16, items);
  svg += vertical_axis(plot, y_axis, chart.y_title);
  svg += horizontal_axis(plot, x_axis, chart.x_title);
  if (points == 0) return svg + empty_note(plot, "no samples") + "</svg>";

  for (std::size_t s = 0; s < lines.size(); ++s) {
    const LineSeries& series = chart.series[s];
    const std::string color = html_text(series.color);
    const auto point = [&](std::size_t i) {
      const double x = chart.x_start + step * static_cast<double>(i);
      return std::pair{coordinate(plot.x(x_axis, x)), coordinate(plot.y(y_axis, lines[s][i]))};
    };
    const auto present = [&](std::size_t i) {
      return !(series.zero_is_missing && lines[s][i] == 0);
    };
    svg += "<g class=\"series\"><title>" + html_text(series.label) + "</title>";
    // One polyline per run of present points.
    for (std::size_t begin = 0; begin < lines[s].size();) {
      if (!present(begin)) {
        ++begin;
        continue;
      }
      std::size_t end = begin;
      std::string coordinates;
      for (; end < lines[s].size() && present(end); ++end) {
        const auto [x, y] = point(end);
        coordinates += (coordinates.empty() ? "" : " ") + x + "," + y;
      }
      if (end - begin > 1) {
        svg += "<polyline fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2\"" +
               (series.dashed ? " stroke-dasharray=\"6 4\"" : "") + " points=\"" + coordinates +
               "\"/>";
      }
      // Markers where there are few points, and for a point on its own.
      for (std::size_t i = begin; i < end; ++i) {
        if (lines[s].size() > 60 && end - begin > 1) break;
        const auto [x, y] = point(i);
        svg += "<circle r=\"2.5\" fill=\"" + color + "\" cx=\"" + x + "\" cy=\"" + y + "\"/>";
      }
      begin = end;
    }
    svg += "</g>";
  }
  return svg + "</svg>";
}

}  // namespace smtp::reports::html
