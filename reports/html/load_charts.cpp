// The charts of a load run's section, from the document's JSON.
#include <algorithm>
#include <string>
#include <vector>

#include "load/format.hpp"
#include "reports/html/html_blocks.hpp"
#include "reports/html/html_text.hpp"
#include "reports/html/latency_distribution.hpp"
#include "reports/html/load_parts.hpp"
#include "reports/html/svg_histogram_chart.hpp"
#include "reports/html/svg_line_chart.hpp"
#include "reports/html/svg_parts.hpp"
#include "reports/html/svg_percentile_chart.hpp"

namespace smtp::reports::html {
namespace {

std::vector<double> series_values(const nlohmann::json& series, std::string_view key) {
  std::vector<double> values;
  values.reserve(series.size());
  for (const nlohmann::json& second : series) values.push_back(json_number(second, key));
  return values;
}

std::string figure(const std::string& svg, std::string_view caption) {
  return "<figure>" + svg + "<figcaption>" + html_text(caption) + "</figcaption></figure>\n";
}

// The phase whose distribution the report shows: the whole transaction when
// it was timed, else the first phase that was.
std::string distribution_phase(const nlohmann::json& load) {
  const nlohmann::json& phases = load.at("phases");
  for (const nlohmann::json& phase : phases) {
    if (json_text(phase, "phase") == "transaction") return "transaction";
  }
  return phases.empty() ? "transaction" : json_text(phases.front(), "phase");
}

}  // namespace

std::string throughput_figure(const nlohmann::json& load) {
  nlohmann::json series = load.at("series");
  // The run's last second is usually cut short (a run of 3.011 s has a
  // fourth second of 11 ms): its counts are not a rate, and drawn as one
  // they would show a collapse at the end that did not happen.
  std::string partial;
  if (series.size() > 1) {
    const double last = json_number(series.back(), "second");
    const double ran = json_number(load, "elapsed_seconds") - last;
    if (ran < 0.999) {
      partial = " The last second, cut short after " +
                load::format_number(std::max(ran, 0.0) * 1000, 3) + " ms, is left out.";
      series.erase(series.end() - 1);
    }
  }
  LineChart chart;
  chart.title = "Throughput over time";
  chart.description =
      "Transactions per second: started (sent), delivered (ok), refused with 4xx and with 5xx.";
  chart.x_title = "time since the start";
  chart.y_title = "msg/s";
  chart.y_unit = Unit::rate;
  chart.series = {
      {"sent", std::string(palette::sent), series_values(series, "started")},
      {"ok", std::string(palette::ok), series_values(series, "delivered")},
      {"4xx", std::string(palette::class_4xx), series_values(series, "refused_4xx")},
      {"5xx", std::string(palette::class_5xx), series_values(series, "refused_5xx")},
  };
  if (load.contains("target_rate")) {
    LineSeries target{"target rate", std::string(palette::target),
                      series_values(series, "target_rate")};
    target.dashed = true;
    chart.series.push_back(std::move(target));
  }
  return figure(svg_line_chart(chart),
                "Per second of the run. Failed transactions (connection lost or timed out) are "
                "sent but neither ok, 4xx nor 5xx." +
                    partial);
}

std::string latency_over_time_figure(const nlohmann::json& load) {
  const nlohmann::json& series = load.at("series");
  LineChart chart;
  chart.title = "Transaction latency over time";
  chart.description = "p50 and p99 response time of the transactions decided in each second.";
  chart.x_title = "time since the start";
  chart.y_title = "latency";
  chart.y_unit = Unit::nanoseconds;
  chart.series = {
      {"p50", std::string(palette::p50), series_values(series, "p50_ns"), false,
       LineSeries::Combine::max, true},
      {"p99", std::string(palette::p99), series_values(series, "p99_ns"), false,
       LineSeries::Combine::max, true},
  };
  return figure(svg_line_chart(chart),
                "Response time of the transactions decided in each second (a gap where none was). "
                "On long runs each point is the highest of several seconds.");
}

std::string percentiles_figure(const nlohmann::json& load) {
  std::vector<PercentileRow> rows;
  for (const nlohmann::json& phase : load.at("phases")) {
    rows.push_back({json_text(phase, "phase"), json_count(phase, "count"),
                    json_number(phase, "min_ns"), json_number(phase, "p50_ns"),
                    json_number(phase, "p90_ns"), json_number(phase, "p99_ns"),
                    json_number(phase, "p999_ns"), json_number(phase, "max_ns")});
  }
  return figure(svg_percentile_chart(rows, "Latency percentiles by phase"),
                "Every reply class merged. Percentiles come from log-linear histograms with "
                "under 0.4% relative error.");
}

std::string distribution_figure(const nlohmann::json& load) {
  const std::string phase = distribution_phase(load);
  const Distribution distribution = latency_distribution(load.at("latency"), phase);
  std::string note = "Phase " + phase + ": " + std::to_string(distribution.total) +
                     " timings, binned on a logarithmic scale, stacked by the class of the reply "
                     "that decided them.";
  for (const nlohmann::json& entry : load.at("latency")) {
    if (json_text(entry, "phase") != phase) continue;
    const std::uint64_t overflow = json_count(entry.at("histogram"), "overflow");
    if (overflow > 0) {
      note += " " + std::to_string(overflow) + " " + json_text(entry, "class") +
              " timings were above the histogram's range and are drawn at its end.";
    }
  }
  return figure(svg_histogram_chart(distribution, "Latency distribution: " + phase), note);
}

}  // namespace smtp::reports::html
