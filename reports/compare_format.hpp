#pragma once
// The numbers of a comparison as people read them, the same on the terminal,
// in Markdown, in HTML and in threshold details: "12.3ms", "4987/s", "0.25%"
// for values; "+1.2ms (+23.4%)", "-12/s (-2.5%)", "+0.5pp" for changes.
// A share's change is only ever in percentage points ("pp"), so that "%"
// always means a change relative to BASE.
#include <optional>
#include <string>

#include "reports/compare_metric.hpp"

namespace smtp::reports {

std::string format_compare_value(CompareUnit unit, double value);

// A signed amount in the unit: "+1.2ms", "-12/s", "+0.5pp", "+3", "0".
std::string format_signed_amount(CompareUnit unit, double amount);

// A signed relative change in percent: "+23.4%", "-5%", "0%".
std::string format_signed_percent(double percent);

}  // namespace smtp::reports
