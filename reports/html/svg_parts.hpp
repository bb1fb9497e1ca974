#pragma once
// The pieces every chart of the HTML report is drawn with: the frame (an
// <svg> with a viewBox, a <title> for screen readers and tooltips), axes with
// grid lines and labels, and a legend. Charts are inline SVG (no script, no
// external reference), sized by their viewBox so that they scale with the
// page. Every text that goes in passes through html_text.
#include <string>
#include <string_view>
#include <vector>

#include "reports/html/chart_scale.hpp"

namespace smtp::reports::html {

// The drawing area inside the frame, in viewBox units.
struct PlotArea {
  double left = 0;
  double top = 0;
  double width = 0;
  double height = 0;

  double right() const { return left + width; }
  double bottom() const { return top + height; }
  // The x of a value on a horizontal axis, the y of one on a vertical axis.
  double x(const Axis& axis, double value) const { return left + axis.fraction(value) * width; }
  double y(const Axis& axis, double value) const {
    return bottom() - axis.fraction(value) * height;
  }
};

struct LegendItem {
  std::string label;
  std::string color;  // a CSS colour from the palette below
  bool dashed = false;
};

// Coordinates with one decimal, whatever the C locale says.
std::string coordinate(double value);

// <svg ...><title>title</title><desc>description</desc>; the caller closes it
// with "</svg>".
std::string svg_open(double width, double height, std::string_view title,
                     std::string_view description);

// Grid lines at the ticks, tick labels, and the axis title below the plot.
std::string horizontal_axis(const PlotArea& plot, const Axis& axis, std::string_view title);
// Grid lines at the ticks, tick labels left of the plot, the title above them.
std::string vertical_axis(const PlotArea& plot, const Axis& axis, std::string_view title);

// One row of swatches and labels starting at (x, y).
std::string legend(double x, double y, const std::vector<LegendItem>& items);

// A centred note in an empty plot ("no data").
std::string empty_note(const PlotArea& plot, std::string_view text);

// The palette: one colour per meaning, the same in every chart and table.
namespace palette {
inline constexpr std::string_view sent = "#4c6ef5";
inline constexpr std::string_view ok = "#2b8a3e";
inline constexpr std::string_view class_4xx = "#e67700";
inline constexpr std::string_view class_5xx = "#c92a2a";
inline constexpr std::string_view class_3xx = "#5f3dc4";
inline constexpr std::string_view target = "#868e96";
inline constexpr std::string_view p50 = "#1971c2";
inline constexpr std::string_view p90 = "#0c8599";
inline constexpr std::string_view p99 = "#e8590c";
inline constexpr std::string_view p999 = "#a61e4d";
inline constexpr std::string_view range = "#adb5bd";
}  // namespace palette

}  // namespace smtp::reports::html
