#pragma once
// The HTML report: one self-contained HTML5 file for one or more result files,
// rendered from their JSON (ARCHITECTURE.md §2, load step 6). Inline CSS
// and inline SVG charts; no script and no external request of any kind (the
// Content-Security-Policy forbids them too: default-src 'none'); readable with
// JavaScript off, transcripts expand with <details>. Each result is a section
// with its own heading, listed in a table of contents at the top.
//
//   load:  verdict (thresholds), the generator-bound warning, summary
//          (target, time, scenario, seed, model), throughput over time,
//          latency percentiles per phase (chart and table), the latency
//          distribution, latency over time, with --sink the delivery (counts,
//          the relay's behaviour, retries, header changes, samples) and the
//          delivery latency (from acceptance, from the intended start, and
//          delivered beside accepted per second), the reply-code matrix by phase,
//          errors by kind, thresholds, counters, the generator's health
//   check: verdict and counts, the checks that FAIL, ERROR or WARN, then every
//          check grouped by area with its clause, level, reason, notes and
//          transcript
//
// Every string from a result file is escaped (reports/html/html_text.hpp).
#include <string>
#include <vector>

#include "reports/result_file.hpp"

namespace smtp::reports {

// `results` as read_result_file returns them (validated), in page order.
std::string to_html(const std::vector<ResultDocument>& results);

}  // namespace smtp::reports
