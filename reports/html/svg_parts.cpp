#include "reports/html/svg_parts.hpp"

#include <cmath>

#include "reports/fixed_decimal.hpp"
#include "reports/html/html_text.hpp"

namespace smtp::reports::html {
namespace {

// A rough width of a label in the charts' 11-unit font, to lay out legends.
double text_width(std::string_view text) {
  std::size_t characters = 0;
  for (const char c : text) {
    // Count UTF-8 lead bytes only.
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++characters;
  }
  return 6.5 * static_cast<double>(characters);
}

std::string text_element(double x, double y, std::string_view anchor, std::string_view css_class,
                         std::string_view text) {
  return "<text x=\"" + coordinate(x) + "\" y=\"" + coordinate(y) + "\" text-anchor=\"" +
         std::string(anchor) + "\" class=\"" + std::string(css_class) + "\">" + html_text(text) +
         "</text>";
}

}  // namespace

std::string coordinate(double value) {
  if (!std::isfinite(value)) value = 0;
  std::string text = fixed_decimal(value, 1);
  if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0) text.resize(text.size() - 2);
  if (text == "-0") text = "0";
  return text;
}

std::string svg_open(double width, double height, std::string_view title,
                     std::string_view description) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 " +
         coordinate(width) + " " + coordinate(height) + "\" role=\"img\">" + "<title>" +
         html_text(title) + "</title><desc>" + html_text(description) + "</desc>";
}

std::string horizontal_axis(const PlotArea& plot, const Axis& axis, std::string_view title) {
  std::string svg = "<g class=\"axis\">";
  for (const double tick : axis.ticks) {
    const std::string x = coordinate(plot.x(axis, tick));
    svg += "<line class=\"grid\" x1=\"" + x + "\" y1=\"" + coordinate(plot.top) + "\" x2=\"" + x +
           "\" y2=\"" + coordinate(plot.bottom()) + "\"/>";
    svg += text_element(plot.x(axis, tick), plot.bottom() + 14, "middle", "tick",
                        format_value(tick, axis.unit));
  }
  svg += "<line class=\"baseline\" x1=\"" + coordinate(plot.left) + "\" y1=\"" +
         coordinate(plot.bottom()) + "\" x2=\"" + coordinate(plot.right()) + "\" y2=\"" +
         coordinate(plot.bottom()) + "\"/>";
  svg +=
      text_element(plot.left + plot.width / 2, plot.bottom() + 30, "middle", "axis-title", title);
  return svg + "</g>";
}

std::string vertical_axis(const PlotArea& plot, const Axis& axis, std::string_view title) {
  std::string svg = "<g class=\"axis\">";
  for (const double tick : axis.ticks) {
    const std::string y = coordinate(plot.y(axis, tick));
    svg += "<line class=\"grid\" x1=\"" + coordinate(plot.left) + "\" y1=\"" + y + "\" x2=\"" +
           coordinate(plot.right()) + "\" y2=\"" + y + "\"/>";
    svg += text_element(plot.left - 6, plot.y(axis, tick) + 4, "end", "tick",
                        format_value(tick, axis.unit));
  }
  svg += "<line class=\"baseline\" x1=\"" + coordinate(plot.left) + "\" y1=\"" +
         coordinate(plot.top) + "\" x2=\"" + coordinate(plot.left) + "\" y2=\"" +
         coordinate(plot.bottom()) + "\"/>";
  svg += text_element(plot.left - 6, plot.top - 10, "end", "axis-title", title);
  return svg + "</g>";
}

std::string legend(double x, double y, const std::vector<LegendItem>& items) {
  std::string svg = "<g class=\"legend\">";
  for (const LegendItem& item : items) {
    const std::string color = html_text(item.color);
    svg += "<line x1=\"" + coordinate(x) + "\" y1=\"" + coordinate(y - 4) + "\" x2=\"" +
           coordinate(x + 16) + "\" y2=\"" + coordinate(y - 4) + "\" stroke=\"" + color +
           "\" stroke-width=\"3\"" + (item.dashed ? " stroke-dasharray=\"4 3\"" : "") + "/>";
    svg += text_element(x + 20, y, "start", "legend-label", item.label);
    x += 20 + text_width(item.label) + 16;
  }
  return svg + "</g>";
}

std::string empty_note(const PlotArea& plot, std::string_view text) {
  return text_element(plot.left + plot.width / 2, plot.top + plot.height / 2, "middle", "empty",
                      text);
}

}  // namespace smtp::reports::html
