#include "reports/html/svg_percentile_chart.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <string_view>

#include "reports/html/chart_scale.hpp"
#include "reports/html/html_text.hpp"
#include "reports/html/svg_parts.hpp"

namespace smtp::reports::html {
namespace {

constexpr double kWidth = 760;
constexpr double kRowHeight = 24;

struct Mark {
  std::string_view label;
  std::string_view color;
  double PercentileRow::*value;
};
constexpr std::array<Mark, 4> kMarks = {{{"p50", palette::p50, &PercentileRow::p50_ns},
                                         {"p90", palette::p90, &PercentileRow::p90_ns},
                                         {"p99", palette::p99, &PercentileRow::p99_ns},
                                         {"p99.9", palette::p999, &PercentileRow::p999_ns}}};

std::string line(double x1, double y1, double x2, double y2, std::string_view color, double width) {
  return "<line x1=\"" + coordinate(x1) + "\" y1=\"" + coordinate(y1) + "\" x2=\"" +
         coordinate(x2) + "\" y2=\"" + coordinate(y2) + "\" stroke=\"" + std::string(color) +
         "\" stroke-width=\"" + coordinate(width) + "\"/>";
}

// "p50 1.2ms, p90 ..." for the row's tooltip.
std::string row_summary(const PercentileRow& row) {
  std::string text = row.phase + ": " + std::to_string(row.count) + " timed, min " +
                     format_value(row.min_ns, Unit::nanoseconds);
  for (const Mark& mark : kMarks) {
    text += ", " + std::string(mark.label) + " " + format_value(row.*mark.value, Unit::nanoseconds);
  }
  return text + ", max " + format_value(row.max_ns, Unit::nanoseconds);
}

}  // namespace

std::string svg_percentile_chart(const std::vector<PercentileRow>& rows, const std::string& title) {
  double lowest = std::numeric_limits<double>::max();
  double highest = 0;
  for (const PercentileRow& row : rows) {
    lowest = std::min(lowest, std::max(row.min_ns, 1.0));
    highest = std::max(highest, row.max_ns);
  }
  const Axis axis = rows.empty() ? log_axis(1e3, 1e6, Unit::nanoseconds)
                                 : log_axis(lowest, highest, Unit::nanoseconds);
  const double plot_height =
      kRowHeight * static_cast<double>(std::max<std::size_t>(rows.size(), 1));
  const PlotArea plot{110, 40, kWidth - 110 - 24, plot_height};
  const double height = plot.bottom() + 40;

  std::string svg = svg_open(kWidth, height, title,
                             "Per phase: min to max (grey line), p50 to p99 (band), and marks at "
                             "p50, p90, p99 and p99.9, on a logarithmic axis.");
  std::vector<LegendItem> items;
  for (const Mark& mark : kMarks)
    items.push_back({std::string(mark.label), std::string(mark.color)});
  items.push_back({"min to max", std::string(palette::range)});
  svg += legend(plot.left, 16, items);
  svg += horizontal_axis(plot, axis, "latency (logarithmic)");
  if (rows.empty()) return svg + empty_note(plot, "no latencies recorded") + "</svg>";

  for (std::size_t i = 0; i < rows.size(); ++i) {
    const PercentileRow& row = rows[i];
    const double y = plot.top + kRowHeight * (static_cast<double>(i) + 0.5);
    svg += "<g class=\"phase-row\"><title>" + html_text(row_summary(row)) + "</title>";
    svg += "<text class=\"row-label\" x=\"" + coordinate(plot.left - 8) + "\" y=\"" +
           coordinate(y + 4) + "\" text-anchor=\"end\">" + html_text(row.phase) + "</text>";
    svg += line(plot.x(axis, row.min_ns), y, plot.x(axis, row.max_ns), y, palette::range, 2);
    svg += line(plot.x(axis, row.p50_ns), y, plot.x(axis, row.p99_ns), y, "#d0ebff", 10);
    for (const Mark& mark : kMarks) {
      const double x = plot.x(axis, row.*mark.value);
      svg += line(x, y - 7, x, y + 7, mark.color, 2.5);
    }
    svg += "</g>";
  }
  return svg + "</svg>";
}

}  // namespace smtp::reports::html
