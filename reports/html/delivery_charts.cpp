// The charts of a load run's delivery section (a run with --sink), drawn by
// the report's own chart code: the delivery latency from acceptance and from
// the intended start, and per second the pairs delivered beside those
// accepted, with the backlog.
#include <string>
#include <vector>

#include "reports/html/delivery_parts.hpp"
#include "reports/html/html_blocks.hpp"
#include "reports/html/html_text.hpp"
#include "reports/html/latency_distribution.hpp"
#include "reports/html/svg_histogram_chart.hpp"
#include "reports/html/svg_line_chart.hpp"
#include "reports/html/svg_parts.hpp"

namespace smtp::reports::html {
namespace {

std::string figure(const std::string& svg, std::string_view caption) {
  return "<figure>" + svg + "<figcaption>" + html_text(caption) + "</figcaption></figure>\n";
}

// The series second by second from its first to its last: a second the file
// leaves out had nothing accepted or delivered, and the backlog of the
// second before.
struct DenseSeries {
  double first_second = 0;
  std::vector<double> accepted, delivered, backlog;
};

DenseSeries dense_series(const nlohmann::json& series) {
  DenseSeries dense;
  if (series.empty()) return dense;
  const std::uint64_t first = json_count(series.front(), "second");
  dense.first_second = static_cast<double>(first);
  for (const nlohmann::json& second : series) {
    const std::uint64_t at = json_count(second, "second") - first;
    while (dense.accepted.size() < at) {
      dense.accepted.push_back(0);
      dense.delivered.push_back(0);
      dense.backlog.push_back(dense.backlog.empty() ? 0 : dense.backlog.back());
    }
    dense.accepted.push_back(json_number(second, "accepted"));
    dense.delivered.push_back(json_number(second, "delivered"));
    dense.backlog.push_back(json_number(second, "backlog"));
  }
  return dense;
}

// One histogram of the section ("latency", "latency_from_start") as a
// distribution chart, its overflow said in the caption.
std::string latency_figure(const nlohmann::json& delivery, std::string_view key,
                           const std::string& title, const std::string& since) {
  const nlohmann::json& histogram = delivery.at(std::string(key)).at("histogram");
  const Distribution distribution = histogram_distribution({{"delivered", &histogram}});
  std::string caption = std::to_string(distribution.total) +
                        " pairs, each at its first arrival at the sink, timed " + since +
                        "; binned on a logarithmic scale.";
  const std::uint64_t overflow = json_count(histogram, "overflow");
  if (overflow > 0) {
    caption += " " + std::to_string(overflow) +
               " were above the histogram's range and are drawn at its end.";
  }
  return figure(
      svg_histogram_chart(distribution, {title,
                                         "How many pairs of message and recipient arrived within "
                                         "each latency range, on a logarithmic latency axis.",
                                         " pairs"}),
      caption);
}

}  // namespace

std::string delivery_latency_figures(const nlohmann::json& delivery) {
  return latency_figure(delivery, "latency", "Delivery latency from acceptance",
                        "from the 250 reply at the end of data") +
         latency_figure(delivery, "latency_from_start", "Delivery latency from the intended start",
                        "from the transaction's intended start (the open model's schedule), so "
                        "that a slow submission counts too");
}

std::string delivery_over_time_figure(const nlohmann::json& delivery) {
  DenseSeries series = dense_series(delivery.at("series"));
  LineChart chart;
  chart.title = "Delivered and accepted over time";
  chart.description =
      "Pairs of message and recipient per second: accepted by the relay, delivered at the "
      "sink, and the backlog of accepted pairs neither delivered nor bounced yet.";
  chart.x_title = "time since the start";
  chart.y_title = "pairs";
  chart.y_unit = Unit::count;
  chart.x_start = series.first_second;
  chart.series = {
      {"accepted", std::string(palette::sent), std::move(series.accepted)},
      {"delivered", std::string(palette::ok), std::move(series.delivered)},
  };
  LineSeries backlog{"backlog", std::string(palette::class_4xx), std::move(series.backlog)};
  backlog.dashed = true;
  chart.series.push_back(std::move(backlog));
  return figure(svg_line_chart(chart),
                "Per second of the run and of the drain after it. accepted and delivered are "
                "per second; backlog is the count at each second's end.");
}

}  // namespace smtp::reports::html
