#pragma once
// What the result writer (load_result_write.cpp) and reader
// (load_result_read.cpp) share: the names the schema gives to fields and
// values (reports/schema/result.schema.json lists the same ones), and the
// summary that accompanies every histogram (histogram_json.cpp).
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "load/result.hpp"
#include "reports/json_fields.hpp"

namespace smtp::reports::detail {

inline constexpr std::array<std::pair<std::string_view, std::uint64_t load::Counters::*>, 14>
    kCounterFields{{
        {"transactions_started", &load::Counters::transactions_started},
        {"delivered", &load::Counters::delivered},
        {"refused_4xx", &load::Counters::refused_4xx},
        {"refused_5xx", &load::Counters::refused_5xx},
        {"failed", &load::Counters::failed},
        {"recipients_accepted", &load::Counters::recipients_accepted},
        {"recipients_refused", &load::Counters::recipients_refused},
        {"connections_opened", &load::Counters::connections_opened},
        {"connections_failed", &load::Counters::connections_failed},
        {"reconnects", &load::Counters::reconnects},
        {"late_starts", &load::Counters::late_starts},
        {"dropped_starts", &load::Counters::dropped_starts},
        {"bytes_written", &load::Counters::bytes_written},
        {"bytes_read", &load::Counters::bytes_read},
    }};

// SecondSample's counts; "second" and "target_rate" have other types.
inline constexpr std::array<std::pair<std::string_view, std::uint64_t load::SecondSample::*>, 10>
    kSampleCounts{{
        {"started", &load::SecondSample::started},
        {"delivered", &load::SecondSample::delivered},
        {"refused_4xx", &load::SecondSample::refused_4xx},
        {"refused_5xx", &load::SecondSample::refused_5xx},
        {"failed", &load::SecondSample::failed},
        {"errors", &load::SecondSample::errors},
        {"late_starts", &load::SecondSample::late_starts},
        {"p50_ns", &load::SecondSample::p50_ns},
        {"p99_ns", &load::SecondSample::p99_ns},
        {"connections", &load::SecondSample::connections},
    }};

inline constexpr std::array<std::pair<std::string_view, load::Threshold::Metric>, 15>
    kThresholdMetrics{{
        {"percentile", load::Threshold::Metric::percentile},
        {"mean", load::Threshold::Metric::mean},
        {"max", load::Threshold::Metric::max},
        {"min", load::Threshold::Metric::min},
        {"errors", load::Threshold::Metric::errors},
        {"4xx", load::Threshold::Metric::reply_4xx},
        {"5xx", load::Threshold::Metric::reply_5xx},
        {"rate", load::Threshold::Metric::rate},
        {"delivered", load::Threshold::Metric::delivered},
        {"lost", load::Threshold::Metric::lost},
        {"duplicated", load::Threshold::Metric::duplicated},
        {"corrupted", load::Threshold::Metric::corrupted},
        {"bounced", load::Threshold::Metric::bounced},
        {"unexpected", load::Threshold::Metric::unexpected},
        {"retried", load::Threshold::Metric::retried},
    }};

inline constexpr std::array<std::pair<std::string_view, load::Threshold::Op>, 4> kThresholdOps{{
    {"<", load::Threshold::Op::less},
    {"<=", load::Threshold::Op::less_equal},
    {">", load::Threshold::Op::greater},
    {">=", load::Threshold::Op::greater_equal},
}};

inline load::MeasuredPhase phase_at(std::size_t index) {
  return static_cast<load::MeasuredPhase>(index);
}

inline load::ErrorKind error_kind_at(std::size_t index) {
  return static_cast<load::ErrorKind>(index);
}

// 2 for the first class Metrics keeps (2xx) ... 5 for the last.
inline int reply_class_at(std::size_t index) {
  return load::kFirstReplyClass + static_cast<int>(index);
}

inline std::string class_name(int reply_class) {
  return std::to_string(reply_class) + "xx";
}

// --- The summary next to a histogram (histogram_json.cpp) -------------------

// count, min_ns, max_ns, mean_ns and the percentiles p50/p90/p99/p999_ns.
nlohmann::json summary_to_json(const load::Histogram& histogram);

// The summary with the histogram itself under "histogram".
nlohmann::json summarised_histogram_to_json(const load::Histogram& histogram);

// The summary's field names, plus `extra`: the Fields list of an object that
// carries a summary.
Fields::Names with_summary(const Fields::Names& extra);

// Refuses a summary that disagrees with `histogram`.
void check_summary(const Fields& fields, const load::Histogram& histogram);

// What histogram_to_json wrote, checked as Histogram::from_sparse checks it.
load::Histogram read_histogram(const nlohmann::json& value, const std::string& path);

// What summarised_histogram_to_json wrote.
load::Histogram read_summarised_histogram(const nlohmann::json& value, const std::string& path);

// --- The delivery section of a run with --sink (delivery_json.cpp) ---------

nlohmann::json delivery_to_json(const load::DeliveryResult& delivery);
load::DeliveryResult read_delivery(const nlohmann::json& value, const std::string& path);

}  // namespace smtp::reports::detail
