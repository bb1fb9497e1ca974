#pragma once
// The latency distribution of one phase, from the sparse log-linear
// histograms of a result file (reports/schema/result.schema.json,
// "HISTOGRAMS"), re-binned for a chart: a few dozen bins, evenly spaced on a
// log scale between the smallest and the largest value, one series per
// reply class. Each bucket's count goes to the bin holding the bucket's
// midpoint clamped to [min_ns, max_ns], the value the schema's quantiles
// report for it, so the chart agrees with the percentile table.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace smtp::reports::html {

struct HistogramLayout {
  unsigned sub_bucket_bits = 0;
  std::uint64_t lowest_trackable_ns = 1;  // a power of two
  std::uint64_t highest_trackable_ns = 1;
};

// [low, high) of bucket `index`, in nanoseconds, as the schema defines it:
// bucket 0 is [0, lowest); bucket i >= 1 has e = log2(lowest) + (i - 1) /
// 2^bits and s = (i - 1) mod 2^bits and covers
// [2^e + s * 2^(e - bits), 2^e + (s + 1) * 2^(e - bits)).
struct BucketBounds {
  double low = 0;
  double high = 0;
};
BucketBounds bucket_bounds(const HistogramLayout& layout, std::uint64_t index);

struct Distribution {
  struct Series {
    std::string label;                  // "2xx"
    std::vector<std::uint64_t> counts;  // one per bin
  };
  std::vector<double> edges;  // bins + 1, nanoseconds, increasing; empty when no data
  std::vector<Series> series;
  std::uint64_t total = 0;
};

// One series from a histogram of the schema's sparse form ($defs/histogram).
struct LabelledHistogram {
  std::string label;                  // the series' label: "2xx", "delivered"
  const nlohmann::json* histogram{};  // the "histogram" object
};

// Histograms binned together, one series each, in order; empty histograms
// add no series. None with data give an empty distribution.
Distribution histogram_distribution(const std::vector<LabelledHistogram>& histograms,
                                    std::size_t max_bins = 48);

// From the load part's "latency" array: the entries of `phase`, one series
// per reply class, in the array's order. No entries, or only empty ones,
// give an empty distribution.
Distribution latency_distribution(const nlohmann::json& latency, std::string_view phase,
                                  std::size_t max_bins = 48);

}  // namespace smtp::reports::html
