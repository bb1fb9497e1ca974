#pragma once
// The Prometheus text exposition format, version 0.0.4, that both programs
// serve at GET /metrics (README, "Prometheus metrics"). One writer, so that
// the escaping and the histogram rules are written once:
//   # HELP name text        (text: backslash and newline escaped)
//   # TYPE name counter|gauge|histogram
//   name{label="value",...} number
// Label values come from users (rule names, commands, reply codes): a
// backslash, a double quote and a newline are escaped, every other byte is
// kept, so no input can end a sample early or forge another one. Standard
// library only.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace smtp::common {

inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// `\` → `\\`, `"` → `\"`, newline → `\n`.
std::string escape_label_value(std::string_view value);
// `\` → `\\`, newline → `\n` (HELP text).
std::string escape_help_text(std::string_view text);
// Shortest text that reads back as the same double; NaN and the infinities
// as the format spells them (NaN, +Inf, -Inf).
std::string metric_number(double value);

class PrometheusText {
 public:
  // `constant`: labels put on every sample (the load's shard and run_id).
  explicit PrometheusText(MetricLabels constant = {});

  // Starts a family: its HELP and TYPE lines. Each name once per document.
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, const MetricLabels& labels, double value);
  void sample(std::string_view name, const MetricLabels& labels, std::uint64_t value);
  void sample(std::string_view name, std::uint64_t value) { sample(name, {}, value); }
  void sample(std::string_view name, double value) { sample(name, {}, value); }

  // A classic histogram's samples (after family(name, "histogram", ...)):
  // name_bucket{le=...} for each finite upper bound, then le="+Inf",
  // name_sum and name_count. `cumulative[i]` counts the observations at or
  // below bounds[i]; bounds increase, and both spans have the same size.
  void histogram(std::string_view name, const MetricLabels& labels, std::span<const double> bounds,
                 std::span<const std::uint64_t> cumulative, std::uint64_t count, double sum);

  const std::string& text() const { return out_; }

 private:
  void labels(const MetricLabels& labels, const std::pair<std::string, std::string>* extra);
  void line(std::string_view name, const MetricLabels& labels,
            const std::pair<std::string, std::string>* extra, std::string_view value);

  MetricLabels constant_;
  std::string out_;
};

}  // namespace smtp::common
