#include "load/live_metrics.hpp"

#include <map>

#include "common/prometheus_text.hpp"
#include "load/prometheus_buckets.hpp"

namespace smtp::load {
namespace {

using common::MetricLabels;
using common::PrometheusText;

void histogram(PrometheusText& out, const char* name, const MetricLabels& labels,
               const Histogram& h) {
  const auto buckets = classic_buckets(h);
  out.histogram(name, labels, kLatencyBucketBounds, buckets.cumulative, buckets.count,
                buckets.sum_seconds);
}

void counter(PrometheusText& out, const char* name, const char* help, std::uint64_t value) {
  out.family(name, "counter", help);
  out.sample(name, value);
}

void transactions(PrometheusText& out, const Counters& c) {
  counter(out, "smtp_harness_transactions_started_total", "Transactions handed to a session.",
          c.transactions_started);
  out.family("smtp_harness_transactions_total", "counter",
             "Transactions decided, by outcome: delivered, refused_4xx, refused_5xx, failed.");
  const std::pair<const char*, std::uint64_t> outcomes[] = {{"delivered", c.delivered},
                                                            {"refused_4xx", c.refused_4xx},
                                                            {"refused_5xx", c.refused_5xx},
                                                            {"failed", c.failed}};
  for (const auto& [outcome, n] : outcomes)
    out.sample("smtp_harness_transactions_total", {{"outcome", outcome}}, n);
  out.family("smtp_harness_recipients_total", "counter", "Recipients, by outcome.");
  out.sample("smtp_harness_recipients_total", {{"outcome", "accepted"}}, c.recipients_accepted);
  out.sample("smtp_harness_recipients_total", {{"outcome", "refused"}}, c.recipients_refused);
  counter(out, "smtp_harness_connections_opened_total", "TCP connections opened.",
          c.connections_opened);
  counter(out, "smtp_harness_connections_failed_total",
          "Connections whose connect or setup (TLS, EHLO, AUTH) failed.", c.connections_failed);
  counter(out, "smtp_harness_reconnects_total", "New connections after a 421 or a lost one.",
          c.reconnects);
  counter(out, "smtp_harness_late_starts_total",
          "Open model: transactions started after their intended time.", c.late_starts);
  counter(out, "smtp_harness_dropped_starts_total", "Open model: transactions that never started.",
          c.dropped_starts);
  counter(out, "smtp_harness_sent_bytes_total", "Octets written to the target.", c.bytes_written);
  counter(out, "smtp_harness_received_bytes_total", "Octets read from the target.", c.bytes_read);
}

void replies_and_errors(PrometheusText& out, const Metrics& m) {
  // The matrix keeps enhanced codes too; the series are by phase and code.
  std::map<std::pair<MeasuredPhase, int>, std::uint64_t> by_code;
  for (const auto& [key, n] : m.replies()) by_code[{key.phase, key.code}] += n;
  out.family("smtp_harness_replies_total", "counter", "Replies by phase and code.");
  for (const auto& [key, n] : by_code)
    out.sample("smtp_harness_replies_total",
               {{"phase", std::string(to_string(key.first))}, {"code", std::to_string(key.second)}},
               n);
  out.family("smtp_harness_errors_total", "counter", "Errors by kind (ARCHITECTURE.md §4).");
  for (std::size_t k = 0; k < kErrorKindCount; ++k) {
    const auto kind = static_cast<ErrorKind>(k);
    out.sample("smtp_harness_errors_total", {{"kind", std::string(to_string(kind))}},
               m.errors(kind));
  }
  out.family("smtp_harness_latency_seconds", "histogram",
             "Latency per phase (every reply class), in the fixed bucket layout of the README.");
  for (std::size_t p = 0; p < kMeasuredPhaseCount; ++p) {
    const auto phase = static_cast<MeasuredPhase>(p);
    const auto h = m.latency(phase);
    if (h.count() > 0)
      histogram(out, "smtp_harness_latency_seconds", {{"phase", std::string(to_string(phase))}}, h);
  }
}

void generator(PrometheusText& out, const LiveMetricsInput& in) {
  if (in.target_rate) {
    out.family("smtp_harness_target_rate", "gauge",
               "Open model: transactions per second this shard's schedule asks for now.");
    out.sample("smtp_harness_target_rate", *in.target_rate);
  }
  const SecondSample empty;
  const auto& s = in.last_second ? *in.last_second : empty;
  out.family("smtp_harness_achieved_rate", "gauge",
             "Transactions started in the last complete second.");
  out.sample("smtp_harness_achieved_rate", s.started);
  out.family("smtp_harness_open_connections", "gauge",
             "Sessions connected at the end of the last complete second.");
  out.sample("smtp_harness_open_connections", s.connections);
  out.family("smtp_harness_loop_lag_seconds", "gauge",
             "The latest any worker's 100 ms tick ran in the last complete second.");
  out.sample("smtp_harness_loop_lag_seconds", static_cast<double>(s.loop_lag_max_ns) / 1e9);
  out.family("smtp_harness_cpu_seconds_total", "counter",
             "CPU time (user + system) of the load process since the run started.");
  out.sample("smtp_harness_cpu_seconds_total", s.cpu_seconds);
  out.family("smtp_harness_run_finished", "gauge",
             "1 once the run has ended and these are its final counts, else 0.");
  out.sample("smtp_harness_run_finished", std::uint64_t{in.finished ? 1u : 0u});
}

void delivery(PrometheusText& out, const DeliveryResult& d) {
  const auto& c = d.counts;
  out.family("smtp_harness_delivery_total", "counter",
             "With --sink: recipient pairs by what the sink saw of them.");
  const std::pair<const char*, std::uint64_t> outcomes[] = {
      {"accepted", c.accepted},    {"delivered", c.delivered},
      {"bounced", c.bounced},      {"duplicated", c.duplicated},
      {"corrupted", c.corrupted},  {"header_changed", c.header_changed},
      {"unexpected", c.unexpected}};
  for (const auto& [outcome, n] : outcomes)
    out.sample("smtp_harness_delivery_total", {{"outcome", outcome}}, n);
  out.family("smtp_harness_delivery_pending", "gauge",
             "With --sink: accepted pairs neither delivered nor bounced yet (after the drain: "
             "the lost ones).");
  out.sample("smtp_harness_delivery_pending", c.lost);
  out.family("smtp_harness_delivery_latency_seconds", "histogram",
             "With --sink: from the relay's 250 to the pair's first arrival at the sink.");
  histogram(out, "smtp_harness_delivery_latency_seconds", {}, d.latency);
}

}  // namespace

std::string live_metrics_text(const LiveMetricsInput& in) {
  PrometheusText out(MetricLabels{{"shard", in.shard}, {"run_id", in.run_id}});
  const Metrics empty;
  const auto& m = in.so_far ? *in.so_far : empty;
  transactions(out, m.counters());
  replies_and_errors(out, m);
  generator(out, in);
  if (in.delivery) delivery(out, *in.delivery);
  return out.text();
}

}  // namespace smtp::load
