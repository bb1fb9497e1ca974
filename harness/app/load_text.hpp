#pragma once
// What `smtp-harness load` prints: the live progress line (ARCHITECTURE.md
// §2, load step 5) and the summary at the end. Plain text; the HTML, JUnit
// and Markdown renderers read the JSON result instead.
#include <string>

#include "load/config.hpp"
#include "load/result.hpp"

namespace smtp::app {

// "12s/30s (18s left)  rate 4987/s (target 5000)  sent 59840  ok 59800  4xx 30  5xx 10
//  err 0  p50 1.2ms  p99 3.4ms  conns 64"
std::string progress_line(const load::LoadConfig& config, const load::SecondSample& second,
                          const load::Metrics& so_far, double elapsed_seconds);

// Several lines: totals, rate, latency per phase, replies, errors, generator
// health, the delivery block (with --sink), thresholds.
std::string summary_text(const load::RunResult& result);

// The delivery block of a run with --sink, three lines:
// "delivery at sink 127.0.0.1:2526: 1770 pairs accepted (590 messages), 1755 delivered, ..."
// "delivery latency p50 120ms  p99 1.8s  (from intended start p99 1.9s)  drain 1.75s of 30s"
// "relay connections 12  messages per connection 50 (max 100)  EHLO relay.example.test"
// then the samples.
std::string delivery_text(const load::DeliveryResult& delivery);

}  // namespace smtp::app
