#pragma once
// Latency percentiles per phase as one row per phase on a shared log axis:
// a thin line from min to max, a band from p50 to p99, and a mark at each of
// p50, p90, p99 and p99.9. Phases differ by orders of magnitude (a connect
// in microseconds, end of data in milliseconds), hence the log axis.
#include <cstdint>
#include <string>
#include <vector>

namespace smtp::reports::html {

struct PercentileRow {
  std::string phase;
  std::uint64_t count = 0;
  double min_ns = 0;
  double p50_ns = 0;
  double p90_ns = 0;
  double p99_ns = 0;
  double p999_ns = 0;
  double max_ns = 0;
};

std::string svg_percentile_chart(const std::vector<PercentileRow>& rows, const std::string& title);

}  // namespace smtp::reports::html
