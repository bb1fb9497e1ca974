#include "load/threshold.hpp"

#include <array>
#include <cstdio>

#include "common/duration.hpp"
#include "common/number_text.hpp"
#include "load/format.hpp"

namespace smtp::load {
namespace {

using Metric = Threshold::Metric;
using Op = Threshold::Op;

struct NamedMetric {
  std::string_view name;
  Metric metric;
};

// Every metric but the percentiles, which carry their number ("p99.9").
constexpr std::array<NamedMetric, 14> kMetrics = {{
    {"mean", Metric::mean},
    {"max", Metric::max},
    {"min", Metric::min},
    {"errors", Metric::errors},
    {"4xx", Metric::reply_4xx},
    {"5xx", Metric::reply_5xx},
    {"rate", Metric::rate},
    {"delivered", Metric::delivered},
    {"lost", Metric::lost},
    {"duplicated", Metric::duplicated},
    {"corrupted", Metric::corrupted},
    {"bounced", Metric::bounced},
    {"unexpected", Metric::unexpected},
    {"retried", Metric::retried},
}};

constexpr std::string_view kMetricList =
    "pN, mean, max, min, errors, 4xx, 5xx, rate, delivered, lost, duplicated, corrupted, "
    "bounced, unexpected or retried";

constexpr std::string_view kNoDelivery = "no delivery section (run without --sink)";

bool is_latency(Metric metric) {
  return metric == Metric::percentile || metric == Metric::mean || metric == Metric::max ||
         metric == Metric::min;
}

// The counts of a delivery section (delivery.hpp), pairs of message and
// recipient; "delivered" is one of them only when there is a section.
bool is_delivery_count(Metric metric) {
  return metric == Metric::lost || metric == Metric::duplicated || metric == Metric::corrupted ||
         metric == Metric::bounced || metric == Metric::unexpected || metric == Metric::retried;
}

// A count that may also be given as a share of the transactions started
// (or, for the delivery counts, of the accepted pairs).
bool takes_share(Metric metric) {
  return metric == Metric::errors || metric == Metric::reply_4xx || metric == Metric::reply_5xx ||
         metric == Metric::delivered || is_delivery_count(metric);
}

// 100 * count / of; with nothing to divide by, trouble that did happen is
// all there was (100%), and none is "no data".
std::optional<double> share_of(std::uint64_t count, std::uint64_t of) {
  if (of == 0) return count > 0 ? std::optional<double>(100) : std::nullopt;
  return 100 * static_cast<double>(count) / static_cast<double>(of);
}

// Whether a value ends with a unit's letter ("250ms"), unlike a bare number
// ("250", "1e3") that parse_duration would also accept, as seconds.
bool ends_with_unit(std::string_view value) {
  return !value.empty() && value.back() >= 'a' && value.back() <= 'z';
}

// "p" digits [ "." digits ]: the percentile, or nullopt if `name` is not one.
std::optional<double> parse_percentile(std::string_view name) {
  if (name.size() < 2 || name.front() != 'p') return std::nullopt;
  const std::string_view number = name.substr(1);
  const auto dot = number.find('.');
  const auto all_digits = [](std::string_view part) {
    return !part.empty() && part.find_first_not_of("0123456789") == std::string_view::npos;
  };
  const bool well_formed = dot == std::string_view::npos ? all_digits(number)
                                                         : all_digits(number.substr(0, dot)) &&
                                                               all_digits(number.substr(dot + 1));
  if (!well_formed) return std::nullopt;
  return common::parse_plain_decimal(number);
}

std::string_view to_string(Op op) {
  switch (op) {
    case Op::less:
      return "<";
    case Op::less_equal:
      return "<=";
    case Op::greater:
      return ">";
    case Op::greater_equal:
      return ">=";
  }
  return "?";
}

bool holds(Op op, double observed, double limit) {
  switch (op) {
    case Op::less:
      return observed < limit;
    case Op::less_equal:
      return observed <= limit;
    case Op::greater:
      return observed > limit;
    case Op::greater_equal:
      return observed >= limit;
  }
  return false;
}

// The value in the threshold's unit, for a detail line.
std::string format_value(const Threshold& threshold, double value) {
  if (is_latency(threshold.metric)) return format_duration(value);
  if (threshold.share) return format_number(value) + "%";
  if (threshold.metric == Metric::rate) return format_number(value) + "/s";
  return format_number(value, 15);  // a count: every digit
}

// The name of a metric other than percentile, as kMetrics spells it.
std::string_view metric_name(Metric metric) {
  for (const auto& entry : kMetrics) {
    if (entry.metric == metric) return entry.name;
  }
  return "?";
}

// The metric as written, with its phase unless it is the default one.
std::string label(const Threshold& threshold) {
  std::string name;
  if (threshold.metric == Metric::percentile) {
    name = "p" + format_number(threshold.percentile, 6);
  } else {
    name = metric_name(threshold.metric);
  }
  if (threshold.delivery_latency != DeliveryLatency::none) {
    name += ":" + std::string(to_string(threshold.delivery_latency));
  } else if (threshold.phase != MeasuredPhase::transaction) {
    name += ":" + std::string(to_string(threshold.phase));
  }
  return name;
}

std::optional<double> observe_latency(const Threshold& threshold, const Histogram& histogram) {
  if (histogram.count() == 0) return std::nullopt;
  switch (threshold.metric) {
    case Metric::percentile:
      return static_cast<double>(histogram.quantile(threshold.percentile / 100));
    case Metric::mean:
      return histogram.mean();
    case Metric::max:
      return static_cast<double>(histogram.max());
    default:
      return static_cast<double>(histogram.min());
  }
}

// A threshold on the delivery section (needs_delivery, or "delivered" with
// a section): pairs, or their share of the accepted pairs.
std::optional<double> observe_delivery(const Threshold& threshold, const DeliveryResult& delivery) {
  if (is_latency(threshold.metric)) {
    return observe_latency(threshold, histogram_of(delivery, threshold.delivery_latency));
  }
  // The delivery metrics are named as the counts are (kDeliveryCountNames).
  const std::uint64_t count =
      count_named(delivery.counts, metric_name(threshold.metric)).value_or(0);
  if (!threshold.share) return static_cast<double>(count);
  return share_of(count, delivery.counts.accepted);
}

// The observed value, or nullopt when there is nothing to judge.
std::optional<double> observe(const Threshold& threshold, const Metrics& metrics,
                              double elapsed_seconds) {
  if (is_latency(threshold.metric)) {
    return observe_latency(threshold, metrics.latency(threshold.phase));
  }
  const Counters& counters = metrics.counters();
  const auto started = static_cast<double>(counters.transactions_started);
  if (threshold.metric == Metric::rate) {
    // Transactions started per second over the seconds the engine passes:
    // the active window of RunResult::achieved_rate.
    if (!(elapsed_seconds > 0)) return std::nullopt;
    return started / elapsed_seconds;
  }
  std::uint64_t count = 0;
  switch (threshold.metric) {
    case Metric::errors:
      for (const std::uint64_t n : metrics.errors()) count += n;
      break;
    case Metric::reply_4xx:
      count = counters.refused_4xx;
      break;
    case Metric::reply_5xx:
      count = counters.refused_5xx;
      break;
    default:
      count = counters.delivered;
      break;
  }
  if (!threshold.share) return static_cast<double>(count);
  // Errors with nothing started (every session refused, say) are all there
  // was: 100%, not "no data" that would pass "errors<1%".
  return share_of(count, counters.transactions_started);
}

}  // namespace

std::optional<Threshold> parse_threshold(std::string_view text, std::string& error) {
  const auto fail = [&](std::string message) -> std::optional<Threshold> {
    error = std::move(message);
    return std::nullopt;
  };
  const std::string_view whole = common::trim_blanks(text);
  if (whole.empty()) return fail("empty threshold");
  const std::string in = " in " + common::single_quoted(whole);

  Threshold threshold;
  threshold.text = std::string(whole);

  const auto op_at = whole.find_first_of("<>");
  if (op_at == std::string_view::npos) {
    return fail("missing operator" + in + " (expected <, <=, > or >=)");
  }
  const bool or_equal = op_at + 1 < whole.size() && whole[op_at + 1] == '=';
  if (whole[op_at] == '<') {
    threshold.op = or_equal ? Op::less_equal : Op::less;
  } else {
    threshold.op = or_equal ? Op::greater_equal : Op::greater;
  }

  // metric [ ":" phase ]
  std::string_view metric = common::trim_blanks(whole.substr(0, op_at));
  const auto colon = metric.find(':');
  if (colon != std::string_view::npos) {
    const std::string_view phase = common::trim_blanks(metric.substr(colon + 1));
    metric = common::trim_blanks(metric.substr(0, colon));
    if (phase.empty()) return fail("missing phase after ':'" + in);
    if (const auto delivery = delivery_latency_from_string(phase)) {
      threshold.delivery_latency = *delivery;
    } else if (const auto parsed = measured_phase_from_string(phase)) {
      threshold.phase = *parsed;
    } else {
      return fail("unknown phase " + common::single_quoted(phase) + in +
                  " (expected a phase such as connect, ehlo, rcpt, end_of_data, transaction, "
                  "or delivery, delivery_from_start)");
    }
  }
  if (metric.empty()) return fail("missing metric" + in);
  if (const auto percentile = parse_percentile(metric)) {
    if (*percentile > 100) {
      return fail("percentile " + std::string(metric.substr(1)) + in + " is above 100");
    }
    threshold.metric = Metric::percentile;
    threshold.percentile = *percentile;
  } else {
    const NamedMetric* found = nullptr;
    for (const auto& entry : kMetrics) {
      if (entry.name == metric) found = &entry;
    }
    if (found == nullptr) {
      return fail("unknown metric " + common::single_quoted(metric) + in + " (expected " +
                  std::string(kMetricList) + ")");
    }
    threshold.metric = found->metric;
  }
  if (!is_latency(threshold.metric) && colon != std::string_view::npos) {
    // Counts and the rate are per transaction, not per phase.
    return fail(common::single_quoted(metric) + " has no phase" + in);
  }

  std::string_view value = common::trim_blanks(whole.substr(op_at + (or_equal ? 2 : 1)));
  if (value.empty()) return fail("missing value" + in);

  if (is_latency(threshold.metric)) {
    if (value.ends_with('%')) {
      return fail("a latency limit cannot be a percentage" + in +
                  " (expected a duration such as 250ms)");
    }
    const auto duration = common::parse_duration(value);
    // parse_duration reads a bare number as seconds; a k6 user means
    // milliseconds by 'p99<250', so a unit is required rather than guessed.
    if (duration && !ends_with_unit(value)) {
      return fail("the limit " + common::single_quoted(value) + in +
                  " needs a unit (ns, us, ms, s, m or h)");
    }
    if (!duration) {
      return fail("bad duration " + common::single_quoted(value) + in +
                  " (expected a duration such as 250ms)");
    }
    threshold.value = static_cast<double>(duration->count());
    return threshold;
  }

  if (value.ends_with('%')) {
    if (!takes_share(threshold.metric)) {
      return fail(common::single_quoted(metric) + " cannot be a percentage" + in);
    }
    threshold.share = true;
    value = common::trim_blanks(value.substr(0, value.size() - 1));
  }
  // "rate>=5000/s" reads naturally and matches the detail line's unit.
  if (threshold.metric == Metric::rate && value.ends_with("/s")) {
    value = common::trim_blanks(value.substr(0, value.size() - 2));
  }
  const auto number = common::parse_plain_decimal(value);
  if (!number) {
    if (!threshold.share && ends_with_unit(value) && common::parse_duration(value)) {
      return fail(common::single_quoted(metric) + " takes a number, not a duration" + in);
    }
    return fail("bad value " + common::single_quoted(value) + in + " (expected a number" +
                (takes_share(threshold.metric) ? ", optionally with %)" : ")"));
  }
  if (threshold.share && *number > 100) {
    return fail("share " + std::string(value) + "%" + in + " is above 100%");
  }
  threshold.value = *number;
  return threshold;
}

bool needs_delivery(const Threshold& threshold) {
  return is_delivery_count(threshold.metric) ||
         (is_latency(threshold.metric) && threshold.delivery_latency != DeliveryLatency::none);
}

ThresholdVerdict evaluate(const Threshold& threshold, const Metrics& metrics,
                          double elapsed_seconds, const std::optional<DeliveryResult>& delivery) {
  ThresholdVerdict verdict;
  verdict.threshold = threshold;
  const bool reads_delivery =
      needs_delivery(threshold) || (threshold.metric == Metric::delivered && delivery);
  if (reads_delivery && !delivery) {
    verdict.passed = false;
    verdict.detail = std::string(kNoDelivery);
    return verdict;
  }
  const auto observed = reads_delivery ? observe_delivery(threshold, *delivery)
                                       : observe(threshold, metrics, elapsed_seconds);
  if (!observed) {
    // Nothing was measured: an upper bound was not crossed, a lower bound
    // was not reached (threshold.hpp).
    verdict.passed =
        threshold.op == Threshold::Op::less || threshold.op == Threshold::Op::less_equal;
    verdict.detail = "no data";
    return verdict;
  }
  verdict.observed = *observed;
  verdict.passed = holds(threshold.op, *observed, threshold.value);
  verdict.detail = label(threshold) + " = " + format_value(threshold, *observed) + ", limit " +
                   std::string(to_string(threshold.op)) + " " +
                   format_value(threshold, threshold.value);
  return verdict;
}

}  // namespace smtp::load
