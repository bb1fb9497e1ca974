#pragma once
// A comparison (compare.hpp) as `smtp-harness compare` writes it: an aligned
// table for the terminal, Markdown for a CI step summary, JSON for tools, and
// a self-contained HTML page. Each shows every row (metric, BASE, NEW,
// change, limit, verdict) and the summary line.
//
// The JSON document (compare_json):
//   {
//     "kind": "smtp-harness/compare", "version": 1,
//     "base": RUN, "new": RUN,
//       RUN = {"file", "started_at" (RFC 3339), "target", "elapsed_seconds",
//              "stop_reason"}
//     "rows": [{"metric": "p99", "phase": "transaction" (latency only),
//               "unit": "ns" | "per_second" | "count" | "percent",
//               "base": number | null, "new": number | null,   (null: no data)
//               "change": number | null,          NEW - BASE, in the unit
//                                                 (percentage points for "percent")
//               "relative_percent": number | null}],  null also when BASE is 0
//     "thresholds": [{"threshold": "p99:+10%" (as given), "metric", "phase",
//                     "limit": "+10%",
//                     "verdict": "ok" | "regression" | "no data",
//                     "change": number | null,    percent for a relative limit,
//                                                 else the metric's unit
//                     "detail": "p99 +23.4% (limit +10%)"}],
//     "verdict": "regression" | "no regression" | "no thresholds",
//     "summary": the summary line
//   }
// Strings that are not UTF-8 (a file name) are written with \xnn escapes.
#include <nlohmann/json.hpp>
#include <string>

#include "reports/compare.hpp"

namespace smtp::reports {

// The table and, last, the summary line. Untrusted strings (file names, the
// targets read from the files) are escaped to printable ASCII.
std::string compare_text(const Comparison& comparison);

// A heading with the outcome, the two runs, the table (every cell through
// markdown_text, so a '|' cannot break it) and the summary.
std::string compare_markdown(const Comparison& comparison);

nlohmann::json compare_json(const Comparison& comparison);

// One HTML document: inline CSS, no script, no external resource (its
// Content-Security-Policy forbids them); every string goes through
// html::html_text.
std::string compare_html(const Comparison& comparison);

}  // namespace smtp::reports
