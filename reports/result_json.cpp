#include "reports/result_json.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

// The layout of the document is reports/schema/result.schema.json; the
// reader refuses whatever that schema refuses (unknown fields included), and
// also what only the code can check: histograms that do not add up
// (Histogram::from_sparse), summaries that disagree with their histogram,
// duplicate entries. Errors name the place like a path:
// "load.latency[3].histogram: buckets out of order (...)".

namespace smtp::reports {
namespace {

using load::Counters;
using load::ErrorKind;
using load::Histogram;
using load::MeasuredPhase;
using load::Metrics;
using load::SecondSample;
using load::Threshold;
using nlohmann::json;

constexpr std::string_view kSchemaName = "smtp-harness/result";
constexpr std::string_view kToolName = "smtp-harness";

// ---------------------------------------------------------------------------
// Names shared by the writer and the reader (the schema lists the same ones).

constexpr std::array<std::pair<std::string_view, std::uint64_t Counters::*>, 14> kCounterFields{{
    {"transactions_started", &Counters::transactions_started},
    {"delivered", &Counters::delivered},
    {"refused_4xx", &Counters::refused_4xx},
    {"refused_5xx", &Counters::refused_5xx},
    {"failed", &Counters::failed},
    {"recipients_accepted", &Counters::recipients_accepted},
    {"recipients_refused", &Counters::recipients_refused},
    {"connections_opened", &Counters::connections_opened},
    {"connections_failed", &Counters::connections_failed},
    {"reconnects", &Counters::reconnects},
    {"late_starts", &Counters::late_starts},
    {"dropped_starts", &Counters::dropped_starts},
    {"bytes_written", &Counters::bytes_written},
    {"bytes_read", &Counters::bytes_read},
}};

// SecondSample's counts; "second" and "target_rate" have other types.
constexpr std::array<std::pair<std::string_view, std::uint64_t SecondSample::*>, 10> kSampleCounts{{
    {"started", &SecondSample::started},
    {"delivered", &SecondSample::delivered},
    {"refused_4xx", &SecondSample::refused_4xx},
    {"refused_5xx", &SecondSample::refused_5xx},
    {"failed", &SecondSample::failed},
    {"errors", &SecondSample::errors},
    {"late_starts", &SecondSample::late_starts},
    {"p50_ns", &SecondSample::p50_ns},
    {"p99_ns", &SecondSample::p99_ns},
    {"connections", &SecondSample::connections},
}};

constexpr std::array<std::pair<std::string_view, Threshold::Metric>, 9> kThresholdMetrics{{
    {"percentile", Threshold::Metric::percentile},
    {"mean", Threshold::Metric::mean},
    {"max", Threshold::Metric::max},
    {"min", Threshold::Metric::min},
    {"errors", Threshold::Metric::errors},
    {"4xx", Threshold::Metric::reply_4xx},
    {"5xx", Threshold::Metric::reply_5xx},
    {"rate", Threshold::Metric::rate},
    {"delivered", Threshold::Metric::delivered},
}};

constexpr std::array<std::pair<std::string_view, Threshold::Op>, 4> kThresholdOps{{
    {"<", Threshold::Op::less},
    {"<=", Threshold::Op::less_equal},
    {">", Threshold::Op::greater},
    {">=", Threshold::Op::greater_equal},
}};

constexpr std::array<std::string_view, 2> kModels{"closed", "open"};
constexpr std::array<std::string_view, 2> kArrivals{"constant", "poisson"};
constexpr std::array<std::string_view, 3> kTlsModes{"none", "starttls", "implicit"};

template <typename Table, typename Value>
std::string_view name_of(const Table& table, Value value) {
  for (const auto& [name, entry] : table) {
    if (entry == value) return name;
  }
  return "?";
}

MeasuredPhase phase_at(std::size_t index) {
  return static_cast<MeasuredPhase>(index);
}

ErrorKind error_kind_at(std::size_t index) {
  return static_cast<ErrorKind>(index);
}

std::string class_name(int reply_class) {
  return std::to_string(reply_class) + "xx";
}

// ---------------------------------------------------------------------------
// Times: RFC 3339 §5.6 date-time, always UTC ("Z") with milliseconds.

std::string rfc3339_utc_millis(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto millis = floor<milliseconds>(time);
  const auto day = floor<days>(millis);
  const year_month_day date{day};
  const hh_mm_ss clock{millis - day};
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int{date.year()},
                unsigned{date.month()}, unsigned{date.day()},
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()),
                static_cast<int>(clock.subseconds().count()));
  return text;
}

// Reads back YYYY-MM-DDTHH:MM:SS[.fraction]Z, the only form the schema
// allows (RFC 3339 also allows offsets and a lower-case t/z; our files are
// UTC). The fraction keeps up to 9 digits (nanoseconds). A leap second
// (":60") cannot be a system_clock time and is refused.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339_utc(std::string_view text) {
  using namespace std::chrono;
  auto digits = [&](std::size_t at, std::size_t count) -> std::optional<int> {
    if (at + count > text.size()) return std::nullopt;
    int value = 0;
    for (std::size_t i = at; i < at + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  auto separator = [&](std::size_t at, char c) { return at < text.size() && text[at] == c; };
  const auto y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2);
  const auto h = digits(11, 2), mi = digits(14, 2), s = digits(17, 2);
  if (!y || !mo || !d || !h || !mi || !s || !separator(4, '-') || !separator(7, '-') ||
      !separator(10, 'T') || !separator(13, ':') || !separator(16, ':')) {
    return std::nullopt;
  }
  const year_month_day date{year{*y}, month{static_cast<unsigned>(*mo)},
                            day{static_cast<unsigned>(*d)}};
  if (!date.ok() || *h > 23 || *mi > 59 || *s > 59) return std::nullopt;

  std::size_t at = 19;
  nanoseconds fraction{0};
  if (separator(at, '.')) {
    ++at;
    std::int64_t scale = 100'000'000;
    const std::size_t first = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      if (at - first == 9) return std::nullopt;
      fraction += nanoseconds{(text[at] - '0') * scale};
      scale /= 10;
      ++at;
    }
    if (at == first) return std::nullopt;
  }
  if (!separator(at, 'Z') || at + 1 != text.size()) return std::nullopt;
  const auto since_epoch =
      sys_days{date}.time_since_epoch() + hours{*h} + minutes{*mi} + seconds{*s} + fraction;
  return system_clock::time_point{duration_cast<system_clock::duration>(since_epoch)};
}

// ---------------------------------------------------------------------------
// Writer.

json summary_to_json(const Histogram& histogram) {
  return json{
      {"count", histogram.count()},         {"min_ns", histogram.min()},
      {"max_ns", histogram.max()},          {"mean_ns", histogram.mean()},
      {"p50_ns", histogram.quantile(0.50)}, {"p90_ns", histogram.quantile(0.90)},
      {"p99_ns", histogram.quantile(0.99)}, {"p999_ns", histogram.quantile(0.999)},
  };
}

json summarised_histogram_to_json(const Histogram& histogram) {
  json value = summary_to_json(histogram);
  value["histogram"] = histogram_to_json(histogram);
  return value;
}

json counters_to_json(const Counters& counters) {
  json value = json::object();
  for (const auto& [name, field] : kCounterFields) value[std::string(name)] = counters.*field;
  return value;
}

// Every kind, zeros included, so that a renderer's table has fixed rows.
json errors_to_json(const Metrics& metrics) {
  json value = json::object();
  for (std::size_t i = 0; i < load::kErrorKindCount; ++i) {
    value[std::string(load::to_string(error_kind_at(i)))] = metrics.errors()[i];
  }
  return value;
}

json replies_to_json(const Metrics& metrics) {
  json value = json::array();
  for (const auto& [key, count] : metrics.replies()) {
    json entry{{"phase", load::to_string(key.phase)}, {"code", key.code}, {"count", count}};
    if (!key.enhanced.empty()) entry["enhanced"] = key.enhanced;
    value.push_back(std::move(entry));
  }
  return value;
}

// One entry per (phase, class) that recorded something, in phase order.
json latency_to_json(const Metrics& metrics) {
  json value = json::array();
  for (std::size_t p = 0; p < load::kMeasuredPhaseCount; ++p) {
    for (std::size_t c = 0; c < load::kReplyClassCount; ++c) {
      const int reply_class = load::kFirstReplyClass + static_cast<int>(c);
      const Histogram* histogram = metrics.latency(phase_at(p), reply_class);
      if (histogram == nullptr || histogram->count() == 0) continue;
      json entry = summarised_histogram_to_json(*histogram);
      entry["phase"] = load::to_string(phase_at(p));
      entry["class"] = class_name(reply_class);
      value.push_back(std::move(entry));
    }
  }
  return value;
}

// Every class of a phase merged: what a summary table shows first.
json phases_to_json(const Metrics& metrics) {
  json value = json::array();
  for (std::size_t p = 0; p < load::kMeasuredPhaseCount; ++p) {
    const Histogram merged = metrics.latency(phase_at(p));
    if (merged.count() == 0) continue;
    json entry = summary_to_json(merged);
    entry["phase"] = load::to_string(phase_at(p));
    value.push_back(std::move(entry));
  }
  return value;
}

json custom_to_json(const Metrics& metrics) {
  json value = json::object();
  for (const auto& [name, total] : metrics.custom()) value[name] = total;
  return value;
}

void put_metrics(json& object, const Metrics& metrics) {
  object["counters"] = counters_to_json(metrics.counters());
  object["errors"] = errors_to_json(metrics);
  object["replies"] = replies_to_json(metrics);
  object["latency"] = latency_to_json(metrics);
  object["custom"] = custom_to_json(metrics);
}

json settings_to_json(const load::RunSettings& settings) {
  json value{
      {"target", settings.target},
      {"scenario", settings.scenario},
      {"model", settings.model},
      {"connections", settings.connections},
      {"threads", settings.threads},
      {"tls", settings.tls},
      {"auth", settings.auth},
      {"pipelining", settings.pipelining},
      {"chunking", settings.chunking},
      {"size", settings.size},
      {"recipients", settings.recipients},
      {"seed", settings.seed},
  };
  if (!settings.arrivals.empty()) value["arrivals"] = settings.arrivals;
  if (settings.duration_seconds) value["duration_seconds"] = *settings.duration_seconds;
  if (settings.messages) value["messages"] = *settings.messages;
  return value;
}

json sample_to_json(const SecondSample& sample) {
  json value{{"second", sample.second}, {"target_rate", sample.target_rate}};
  for (const auto& [name, field] : kSampleCounts) value[std::string(name)] = sample.*field;
  return value;
}

json generator_to_json(const load::GeneratorHealth& generator) {
  return json{
      {"cpu_seconds", generator.cpu_seconds},
      {"busiest_worker_cpu", generator.busiest_worker_cpu},
      {"loop_lag", summarised_histogram_to_json(generator.loop_lag)},
      {"bound", generator.bound},
      {"reasons", generator.reasons},
  };
}

json threshold_to_json(const load::ThresholdVerdict& verdict) {
  const Threshold& threshold = verdict.threshold;
  json value{
      {"text", threshold.text},
      {"metric", name_of(kThresholdMetrics, threshold.metric)},
      {"phase", load::to_string(threshold.phase)},
      {"op", name_of(kThresholdOps, threshold.op)},
      {"limit", threshold.value},
      {"share", threshold.share},
      {"observed", verdict.observed},
      {"passed", verdict.passed},
      {"detail", verdict.detail},
  };
  if (threshold.metric == Threshold::Metric::percentile) value["percentile"] = threshold.percentile;
  return value;
}

// ---------------------------------------------------------------------------
// Reader. A failure throws ReadError, caught at the entry points, so each
// check is one line and the message carries the path where it failed.

struct ReadError {
  std::string message;
};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw ReadError{path.empty() ? what : path + ": " + what};
}

std::string field_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string item_path(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

std::uint64_t read_u64(const json& value, const std::string& path) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0) {
    return static_cast<std::uint64_t>(value.get<std::int64_t>());
  }
  fail(path, "expected a non-negative integer");
}

template <typename T>
T read_unsigned(const json& value, const std::string& path) {
  const std::uint64_t number = read_u64(value, path);
  if (number > std::numeric_limits<T>::max()) fail(path, std::to_string(number) + " is too large");
  return static_cast<T>(number);
}

double read_number(const json& value, const std::string& path) {
  if (!value.is_number()) fail(path, "expected a number");
  return value.get<double>();
}

double read_non_negative(const json& value, const std::string& path) {
  const double number = read_number(value, path);
  if (number < 0) fail(path, "expected a number >= 0");
  return number;
}

bool read_bool(const json& value, const std::string& path) {
  if (!value.is_boolean()) fail(path, "expected true or false");
  return value.get<bool>();
}

std::string read_string(const json& value, const std::string& path) {
  if (!value.is_string()) fail(path, "expected a string");
  return value.get<std::string>();
}

const json::array_t& read_array(const json& value, const std::string& path) {
  if (!value.is_array()) fail(path, "expected an array");
  return value.get_ref<const json::array_t&>();
}

template <typename Names>
std::string read_enum(const json& value, const std::string& path, const Names& names) {
  std::string text = read_string(value, path);
  for (const auto name : names) {
    if (text == name) return text;
  }
  fail(path, "unknown value \"" + text + "\"");
}

template <typename Table>
auto read_named(const json& value, const std::string& path, const Table& table) {
  const std::string text = read_string(value, path);
  for (const auto& [name, entry] : table) {
    if (text == name) return entry;
  }
  fail(path, "unknown value \"" + text + "\"");
}

MeasuredPhase read_phase(const json& value, const std::string& path) {
  const std::string text = read_string(value, path);
  const auto phase = load::measured_phase_from_string(text);
  if (!phase) fail(path, "unknown phase \"" + text + "\"");
  return *phase;
}

int read_class(const json& value, const std::string& path) {
  const std::string text = read_string(value, path);
  for (std::size_t c = 0; c < load::kReplyClassCount; ++c) {
    const int reply_class = load::kFirstReplyClass + static_cast<int>(c);
    if (text == class_name(reply_class)) return reply_class;
  }
  fail(path, "unknown reply class \"" + text + "\" (expected 2xx, 3xx, 4xx or 5xx)");
}

// An object with exactly the listed fields: every required one present, the
// optional ones maybe, nothing else (the schema's additionalProperties:
// false, so that a misspelt field is an error, not silently ignored).
class Fields {
 public:
  using Names = std::vector<std::string_view>;

  Fields(const json& value, std::string path, const Names& required, const Names& optional = {})
      : value_(value), path_(std::move(path)) {
    if (!value.is_object()) fail(path_, "expected an object");
    for (const auto name : required) {
      if (!value.contains(std::string(name))) {
        fail(path_, "missing field \"" + std::string(name) + "\"");
      }
    }
    const auto listed = [](const Names& names, const std::string& name) {
      return std::find(names.begin(), names.end(), name) != names.end();
    };
    for (const auto& [name, ignored] : value.items()) {
      if (!listed(required, name) && !listed(optional, name)) {
        fail(path_, "unknown field \"" + name + "\"");
      }
    }
  }

  const std::string& path() const { return path_; }
  std::string path(std::string_view key) const { return field_path(path_, key); }
  bool has(std::string_view key) const { return value_.contains(std::string(key)); }
  const json& operator[](std::string_view key) const {
    const auto found = value_.find(std::string(key));
    if (found == value_.end()) fail(path_, "missing field \"" + std::string(key) + "\"");
    return *found;
  }

  std::uint64_t u64(std::string_view key) const { return read_u64((*this)[key], path(key)); }
  template <typename T>
  T unsigned_as(std::string_view key) const {
    return read_unsigned<T>((*this)[key], path(key));
  }
  double number(std::string_view key) const { return read_number((*this)[key], path(key)); }
  double non_negative(std::string_view key) const {
    return read_non_negative((*this)[key], path(key));
  }
  bool flag(std::string_view key) const { return read_bool((*this)[key], path(key)); }
  std::string string(std::string_view key) const { return read_string((*this)[key], path(key)); }

 private:
  const json& value_;
  std::string path_;
};

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

  // The checks from_sparse makes too, done here first to say which one failed.
  const std::string buckets_path = fields.path("buckets");
  const auto& buckets = read_array(fields["buckets"], buckets_path);
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
  auto histogram = Histogram::from_sparse(sparse);
  if (!histogram) fail(path, "min_ns, max_ns, sum_ns or overflow disagree with the buckets");
  return std::move(*histogram);
}

// The summary fields next to a histogram are derived from it (the schema's
// description says how); a file whose summary disagrees was edited or
// corrupted. The mean allows rounding by another writer's arithmetic.
void check_summary(const Fields& fields, const Histogram& histogram) {
  const std::pair<std::string_view, std::uint64_t> exact[] = {
      {"count", histogram.count()},
      {"min_ns", histogram.min()},
      {"max_ns", histogram.max()},
      {"p50_ns", histogram.quantile(0.50)},
      {"p90_ns", histogram.quantile(0.90)},
      {"p99_ns", histogram.quantile(0.99)},
      {"p999_ns", histogram.quantile(0.999)},
  };
  for (const auto& [name, expected] : exact) {
    const std::uint64_t stated = fields.u64(name);
    if (stated != expected) {
      fail(fields.path(name), std::to_string(stated) + " disagrees with the histogram (" +
                                  std::to_string(expected) + ")");
    }
  }
  const double mean = fields.non_negative("mean_ns");
  if (std::abs(mean - histogram.mean()) > 1e-9 * std::max(1.0, histogram.mean())) {
    fail(fields.path("mean_ns"), "disagrees with the histogram");
  }
}

// The fields summary_to_json writes, plus `extra`.
Fields::Names with_summary(const Fields::Names& extra) {
  Fields::Names names{"count",  "min_ns", "max_ns", "mean_ns",
                      "p50_ns", "p90_ns", "p99_ns", "p999_ns"};
  names.insert(names.end(), extra.begin(), extra.end());
  return names;
}

Counters read_counters(const json& value, const std::string& path) {
  const Fields fields(
      value, path,
      {"transactions_started", "delivered", "refused_4xx", "refused_5xx", "failed",
       "recipients_accepted", "recipients_refused", "connections_opened", "connections_failed",
       "reconnects", "late_starts", "dropped_starts", "bytes_written", "bytes_read"});
  Counters counters;
  for (const auto& [name, field] : kCounterFields) counters.*field = fields.u64(name);
  return counters;
}

void read_errors(const json& value, const std::string& path, Metrics& metrics) {
  if (!value.is_object()) fail(path, "expected an object");
  std::array<bool, load::kErrorKindCount> seen{};
  for (const auto& [name, count] : value.items()) {
    const auto kind = load::error_kind_from_string(name);
    if (!kind) fail(path, "unknown error kind \"" + name + "\"");
    seen[static_cast<std::size_t>(*kind)] = true;
    metrics.count_error(*kind, read_u64(count, field_path(path, name)));
  }
  for (std::size_t kind = 0; kind < load::kErrorKindCount; ++kind) {
    if (!seen[kind]) {
      fail(path, "missing field \"" + std::string(load::to_string(error_kind_at(kind))) + "\"");
    }
  }
}

// RFC 3463 §2: status-code = class "." subject "." detail, class one of
// 2, 4, 5, subject and detail 1 to 3 digits.
bool is_enhanced_code(std::string_view text) {
  if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.') {
    return false;
  }
  std::size_t at = 2;
  for (int part = 0; part < 2; ++part) {
    const std::size_t first = at;
    while (at < text.size() && at - first < 4 && text[at] >= '0' && text[at] <= '9') ++at;
    const std::size_t length = at - first;
    if (length < 1 || length > 3) return false;
    if (part == 0) {
      if (at >= text.size() || text[at] != '.') return false;
      ++at;
    }
  }
  return at == text.size();
}

void read_replies(const json& value, const std::string& path, Metrics& metrics) {
  const auto& entries = read_array(value, path);
  std::set<load::ReplyKey> seen;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Fields fields(entries[i], item_path(path, i), {"phase", "code", "count"}, {"enhanced"});
    load::ReplyKey key;
    key.phase = read_phase(fields["phase"], fields.path("phase"));
    // RFC 5321 §4.2: a reply code's first digit is 2 to 5.
    key.code = static_cast<int>(fields.unsigned_as<std::uint32_t>("code"));
    if (key.code < 200 || key.code > 599) fail(fields.path("code"), "not a reply code (200..599)");
    if (fields.has("enhanced")) {
      key.enhanced = fields.string("enhanced");
      if (!is_enhanced_code(key.enhanced)) {
        fail(fields.path("enhanced"), "\"" + key.enhanced + "\" is not an RFC 3463 status code");
      }
    }
    const std::uint64_t count = fields.u64("count");
    if (count == 0) fail(fields.path("count"), "zero (cells never seen are left out)");
    if (!seen.insert(key).second) fail(fields.path(), "duplicate phase, code and enhanced code");
    metrics.count_reply(key.phase, key.code, key.enhanced, count);
  }
}

void read_latency(const json& value, const std::string& path, Metrics& metrics) {
  const auto& entries = read_array(value, path);
  std::set<std::pair<MeasuredPhase, int>> seen;
  const Fields::Names names = with_summary({"phase", "class", "histogram"});
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Fields fields(entries[i], item_path(path, i), names);
    const MeasuredPhase phase = read_phase(fields["phase"], fields.path("phase"));
    const int reply_class = read_class(fields["class"], fields.path("class"));
    const Histogram histogram = read_histogram(fields["histogram"], fields.path("histogram"));
    if (histogram.count() == 0) {
      fail(fields.path("histogram"), "empty (cells with nothing recorded are left out)");
    }
    check_summary(fields, histogram);
    if (!seen.emplace(phase, reply_class).second) fail(fields.path(), "duplicate phase and class");
    metrics.merge_latency(phase, reply_class, histogram);
  }
}

void read_custom(const json& value, const std::string& path, Metrics& metrics) {
  if (!value.is_object()) fail(path, "expected an object");
  for (const auto& [name, total] : value.items()) {
    metrics.add_custom(name, read_number(total, field_path(path, name)));
  }
}

// The parts a worker and the whole run share (put_metrics).
Metrics read_metrics(const Fields& fields) {
  Metrics metrics;
  metrics.counters() = read_counters(fields["counters"], fields.path("counters"));
  read_errors(fields["errors"], fields.path("errors"), metrics);
  read_replies(fields["replies"], fields.path("replies"), metrics);
  read_latency(fields["latency"], fields.path("latency"), metrics);
  read_custom(fields["custom"], fields.path("custom"), metrics);
  return metrics;
}

void check_phases(const json& value, const std::string& path, const Metrics& metrics) {
  const auto& entries = read_array(value, path);
  const Fields::Names names = with_summary({"phase"});
  std::set<MeasuredPhase> seen;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Fields fields(entries[i], item_path(path, i), names);
    const MeasuredPhase phase = read_phase(fields["phase"], fields.path("phase"));
    const Histogram merged = metrics.latency(phase);
    if (merged.count() == 0) fail(fields.path("phase"), "no latency entry for this phase");
    if (!seen.insert(phase).second) fail(fields.path(), "duplicate phase");
    check_summary(fields, merged);
  }
  std::size_t measured = 0;
  for (std::size_t p = 0; p < load::kMeasuredPhaseCount; ++p) {
    if (metrics.latency(phase_at(p)).count() > 0) ++measured;
  }
  if (entries.size() != measured) {
    fail(path, "lists " + std::to_string(entries.size()) + " phases, the latency entries have " +
                   std::to_string(measured));
  }
}

load::RunSettings read_settings(const json& value, const std::string& path) {
  const Fields fields(value, path,
                      {"target", "scenario", "model", "connections", "threads", "tls", "auth",
                       "pipelining", "chunking", "size", "recipients", "seed"},
                      {"arrivals", "duration_seconds", "messages"});
  load::RunSettings settings;
  settings.target = fields.string("target");
  settings.scenario = fields.string("scenario");
  settings.model = read_enum(fields["model"], fields.path("model"), kModels);
  if (fields.has("arrivals")) {
    settings.arrivals = read_enum(fields["arrivals"], fields.path("arrivals"), kArrivals);
  }
  settings.connections = fields.unsigned_as<std::size_t>("connections");
  settings.threads = fields.unsigned_as<std::size_t>("threads");
  if (fields.has("duration_seconds")) {
    settings.duration_seconds = fields.non_negative("duration_seconds");
  }
  if (fields.has("messages")) settings.messages = fields.u64("messages");
  settings.tls = read_enum(fields["tls"], fields.path("tls"), kTlsModes);
  settings.auth = fields.flag("auth");
  settings.pipelining = fields.flag("pipelining");
  settings.chunking = fields.flag("chunking");
  settings.size = fields.unsigned_as<std::size_t>("size");
  settings.recipients = fields.unsigned_as<std::size_t>("recipients");
  settings.seed = fields.u64("seed");
  return settings;
}

load::WorkerResult read_worker(const json& value, const std::string& path) {
  const Fields fields(
      value, path, {"index", "cpu_seconds", "counters", "errors", "replies", "latency", "custom"});
  load::WorkerResult worker;
  worker.index = fields.unsigned_as<std::uint32_t>("index");
  worker.cpu_seconds = fields.non_negative("cpu_seconds");
  worker.metrics = read_metrics(fields);
  return worker;
}

SecondSample read_sample(const json& value, const std::string& path) {
  const Fields fields(value, path,
                      {"second", "started", "delivered", "refused_4xx", "refused_5xx", "failed",
                       "errors", "late_starts", "target_rate", "p50_ns", "p99_ns", "connections"});
  SecondSample sample;
  sample.second = fields.unsigned_as<std::uint32_t>("second");
  sample.target_rate = fields.non_negative("target_rate");
  for (const auto& [name, field] : kSampleCounts) sample.*field = fields.u64(name);
  return sample;
}

Histogram read_summarised_histogram(const json& value, const std::string& path) {
  const Fields fields(value, path, with_summary({"histogram"}));
  Histogram histogram = read_histogram(fields["histogram"], fields.path("histogram"));
  check_summary(fields, histogram);
  return histogram;
}

load::GeneratorHealth read_generator(const json& value, const std::string& path) {
  const Fields fields(value, path,
                      {"cpu_seconds", "busiest_worker_cpu", "loop_lag", "bound", "reasons"});
  load::GeneratorHealth generator;
  generator.cpu_seconds = fields.non_negative("cpu_seconds");
  generator.busiest_worker_cpu = fields.non_negative("busiest_worker_cpu");
  generator.loop_lag = read_summarised_histogram(fields["loop_lag"], fields.path("loop_lag"));
  generator.bound = fields.flag("bound");
  const auto& reasons = read_array(fields["reasons"], fields.path("reasons"));
  for (std::size_t i = 0; i < reasons.size(); ++i) {
    generator.reasons.push_back(read_string(reasons[i], item_path(fields.path("reasons"), i)));
  }
  return generator;
}

load::ThresholdVerdict read_threshold(const json& value, const std::string& path) {
  const Fields fields(
      value, path,
      {"text", "metric", "phase", "op", "limit", "share", "observed", "passed", "detail"},
      {"percentile"});
  load::ThresholdVerdict verdict;
  Threshold& threshold = verdict.threshold;
  threshold.text = fields.string("text");
  threshold.metric = read_named(fields["metric"], fields.path("metric"), kThresholdMetrics);
  const bool is_percentile = threshold.metric == Threshold::Metric::percentile;
  if (is_percentile != fields.has("percentile")) {
    fail(path, is_percentile ? "missing field \"percentile\""
                             : "\"percentile\" is only for the percentile metric");
  }
  if (is_percentile) {
    threshold.percentile = fields.number("percentile");
    if (threshold.percentile < 0 || threshold.percentile > 100) {
      fail(fields.path("percentile"), "expected 0..100");
    }
  }
  threshold.phase = read_phase(fields["phase"], fields.path("phase"));
  threshold.op = read_named(fields["op"], fields.path("op"), kThresholdOps);
  threshold.value = fields.number("limit");
  threshold.share = fields.flag("share");
  verdict.observed = fields.number("observed");
  verdict.passed = fields.flag("passed");
  verdict.detail = fields.string("detail");
  return verdict;
}

template <typename T, typename ReadOne>
std::vector<T> read_list(const json& value, const std::string& path, ReadOne read_one) {
  const auto& entries = read_array(value, path);
  std::vector<T> list;
  list.reserve(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i)
    list.push_back(read_one(entries[i], item_path(path, i)));
  return list;
}

load::RunResult read_load(const json& value, const std::string& path) {
  const Fields fields(value, path,
                      {"settings", "elapsed_seconds", "interrupted", "stop_reason", "achieved_rate",
                       "counters", "errors", "replies", "latency", "phases", "custom", "workers",
                       "series", "generator", "thresholds", "error_samples"},
                      {"target_rate"});
  load::RunResult result;
  result.settings = read_settings(fields["settings"], fields.path("settings"));
  if (fields.has("target_rate")) result.settings.target_rate = fields.non_negative("target_rate");
  result.elapsed_seconds = fields.non_negative("elapsed_seconds");
  result.interrupted = fields.flag("interrupted");
  result.stop_reason = fields.string("stop_reason");
  result.achieved_rate = fields.non_negative("achieved_rate");
  result.metrics = read_metrics(fields);
  check_phases(fields["phases"], fields.path("phases"), result.metrics);
  result.workers =
      read_list<load::WorkerResult>(fields["workers"], fields.path("workers"), read_worker);
  result.series = read_list<SecondSample>(fields["series"], fields.path("series"), read_sample);
  result.generator = read_generator(fields["generator"], fields.path("generator"));
  result.thresholds = read_list<load::ThresholdVerdict>(fields["thresholds"],
                                                        fields.path("thresholds"), read_threshold);
  result.error_samples =
      read_list<std::string>(fields["error_samples"], fields.path("error_samples"), read_string);
  return result;
}

}  // namespace

nlohmann::json histogram_to_json(const Histogram& histogram) {
  const Histogram::Sparse sparse = histogram.to_sparse();
  json buckets = json::array();
  for (const auto& [index, count] : sparse.buckets) buckets.push_back(json::array({index, count}));
  return json{
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

std::optional<Histogram> histogram_from_json(const nlohmann::json& value, std::string& error) {
  try {
    return read_histogram(value, "");
  } catch (const ReadError& failure) {
    error = failure.message;
    return std::nullopt;
  }
}

nlohmann::json to_json(const load::RunResult& result) {
  json load_part{
      {"settings", settings_to_json(result.settings)},
      {"elapsed_seconds", result.elapsed_seconds},
      {"interrupted", result.interrupted},
      {"stop_reason", result.stop_reason},
      {"achieved_rate", result.achieved_rate},
      {"phases", phases_to_json(result.metrics)},
      {"generator", generator_to_json(result.generator)},
      {"error_samples", result.error_samples},
  };
  if (result.settings.target_rate) load_part["target_rate"] = *result.settings.target_rate;
  put_metrics(load_part, result.metrics);

  json workers = json::array();
  for (const auto& worker : result.workers) {
    json entry{{"index", worker.index}, {"cpu_seconds", worker.cpu_seconds}};
    put_metrics(entry, worker.metrics);
    workers.push_back(std::move(entry));
  }
  load_part["workers"] = std::move(workers);

  json series = json::array();
  for (const auto& sample : result.series) series.push_back(sample_to_json(sample));
  load_part["series"] = std::move(series);

  json thresholds = json::array();
  for (const auto& verdict : result.thresholds) thresholds.push_back(threshold_to_json(verdict));
  load_part["thresholds"] = std::move(thresholds);

  return json{
      {"schema", kSchemaName},
      {"schema_version", kResultSchemaVersion},
      {"kind", "load"},
      {"tool", {{"name", kToolName}, {"version", SMTP_HARNESS_VERSION}}},
      {"started_at", rfc3339_utc_millis(result.started_at)},
      {"load", std::move(load_part)},
  };
}

std::optional<load::RunResult> load_result_from_json(const nlohmann::json& document,
                                                     std::string& error) {
  try {
    const Fields fields(document, "", {"schema", "schema_version", "kind", "tool", "started_at"},
                        {"load", "check"});
    if (fields.string("schema") != kSchemaName) {
      fail("schema", "expected \"" + std::string(kSchemaName) + "\"");
    }
    const std::uint64_t version = fields.u64("schema_version");
    if (version != static_cast<std::uint64_t>(kResultSchemaVersion)) {
      fail("schema_version", std::to_string(version) + " is not supported (this build reads " +
                                 std::to_string(kResultSchemaVersion) + ")");
    }
    const std::string kind = fields.string("kind");
    if (kind != "load") fail("kind", "\"" + kind + "\" is not a load result");
    if (fields.has("check")) fail("check", "only in a result of kind \"check\"");
    if (!fields.has("load")) fail("", "missing field \"load\"");
    const Fields tool(fields["tool"], "tool", {"name", "version"});
    (void)tool.string("name");
    (void)tool.string("version");
    const std::string started_at = fields.string("started_at");
    const auto time = parse_rfc3339_utc(started_at);
    if (!time) fail("started_at", "\"" + started_at + "\" is not YYYY-MM-DDTHH:MM:SS[.fff]Z");

    load::RunResult result = read_load(fields["load"], "load");
    result.started_at = *time;
    return result;
  } catch (const ReadError& failure) {
    error = failure.message;
    return std::nullopt;
  }
}

}  // namespace smtp::reports
