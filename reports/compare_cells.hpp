#pragma once
// The cells of one comparison row as every renderer shows them (terminal,
// Markdown, HTML): plain text that the renderer then escapes for its format.
#include <string>

#include "reports/compare.hpp"

namespace smtp::reports {

struct CompareCells {
  std::string metric;     // "p99", "p99:rcpt", "throughput"
  std::string base;       // "12.3ms", or "no data"
  std::string candidate;  // NEW's
  std::string change;     // "+1.2ms (+9.8%)", "+0.5pp", "0", or "n/a" when a value is missing
  std::string limit;      // "+10%", "" without a threshold
  std::string verdict;    // "REGRESSION", "ok", "no data", "" without a threshold
};

CompareCells compare_cells(const Comparison& comparison, const CompareRow& row);

// The heading of a row's group: "run" for the run-wide metrics, "delivery"
// for the delivery counts, else the phase ("transaction", "rcpt",
// "delivery", "delivery_from_start"). Renderers separate groups.
std::string row_group(const CompareRow& row);

}  // namespace smtp::reports
