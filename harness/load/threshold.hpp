#pragma once
// Pass/fail criteria for a load run, k6 style: --threshold 'p99<250ms',
// --threshold 'errors<1%'. A crossed threshold makes the run exit 1.
//
// Grammar:  threshold = metric [ ":" phase ] op value
//           metric    = "p" digits [ "." digits ]   a percentile (p50, p99, p99.9)
//                     | "mean" | "max" | "min"      latency (a duration value)
//                     | "errors" | "4xx" | "5xx"    share of transactions started
//                                                   (with "%") or a count
//                     | "rate"                      achieved rate: transactions
//                                                   started per second (optional "/s")
//                     | "delivered"                 count, or share with "%"
//           phase     = a MeasuredPhase name (default: transaction); latency
//                       metrics only, the others count whole transactions
//           op        = "<" | "<=" | ">" | ">="
//           value     = a duration ("250ms", "1.5s") for latency metrics, a
//                       number with an optional "%" otherwise
// Spaces around the parts are allowed. A latency value needs its unit: k6's
// 'p99<250' means milliseconds, common::parse_duration's bare number seconds,
// so neither is guessed. A share is at most 100%. Standard library only.
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "load/metrics.hpp"

namespace smtp::load {

struct Threshold {
  enum class Metric : std::uint8_t {
    percentile,
    mean,
    max,
    min,
    errors,
    reply_4xx,
    reply_5xx,
    rate,
    delivered
  };
  enum class Op : std::uint8_t { less, less_equal, greater, greater_equal };

  std::string text;  // as given, for messages and reports
  Metric metric = Metric::percentile;
  double percentile = 0;  // 0..100, for Metric::percentile
  MeasuredPhase phase = MeasuredPhase::transaction;
  Op op = Op::less;
  double value = 0;    // nanoseconds for latency metrics, else a count, a rate or a share
  bool share = false;  // value was given with "%": compared with 100 * n / started
};

// nullopt with `error` set ("unknown metric 'p99x'", ...) when `text` is invalid.
std::optional<Threshold> parse_threshold(std::string_view text, std::string& error);

struct ThresholdVerdict {
  Threshold threshold;
  double observed = 0;  // same unit as Threshold::value
  bool passed = false;
  std::string detail;  // "p99 = 231.4ms, limit < 250ms"
};

// `elapsed_seconds`: the seconds transactions were allowed to start (the
// engine passes the window RunResult::achieved_rate uses), for "rate". When
// there is nothing to judge (a latency phase that recorded nothing, a share
// or rate with nothing started) the detail is "no data": an upper bound
// (<, <=) passes, as nothing crossed it, and a lower bound (>, >=) fails, as
// nothing reached it. A share of errors with nothing started but errors
// counted is 100%.
ThresholdVerdict evaluate(const Threshold& threshold, const Metrics& metrics,
                          double elapsed_seconds);

}  // namespace smtp::load
