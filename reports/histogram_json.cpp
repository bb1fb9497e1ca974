#include "reports/result_json.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "reports/result_json_internal.hpp"

// Histograms travel in their sparse form (load::Histogram::Sparse): the layout,
// the non-empty buckets as [index, count] and the exact extremes and sum, so
// that they merge exactly. A summary (count, extremes, mean, percentiles)
// travels next to each one for readers that do not decode histograms; it is
// derived from the histogram, so the reader checks that the two agree.

namespace smtp::reports {
namespace detail {
namespace {

using load::Histogram;
using nlohmann::json;

// The summary's integer fields, each computed from the histogram. mean_ns,
// a double, is handled on its own.
struct SummaryField {
  std::string_view name;
  std::uint64_t (*of)(const Histogram&);
};
constexpr SummaryField kExactSummary[] = {
    {"count", [](const Histogram& h) { return h.count(); }},
    {"min_ns", [](const Histogram& h) { return h.min(); }},
    {"max_ns", [](const Histogram& h) { return h.max(); }},
    {"p50_ns", [](const Histogram& h) { return h.quantile(0.50); }},
    {"p90_ns", [](const Histogram& h) { return h.quantile(0.90); }},
    {"p99_ns", [](const Histogram& h) { return h.quantile(0.99); }},
    {"p999_ns", [](const Histogram& h) { return h.quantile(0.999); }},
};
constexpr std::string_view kMeanField = "mean_ns";

// The checks from_sparse makes too, done here first to say which one failed.
void read_buckets(const json& value, const std::string& buckets_path, const std::string& path,
                  Histogram::Sparse& sparse) {
  const auto& buckets = read_array(value, buckets_path);
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const std::string bucket_path = item_path(buckets_path, i);
    const json& bucket = buckets[i];
    if (!bucket.is_array() || bucket.size() != 2) fail(bucket_path, "expected [index, count]");
    const auto index = read_unsigned<std::uint32_t>(bucket[0], bucket_path + "[0]");
    const std::uint64_t count = read_u64(bucket[1], bucket_path + "[1]");
    if (index >= Histogram::bucket_count()) {
      fail(bucket_path, "index " + std::to_string(index) + " out of range (0.." +
                            std::to_string(Histogram::bucket_count() - 1) + ")");
    }
    if (count == 0) fail(bucket_path, "zero count (empty buckets are left out)");
    if (!sparse.buckets.empty() && index <= sparse.buckets.back().first) {
      fail(path, "buckets out of order (buckets[" + std::to_string(i) + "] has index " +
                     std::to_string(index) + " after " +
                     std::to_string(sparse.buckets.back().first) + ")");
    }
    if (count > std::numeric_limits<std::uint64_t>::max() - total) {
      fail(path, "bucket counts overflow 64 bits");
    }
    total += count;
    sparse.buckets.emplace_back(index, count);
  }
  if (total != sparse.count) {
    fail(path, "bucket counts add up to " + std::to_string(total) + ", not count " +
                   std::to_string(sparse.count));
  }
}

}  // namespace

json summary_to_json(const Histogram& histogram) {
  json value = json::object();
  for (const auto& field : kExactSummary) value[std::string(field.name)] = field.of(histogram);
  value[std::string(kMeanField)] = histogram.mean();
  return value;
}

json summarised_histogram_to_json(const Histogram& histogram) {
  json value = summary_to_json(histogram);
  value["histogram"] = histogram_to_json(histogram);
  return value;
}

Fields::Names with_summary(const Fields::Names& extra) {
  Fields::Names names = names_of(kExactSummary);
  names.push_back(kMeanField);
  names.insert(names.end(), extra.begin(), extra.end());
  return names;
}

// A file whose summary disagrees was edited or corrupted. The mean allows
// rounding by another writer's arithmetic.
void check_summary(const Fields& fields, const Histogram& histogram) {
  for (const auto& field : kExactSummary) {
    const std::uint64_t stated = fields.u64(field.name);
    const std::uint64_t expected = field.of(histogram);
    if (stated != expected) {
      fail(fields.path(field.name), std::to_string(stated) + " disagrees with the histogram (" +
                                        std::to_string(expected) + ")");
    }
  }
  const double mean = fields.non_negative(kMeanField);
  if (std::abs(mean - histogram.mean()) > 1e-9 * std::max(1.0, histogram.mean())) {
    fail(fields.path(kMeanField), "disagrees with the histogram");
  }
}

Histogram read_histogram(const json& value, const std::string& path) {
  const Fields fields(value, path,
                      {"layout", "buckets", "count", "min_ns", "max_ns", "sum_ns", "overflow"});
  Histogram::Sparse sparse;
  const Fields layout(fields["layout"], fields.path("layout"),
                      {"sub_bucket_bits", "lowest_trackable_ns", "highest_trackable_ns"});
  sparse.sub_bucket_bits = layout.unsigned_as<unsigned>("sub_bucket_bits");
  sparse.lowest_trackable = layout.u64("lowest_trackable_ns");
  sparse.highest_trackable = layout.u64("highest_trackable_ns");
  const Histogram::Sparse ours;
  if (sparse.sub_bucket_bits != ours.sub_bucket_bits ||
      sparse.lowest_trackable != ours.lowest_trackable ||
      sparse.highest_trackable != ours.highest_trackable) {
    fail(path, "layout mismatch (file: " + std::to_string(sparse.sub_bucket_bits) + " bits, " +
                   std::to_string(sparse.lowest_trackable) + ".." +
                   std::to_string(sparse.highest_trackable) +
                   " ns; this build: " + std::to_string(ours.sub_bucket_bits) + " bits, " +
                   std::to_string(ours.lowest_trackable) + ".." +
                   std::to_string(ours.highest_trackable) + " ns)");
  }

  sparse.count = fields.u64("count");
  sparse.min = fields.u64("min_ns");
  sparse.max = fields.u64("max_ns");
  const Fields sum(fields["sum_ns"], fields.path("sum_ns"), {"high", "low"});
  sparse.sum_high = sum.u64("high");
  sparse.sum_low = sum.u64("low");
  sparse.overflow = fields.u64("overflow");
  read_buckets(fields["buckets"], fields.path("buckets"), path, sparse);

  auto histogram = Histogram::from_sparse(sparse);
  if (!histogram) fail(path, "min_ns, max_ns, sum_ns or overflow disagree with the buckets");
  return std::move(*histogram);
}

Histogram read_summarised_histogram(const json& value, const std::string& path) {
  const Fields fields(value, path, with_summary({"histogram"}));
  Histogram histogram = read_histogram(fields["histogram"], fields.path("histogram"));
  check_summary(fields, histogram);
  return histogram;
}

}  // namespace detail

nlohmann::json histogram_to_json(const load::Histogram& histogram) {
  const load::Histogram::Sparse sparse = histogram.to_sparse();
  nlohmann::json buckets = nlohmann::json::array();
  for (const auto& [index, count] : sparse.buckets) {
    buckets.push_back(nlohmann::json::array({index, count}));
  }
  return nlohmann::json{
      {"layout",
       {{"sub_bucket_bits", sparse.sub_bucket_bits},
        {"lowest_trackable_ns", sparse.lowest_trackable},
        {"highest_trackable_ns", sparse.highest_trackable}}},
      {"buckets", std::move(buckets)},
      {"count", sparse.count},
      {"min_ns", sparse.min},
      {"max_ns", sparse.max},
      {"sum_ns", {{"high", sparse.sum_high}, {"low", sparse.sum_low}}},
      {"overflow", sparse.overflow},
  };
}

std::optional<load::Histogram> histogram_from_json(const nlohmann::json& value,
                                                   std::string& error) {
  return detail::catch_read_error(error, [&] { return detail::read_histogram(value, ""); });
}

}  // namespace smtp::reports
