#include "reports/compare_threshold.hpp"

#include "common/duration.hpp"
#include "common/number_text.hpp"
#include "load/format.hpp"
#include "reports/compare_format.hpp"

namespace smtp::reports {
namespace {

using Kind = CompareMetric::Kind;
using Form = CompareThreshold::Form;
using Verdict = ThresholdJudgement::Verdict;

constexpr std::string_view kMetricList =
    "pN, mean, max, throughput, rate, delivered, errors, 4xx, 5xx, delivered_pairs, lost, "
    "bounced, duplicated, corrupted, unexpected or retried";

// "p" digits [ "." digits ], as load --threshold writes percentiles.
std::optional<double> parse_percentile(std::string_view name) {
  if (name.size() < 2 || name.front() != 'p') return std::nullopt;
  const std::string_view number = name.substr(1);
  if (number.find_first_not_of("0123456789.") != std::string_view::npos) return std::nullopt;
  const auto dot = number.find('.');
  if (dot == 0 || dot + 1 == number.size()) return std::nullopt;
  return common::parse_plain_decimal(number);
}

// What a threshold on this kind is written as, for error messages.
std::string example(Kind kind) {
  switch (kind) {
    case Kind::throughput:
    case Kind::rate:
    case Kind::delivered:
      return metric_name({kind, 0, load::MeasuredPhase::transaction}) + ":-5%";
    case Kind::errors:
    case Kind::reply_4xx:
    case Kind::reply_5xx:
      return metric_name({kind, 0, load::MeasuredPhase::transaction}) + ":+0.5pp";
    case Kind::delivered_pairs:
      return "delivered_pairs:-0.1%";
    default:
      if (is_delivery_count(kind)) {
        return metric_name({kind, 0, load::MeasuredPhase::transaction}) + ":+0";
      }
      return "p99:+10%";
  }
}

// The units an absolute amount of this kind takes, for error messages.
std::string_view absolute_units(Kind kind) {
  if (is_latency(kind)) return "% or a duration such as 5ms";
  if (is_share(kind)) return "pp (percentage points)";
  if (kind == Kind::delivered || is_delivery_count(kind)) return "% or a plain count";
  return "% or /s";
}

// Whether a missing NEW value means NEW completed nothing where BASE did.
bool missing_is_regression(const CompareMetric& metric) {
  return !is_latency(metric.kind) || metric.phase == load::MeasuredPhase::transaction ||
         reads_delivery(metric);
}

}  // namespace

std::optional<CompareThreshold> parse_compare_threshold(std::string_view text, std::string& error) {
  const auto fail = [&](std::string message) -> std::optional<CompareThreshold> {
    error = std::move(message);
    return std::nullopt;
  };
  const std::string_view whole = common::trim_blanks(text);
  if (whole.empty()) return fail("empty threshold");
  const std::string in = " in " + common::single_quoted(whole);
  if (whole.find_first_of("<>=") != std::string_view::npos) {
    // load --threshold's grammar ('p99<250ms') judges one run, not a change.
    return fail(common::single_quoted(whole) +
                " is a load threshold; compare takes METRIC[:PHASE]:(+|-)AMOUNT such as "
                "'p99:+10%' or 'throughput:-5%'");
  }

  CompareThreshold threshold;
  threshold.text = std::string(whole);

  // metric [ ":" phase ] ":" amount
  const auto last_colon = whole.rfind(':');
  if (last_colon == std::string_view::npos) {
    return fail("missing ':' and limit" + in + " (expected METRIC[:PHASE]:(+|-)AMOUNT)");
  }
  std::string_view metric = common::trim_blanks(whole.substr(0, last_colon));
  std::string_view amount = common::trim_blanks(whole.substr(last_colon + 1));
  std::string_view phase;
  bool has_phase = false;
  if (const auto colon = metric.find(':'); colon != std::string_view::npos) {
    phase = common::trim_blanks(metric.substr(colon + 1));
    metric = common::trim_blanks(metric.substr(0, colon));
    has_phase = true;
    if (phase.empty()) return fail("missing phase after ':'" + in);
  }
  if (metric.empty()) return fail("missing metric" + in);

  if (const auto percentile = parse_percentile(metric)) {
    if (*percentile > 100) {
      return fail("percentile " + std::string(metric.substr(1)) + in + " is above 100");
    }
    threshold.metric.kind = Kind::percentile;
    threshold.metric.percentile = *percentile;
  } else if (const auto kind = named_kind(metric)) {
    threshold.metric.kind = *kind;
  } else {
    return fail("unknown metric " + common::single_quoted(metric) + in + " (expected " +
                std::string(kMetricList) + ")");
  }
  const Kind kind = threshold.metric.kind;
  if (has_phase) {
    if (!is_latency(kind)) {
      // Throughput, rate, delivered and the shares count whole transactions.
      return fail(common::single_quoted(metric) + " has no phase" + in);
    }
    if (phase.find(':') != std::string_view::npos) return fail("too many ':'" + in);
    if (const auto delivery = load::delivery_latency_from_string(phase)) {
      threshold.metric.delivery_latency = *delivery;
    } else if (const auto parsed = load::measured_phase_from_string(phase)) {
      threshold.metric.phase = *parsed;
    } else {
      return fail("unknown phase " + common::single_quoted(phase) + in +
                  " (expected a phase such as connect, ehlo, rcpt, end_of_data, transaction, "
                  "or delivery, delivery_from_start)");
    }
  }

  if (amount.empty())
    return fail("missing limit" + in + " (expected, e.g., " + example(kind) + ")");
  const char sign = amount.front();
  if (sign != '+' && sign != '-') {
    return fail("the limit " + common::single_quoted(amount) + in +
                " needs a sign: + for a rise, - for a fall (e.g. " + example(kind) + ")");
  }
  const bool rise = sign == '+';
  if (rise != higher_is_worse(kind)) {
    return fail(common::single_quoted(metric) +
                (rise ? " gets worse when it falls" : " gets worse when it rises") +
                ", so its limit takes '" + (rise ? "-" : "+") + "'" + in + " (e.g. " +
                example(kind) + ")");
  }
  amount = common::trim_blanks(amount.substr(1));

  const auto bad_amount = [&]() {
    return fail("bad limit " + common::single_quoted(amount) + in + " (" +
                metric_name(threshold.metric) + " takes " + std::string(absolute_units(kind)) +
                ")");
  };
  if (amount.ends_with('%')) {
    if (is_share(kind)) {
      return fail(common::single_quoted(metric) +
                  " is a share: write its limit in percentage points, e.g. " + example(kind) + in +
                  " ('%' is always relative to BASE)");
    }
    const auto number =
        common::parse_plain_decimal(common::trim_blanks(amount.substr(0, amount.size() - 1)));
    if (!number) return bad_amount();
    if (!rise && *number > 100) return fail("a fall of more than 100%" + in + " cannot happen");
    threshold.form = Form::relative;
    threshold.amount = *number;
    return threshold;
  }

  threshold.form = Form::absolute;
  if (is_latency(kind)) {
    const auto duration = common::parse_duration(amount);
    // parse_duration reads a bare number as seconds; the unit is required,
    // as in load --threshold, rather than guessed.
    const bool has_unit = !amount.empty() && amount.back() >= 'a' && amount.back() <= 'z';
    if (!duration || !has_unit) return bad_amount();
    threshold.amount = static_cast<double>(duration->count());
    return threshold;
  }
  std::string_view number_text = amount;
  if (is_share(kind)) {
    if (!amount.ends_with("pp")) return bad_amount();
    number_text = common::trim_blanks(amount.substr(0, amount.size() - 2));
  } else if (kind == Kind::throughput || kind == Kind::rate) {
    if (!amount.ends_with("/s")) return bad_amount();
    number_text = common::trim_blanks(amount.substr(0, amount.size() - 2));
  }
  const auto number = common::parse_plain_decimal(number_text);
  if (!number) return bad_amount();
  if (is_share(kind) && *number > 100) {
    return fail("a share changes by at most 100pp" + in);
  }
  threshold.amount = *number;
  return threshold;
}

std::string limit_text(const CompareThreshold& threshold) {
  const std::string sign = higher_is_worse(threshold.metric.kind) ? "+" : "-";
  // Six digits: the limit as the user wrote it, not rounded for display.
  const std::string number = load::format_number(threshold.amount, 6);
  if (threshold.form == Form::relative) return sign + number + "%";
  switch (unit_of(threshold.metric.kind)) {
    case CompareUnit::percent:
      return sign + number + "pp";
    case CompareUnit::per_second:
      return sign + number + "/s";
    case CompareUnit::count:
      return sign + load::format_number(threshold.amount, 15);
    case CompareUnit::nanoseconds:
      break;
  }
  return sign + load::format_duration(threshold.amount);
}

ThresholdJudgement judge(const CompareThreshold& threshold, std::optional<double> base,
                         std::optional<double> candidate) {
  ThresholdJudgement judgement;
  judgement.threshold = threshold;
  const CompareMetric& metric = threshold.metric;
  const std::string label = metric_label(metric);
  const std::string limit = " (limit " + limit_text(threshold) + ")";
  const CompareUnit unit = unit_of(metric.kind);

  if (!base || !candidate) {
    if (base && missing_is_regression(metric)) {
      judgement.verdict = Verdict::regression;
      judgement.detail =
          label + ": no data in NEW, BASE had " + format_compare_value(unit, *base) + limit;
    } else {
      judgement.verdict = Verdict::no_data;
      judgement.detail = label + ": no data in " +
                         std::string(!base && !candidate ? "either run"
                                     : !base             ? "BASE"
                                                         : "NEW");
    }
    return judgement;
  }

  const double difference = *candidate - *base;
  if (difference == 0) {
    judgement.change = 0.0;
    judgement.verdict = Verdict::ok;
    judgement.detail = label + " unchanged" + limit;
    return judgement;
  }
  // How much worse NEW is: positive when worse, whichever way that is.
  const double worse_by = higher_is_worse(metric.kind) ? difference : -difference;
  if (threshold.form == Form::absolute) {
    judgement.change = difference;
    judgement.verdict = worse_by > threshold.amount ? Verdict::regression : Verdict::ok;
    judgement.detail = label + " " + format_signed_amount(unit, difference) + limit;
    return judgement;
  }
  if (*base == 0) {
    // No relative change from 0: any worsening crosses the limit (only a
    // rise can worsen from 0; nothing falls below it).
    judgement.verdict = worse_by > 0 ? Verdict::regression : Verdict::ok;
    judgement.detail = label + " rose from 0 to " + format_compare_value(unit, *candidate) + limit;
    return judgement;
  }
  const double percent = 100 * difference / *base;
  judgement.change = percent;
  const double worse_percent = higher_is_worse(metric.kind) ? percent : -percent;
  judgement.verdict = worse_percent > threshold.amount ? Verdict::regression : Verdict::ok;
  judgement.detail = label + " " + format_signed_percent(percent) + limit;
  return judgement;
}

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::ok:
      return "ok";
    case Verdict::regression:
      return "regression";
    case Verdict::no_data:
      return "no data";
  }
  return "?";
}

}  // namespace smtp::reports
