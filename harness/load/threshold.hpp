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
//                     | "lost" | "duplicated" | "corrupted" | "bounced"
//                     | "unexpected" | "retried"    delivery counts of a run with
//                                                   --sink (delivery.hpp): pairs of
//                                                   message and recipient, or share
//                                                   of the accepted pairs with "%"
//           phase     = a MeasuredPhase name (default: transaction), or
//                       "delivery" (from the 250 at the end of data to the
//                       first arrival at the sink) or "delivery_from_start"
//                       (from the intended start); latency metrics only, the
//                       others count whole transactions or pairs
//           op        = "<" | "<=" | ">" | ">="
//           value     = a duration ("250ms", "1.5s") for latency metrics, a
//                       number with an optional "%" otherwise
// "delivered" has two meanings: with a delivery section (a run with --sink)
// the pairs that arrived at the sink, as a count or a share of the accepted
// pairs; without one, the transactions answered 250 at the end of data, as a
// count or a share of the transactions started.
// Spaces around the parts are allowed. A latency value needs its unit: k6's
// 'p99<250' means milliseconds, common::parse_duration's bare number seconds,
// so neither is guessed. A share is at most 100%. Standard library only.
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "load/delivery.hpp"
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
    delivered,
    lost,
    duplicated,
    corrupted,
    bounced,
    unexpected,
    retried
  };
  enum class Op : std::uint8_t { less, less_equal, greater, greater_equal };

  std::string text;  // as given, for messages and reports
  Metric metric = Metric::percentile;
  double percentile = 0;  // 0..100, for Metric::percentile
  MeasuredPhase phase = MeasuredPhase::transaction;
  // A delivery latency in place of `phase` ("p99:delivery"); none otherwise.
  DeliveryLatency delivery_latency = DeliveryLatency::none;
  Op op = Op::less;
  double value = 0;    // nanoseconds for latency metrics, else a count, a rate or a share
  bool share = false;  // value was given with "%": compared with 100 * n / started (or accepted)
};

// Whether the threshold reads the delivery section: the delivery counts, a
// delivery latency. ("delivered" reads it when there is one.)
bool needs_delivery(const Threshold& threshold);

// nullopt with `error` set ("unknown metric 'p99x'", ...) when `text` is invalid.
std::optional<Threshold> parse_threshold(std::string_view text, std::string& error);

struct ThresholdVerdict {
  Threshold threshold;
  double observed = 0;  // same unit as Threshold::value
  bool passed = false;
  std::string detail;  // "p99 = 231.4ms, limit < 250ms"
};

// `elapsed_seconds`: the seconds transactions were allowed to start (the
// engine passes the window RunResult::achieved_rate uses), for "rate".
// `delivery`: the run's delivery section (RunResult::delivery), nullopt for a
// run without --sink. When there is nothing to judge (a latency phase that
// recorded nothing, a share or rate with nothing started or accepted) the
// detail is "no data": an upper bound (<, <=) passes, as nothing crossed it,
// and a lower bound (>, >=) fails, as nothing reached it. A share of errors
// with nothing started but errors counted is 100%, and so is a share of
// delivery trouble with nothing accepted. A delivery metric on a run without
// a delivery section fails, whatever its bound, with the detail "no delivery
// section (run without --sink)": the user asked about deliveries that were
// not measured.
ThresholdVerdict evaluate(const Threshold& threshold, const Metrics& metrics,
                          double elapsed_seconds, const std::optional<DeliveryResult>& delivery);

}  // namespace smtp::load
