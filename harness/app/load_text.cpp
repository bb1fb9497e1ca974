#include "app/load_text.hpp"

#include <algorithm>
#include <cstdio>
#include <string_view>

#include "load/format.hpp"
#include "proto/escape.hpp"

namespace smtp::app {
namespace {

using load::format_duration;
using load::format_number;

// Pads to `width` characters on screen: UTF-8 continuation bytes (the µ of
// µs) take no column.
std::string pad(std::string text, std::size_t width) {
  std::size_t columns = 0;
  for (unsigned char c : text) columns += (c & 0xC0) != 0x80 ? 1 : 0;
  if (columns < width) text.append(width - columns, ' ');
  return text;
}

std::uint64_t error_total(const load::Metrics& metrics) {
  std::uint64_t n = 0;
  for (auto count : metrics.errors()) n += count;
  return n;
}

// " 35 (2%)": a count and its share of `of`, when there is one.
std::string with_share(std::uint64_t count, std::uint64_t of) {
  std::string text = std::to_string(count);
  if (count > 0 && of > 0) {
    text +=
        " (" + format_number(100 * static_cast<double>(count) / static_cast<double>(of), 3) + "%)";
  }
  return text;
}

}  // namespace

std::string delivery_text(const load::DeliveryResult& delivery) {
  const auto& c = delivery.counts;
  std::string out = "delivery at sink " + delivery.sink + ": " + std::to_string(c.accepted) +
                    " pairs accepted (" + std::to_string(c.accepted_messages) + " messages), " +
                    with_share(c.delivered, c.accepted) + " delivered, lost " +
                    with_share(c.lost, c.accepted) + ", bounced " +
                    with_share(c.bounced, c.accepted) + ", duplicated " +
                    std::to_string(c.duplicated) + ", corrupted " + std::to_string(c.corrupted) +
                    ", unexpected " + std::to_string(c.unexpected) + ", retried " +
                    with_share(c.retried, c.accepted) + "\n";
  out += "delivery latency";
  if (delivery.latency.count() > 0) {
    out += " p50 " + format_duration(static_cast<double>(delivery.latency.quantile(0.50))) +
           "  p99 " + format_duration(static_cast<double>(delivery.latency.quantile(0.99)));
  } else {
    out += " none (nothing arrived)";
  }
  if (delivery.latency_from_start.count() > 0) {
    out += "  (from intended start p99 " +
           format_duration(static_cast<double>(delivery.latency_from_start.quantile(0.99))) + ")";
  }
  out += "  drain " + format_duration(delivery.drain_seconds * 1e9) + " of " +
         format_duration(delivery.drain_limit_seconds * 1e9);
  if (delivery.drain_interrupted) out += " (interrupted)";
  out += "\n";
  const auto& relay = delivery.relay;
  out += "relay connections " + std::to_string(relay.connections);
  if (relay.connections > 0) {
    out += "  messages per connection " +
           format_number(
               static_cast<double>(relay.messages) / static_cast<double>(relay.connections), 3) +
           " (max " + std::to_string(relay.max_messages_per_connection) + ")";
  }
  if (!relay.hello_names.empty()) {
    out += "  EHLO";
    // The relay's own words: one line, nothing that moves the cursor.
    for (const auto& [name, connections] : relay.hello_names) {
      out += " " + proto::escape_bytes(name);
    }
  }
  out += "\n";
  for (const auto& sample : delivery.samples) out += "  e.g. " + proto::escape_bytes(sample) + "\n";
  return out;
}

std::string progress_line(const load::LoadConfig& config, const load::SecondSample& second,
                          const load::Metrics& so_far, double elapsed_seconds) {
  const auto& c = so_far.counters();
  std::string line = format_number(elapsed_seconds, 3) + "s";
  if (config.duration) {
    double total = std::chrono::duration<double>(*config.duration).count();
    line += "/" + format_number(total, 3) + "s (" +
            format_number(std::max(0.0, total - elapsed_seconds), 2) + "s left)";
  }
  if (config.messages)
    line += "  " + std::to_string(c.transactions_started) + "/" + std::to_string(*config.messages) +
            " msgs";
  line += "  rate " + format_number(static_cast<double>(second.started), 5) + "/s";
  if (config.model == load::Model::open)
    line += " (target " + format_number(second.target_rate, 5) + ")";
  line += "  sent " + std::to_string(c.transactions_started);
  line += "  ok " + std::to_string(c.delivered);
  line += "  4xx " + std::to_string(c.refused_4xx);
  line += "  5xx " + std::to_string(c.refused_5xx);
  line += "  err " + std::to_string(error_total(so_far) - c.refused_4xx - c.refused_5xx);
  auto latency = so_far.latency(load::MeasuredPhase::transaction);
  if (latency.count() > 0) {
    line += "  p50 " + format_duration(static_cast<double>(latency.quantile(0.50)));
    line += "  p99 " + format_duration(static_cast<double>(latency.quantile(0.99)));
  }
  line += "  conns " + std::to_string(second.connections);
  return line;
}

std::string summary_text(const load::RunResult& result) {
  const auto& s = result.settings;
  const auto& m = result.metrics;
  const auto& c = m.counters();
  std::string out;
  out += "target " + s.target + "  model " + s.model;
  if (s.model == "open") out += " (" + s.arrivals + ")";
  out +=
      "  connections " + std::to_string(s.connections) + "  threads " + std::to_string(s.threads);
  if (s.shard_count > 0) {
    out += "  shard " + std::to_string(s.shard_index) + "/" + std::to_string(s.shard_count);
  }
  if (s.merged_runs > 0) out += "  merged from " + std::to_string(s.merged_runs) + " runs";
  out += "\n";
  out += "elapsed " + format_number(result.elapsed_seconds, 4) + "s  stopped by " +
         result.stop_reason + "\n";
  out += "rate " + format_number(result.achieved_rate, 5) + "/s";
  if (s.target_rate) out += "  target " + format_number(*s.target_rate, 5) + "/s";
  if (s.model == "open")
    out += "  late starts " + std::to_string(c.late_starts) + "  dropped " +
           std::to_string(c.dropped_starts);
  out += "\n";
  out += "transactions " + std::to_string(c.transactions_started) + "  delivered " +
         std::to_string(c.delivered) + "  4xx " + std::to_string(c.refused_4xx) + "  5xx " +
         std::to_string(c.refused_5xx) + "  failed " + std::to_string(c.failed) + "\n";
  out += "connections opened " + std::to_string(c.connections_opened) + "  failed " +
         std::to_string(c.connections_failed) + "  reconnects " + std::to_string(c.reconnects) +
         "\n";

  out += "\n" + pad("phase", 14) + pad("count", 10) + pad("p50", 10) + pad("p90", 10) +
         pad("p99", 10) + "max\n";
  for (std::size_t i = 0; i < load::kMeasuredPhaseCount; ++i) {
    auto phase = static_cast<load::MeasuredPhase>(i);
    auto h = m.latency(phase);
    if (h.count() == 0) continue;
    out += pad(std::string(load::to_string(phase)), 14) + pad(std::to_string(h.count()), 10) +
           pad(format_duration(static_cast<double>(h.quantile(0.50))), 10) +
           pad(format_duration(static_cast<double>(h.quantile(0.90))), 10) +
           pad(format_duration(static_cast<double>(h.quantile(0.99))), 10) +
           format_duration(static_cast<double>(h.max())) + "\n";
  }

  out += "\nreplies";
  std::string_view last_phase;
  for (const auto& [key, count] : m.replies()) {
    auto phase = load::to_string(key.phase);
    if (phase != last_phase) {
      out += "\n  " + pad(std::string(phase), 12);
      last_phase = phase;
    }
    out += " " + std::to_string(key.code);
    if (!key.enhanced.empty()) out += " " + key.enhanced;
    out += " ×" + std::to_string(count) + ";";
  }
  out += "\n";

  std::string errors;
  for (std::size_t i = 0; i < load::kErrorKindCount; ++i) {
    if (m.errors()[i] == 0) continue;
    errors += " " + std::string(load::to_string(static_cast<load::ErrorKind>(i))) + " " +
              std::to_string(m.errors()[i]);
  }
  out += "errors" + (errors.empty() ? std::string(" none") : errors) + "\n";
  for (const auto& sample : result.error_samples) out += "  e.g. " + sample + "\n";
  for (const auto& [name, value] : m.custom())
    out += "counter " + name + " " + format_number(value, 15) + "\n";

  const auto& g = result.generator;
  out += "generator cpu " + format_number(g.cpu_seconds, 3) + "s, busiest worker " +
         format_number(g.busiest_worker_cpu * 100, 3) + "% of a core";
  if (g.loop_lag.count() > 0)
    out += ", loop lag p99 " + format_duration(static_cast<double>(g.loop_lag.quantile(0.99)));
  out += "\n";
  if (g.bound) {
    out += "WARNING: the generator, not the target, was the limit:\n";
    for (const auto& reason : g.reasons) out += "  " + reason + "\n";
  }
  if (result.delivery) out += delivery_text(*result.delivery);
  for (const auto& verdict : result.thresholds)
    out += std::string(verdict.passed ? "PASS " : "FAIL ") + verdict.threshold.text + "  (" +
           verdict.detail + ")\n";
  return out;
}

}  // namespace smtp::app
