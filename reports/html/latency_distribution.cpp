#include "reports/html/latency_distribution.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace smtp::reports::html {
namespace {

struct Point {
  std::size_t series;
  double value;
  std::uint64_t count;
};

HistogramLayout read_layout(const nlohmann::json& histogram) {
  const nlohmann::json& layout = histogram.at("layout");
  return {layout.at("sub_bucket_bits").get<unsigned>(),
          layout.at("lowest_trackable_ns").get<std::uint64_t>(),
          layout.at("highest_trackable_ns").get<std::uint64_t>()};
}

}  // namespace

BucketBounds bucket_bounds(const HistogramLayout& layout, std::uint64_t index) {
  const auto lowest = static_cast<double>(layout.lowest_trackable_ns);
  if (index == 0) return {0, lowest};
  const std::uint64_t per_range = std::uint64_t{1} << layout.sub_bucket_bits;
  const int exponent =
      std::countr_zero(layout.lowest_trackable_ns) + static_cast<int>((index - 1) / per_range);
  const auto sub = static_cast<double>((index - 1) % per_range);
  const double start = std::ldexp(1.0, exponent);
  const double width = std::ldexp(1.0, exponent - static_cast<int>(layout.sub_bucket_bits));
  return {start + sub * width, start + (sub + 1) * width};
}

Distribution latency_distribution(const nlohmann::json& latency, std::string_view phase,
                                  std::size_t max_bins) {
  std::vector<LabelledHistogram> histograms;
  for (const nlohmann::json& entry : latency) {
    if (entry.at("phase").get<std::string>() != phase) continue;
    histograms.push_back({entry.at("class").get<std::string>(), &entry.at("histogram")});
  }
  return histogram_distribution(histograms, max_bins);
}

Distribution histogram_distribution(const std::vector<LabelledHistogram>& histograms,
                                    std::size_t max_bins) {
  Distribution distribution;
  std::vector<Point> points;
  double lowest = std::numeric_limits<double>::max();
  double highest = 0;
  unsigned finest_bits = 0;
  for (const LabelledHistogram& labelled : histograms) {
    const nlohmann::json& histogram = *labelled.histogram;
    const HistogramLayout layout = read_layout(histogram);
    finest_bits = std::max(finest_bits, layout.sub_bucket_bits);
    const auto min_ns = histogram.at("min_ns").get<double>();
    const auto max_ns = histogram.at("max_ns").get<double>();
    const std::size_t series = distribution.series.size();
    bool any = false;
    for (const nlohmann::json& bucket : histogram.at("buckets")) {
      const BucketBounds bounds = bucket_bounds(layout, bucket.at(0).get<std::uint64_t>());
      // The midpoint, as the schema's quantiles report it, within the exact
      // min and max.
      const double value =
          std::clamp(bounds.low + std::floor((bounds.high - bounds.low) / 2), min_ns, max_ns);
      const auto count = bucket.at(1).get<std::uint64_t>();
      if (count == 0) continue;
      points.push_back({series, value, count});
      lowest = std::min(lowest, value);
      highest = std::max(highest, value);
      distribution.total += count;
      any = true;
    }
    if (any) distribution.series.push_back({labelled.label, {}});
  }
  if (points.empty()) return distribution;

  // A log scale needs a positive start; a 0 ns value shares the first bin.
  lowest = std::max(lowest, 1.0);
  highest = std::max(highest, lowest);
  // No finer than the histogram's own buckets (relative width 2^-bits), or
  // the bars would comb; a single value gets one bin around it.
  const double ratio = highest / lowest;
  const double bucket_ratio = 1 + std::ldexp(1.0, -static_cast<int>(finest_bits));
  const auto wanted = static_cast<std::size_t>(std::ceil(std::log(ratio) / std::log(bucket_ratio)));
  const std::size_t bins = std::clamp<std::size_t>(wanted, 1, std::max<std::size_t>(max_bins, 1));
  const double first = bins == 1 && ratio < bucket_ratio ? lowest / bucket_ratio : lowest;
  const double last = (bins == 1 && ratio < bucket_ratio ? highest * bucket_ratio : highest);
  const double span = std::log(last / first);
  for (std::size_t i = 0; i <= bins; ++i) {
    distribution.edges.push_back(
        first * std::exp(span * static_cast<double>(i) / static_cast<double>(bins)));
  }
  for (auto& series : distribution.series) series.counts.assign(bins, 0);
  for (const Point& point : points) {
    const double position = std::log(std::max(point.value, first) / first) / span;
    const auto bin = std::min(
        bins - 1, static_cast<std::size_t>(std::max(0.0, position * static_cast<double>(bins))));
    distribution.series[point.series].counts[bin] += point.count;
  }
  return distribution;
}

}  // namespace smtp::reports::html
