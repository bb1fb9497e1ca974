#pragma once
// Regression limits for `smtp-harness compare BASE.json NEW.json`:
// --threshold 'p99:+10%' --threshold 'throughput:-5%'. A crossed limit is a
// regression and makes compare exit 1.
//
// Grammar:  threshold = metric [ ":" phase ] ":" sign amount
//           metric    = "p" digits [ "." digits ] | "mean" | "max"   latency
//                     | "throughput" | "rate" | "delivered"
//                     | "errors" | "4xx" | "5xx"                    shares
//                     | "delivered_pairs" | "lost" | "bounced" | "duplicated"
//                     | "corrupted" | "unexpected" | "retried"   counts of a
//                                                               run with --sink
//                     (compare_metric.hpp defines each)
//           phase     = a measured phase (connect, ehlo, rcpt, end_of_data,
//                       ...; default transaction), or delivery or
//                       delivery_from_start; latency metrics only
//           sign      = "+" for a metric that is worse when higher (latency,
//                       errors, 4xx, 5xx), "-" for one that is worse when
//                       lower (throughput, rate, delivered). The other sign
//                       is refused: it would limit an improvement.
//           amount    = number "%"   relative to BASE's value, any metric but
//                                    the shares
//                     | duration     absolute, latency: "5ms", "1.5s" (a
//                                    unit is required)
//                     | number "pp"  absolute, shares: percentage points
//                     | number "/s"  absolute, throughput and rate
//                     | number       absolute, delivered and the delivery
//                                    counts
// "%" always means relative to BASE. A share's limit is written in
// percentage points ("errors:+0.5pp": from 1% to 1.5% is the limit), since
// "errors:+10%" could mean 1% → 11% or 1% → 1.1%; it is refused, not
// guessed. Spaces around the parts are allowed.
//
// A limit is crossed when NEW is worse than BASE by strictly more than the
// amount: 'p99:+10%' fails for NEW.p99 > 1.1 × BASE.p99, 'throughput:-5%'
// for NEW.throughput < 0.95 × BASE.throughput; '+0%' fails on any rise.
// A change from a BASE value of 0 has no relative size: a relative limit
// is then crossed by any worsening (a rise from 0; nothing falls below 0).
//
// No data (a phase one run did not record, a share with nothing started):
//   - missing in BASE: nothing to compare against, "no data", not a
//     regression;
//   - missing in NEW only: a regression for the transaction phase and the
//     run-wide metrics (NEW completed no transaction where BASE did), and
//     for the delivery metrics (NEW ran without --sink, or nothing arrived,
//     where BASE measured deliveries); "no data" for any other phase (a
//     phase can come and go with the setup: BDAT instead of DATA, STARTTLS,
//     AUTH).
// Standard library and the load model only.
#include <optional>
#include <string>
#include <string_view>

#include "reports/compare_metric.hpp"

namespace smtp::reports {

struct CompareThreshold {
  enum class Form : std::uint8_t { relative, absolute };

  std::string text;  // as given, trimmed
  CompareMetric metric;
  Form form = Form::relative;
  // >= 0. relative: percent of BASE's value. absolute: the metric's unit
  // (nanoseconds, per second, a count, percentage points).
  double amount = 0;
};

// nullopt with `error` set ("'throughput' gets worse when it falls: write
// 'throughput:-5%'") when `text` is not a valid threshold.
std::optional<CompareThreshold> parse_compare_threshold(std::string_view text, std::string& error);

// The limit as written in canonical form: "+10%", "+5ms", "+0.5pp", "-100/s".
std::string limit_text(const CompareThreshold& threshold);

struct ThresholdJudgement {
  enum class Verdict : std::uint8_t { ok, regression, no_data };

  CompareThreshold threshold;
  Verdict verdict = Verdict::no_data;
  // NEW's change in the limit's terms (percent for a relative limit, else
  // the metric's unit); nullopt when either value is missing or a relative
  // change from 0.
  std::optional<double> change;
  std::string detail;  // "p99 +23.4% (limit +10%)", "p99:rcpt: no data in NEW"
};

ThresholdJudgement judge(const CompareThreshold& threshold, std::optional<double> base,
                         std::optional<double> candidate);

std::string_view to_string(ThresholdJudgement::Verdict verdict);  // "ok", "regression", "no data"

}  // namespace smtp::reports
