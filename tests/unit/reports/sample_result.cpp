#include "sample_result.hpp"

#include <chrono>

namespace smtp::reports::testing {
namespace {

using load::ErrorKind;
using load::MeasuredPhase;
using load::Metrics;
using namespace std::chrono_literals;

// A fixed pseudo-random sequence (64-bit LCG, Knuth's MMIX constants), so
// the sample is the same on every machine.
class Sequence {
 public:
  explicit Sequence(std::uint64_t seed) : state_(seed) {}
  // A value in [low, low + spread).
  std::uint64_t next(std::uint64_t low, std::uint64_t spread) {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return low + (state_ >> 11) % spread;
  }

 private:
  std::uint64_t state_;
};

void record_many(Metrics& metrics, Sequence& sequence, MeasuredPhase phase, int reply_class,
                 int count, std::uint64_t low, std::uint64_t spread) {
  for (int i = 0; i < count; ++i) {
    metrics.record_latency(phase, reply_class, sequence.next(low, spread));
  }
}

// What one worker saw; `seed` varies the values so the two workers differ.
Metrics worker_metrics(std::uint64_t seed, int transactions) {
  Sequence sequence(seed);
  Metrics metrics;
  record_many(metrics, sequence, MeasuredPhase::connect, 2, 10, 40'000, 200'000);
  record_many(metrics, sequence, MeasuredPhase::tls_handshake, 2, 10, 900'000, 2'000'000);
  record_many(metrics, sequence, MeasuredPhase::banner, 2, 10, 300, 400);  // underflow
  record_many(metrics, sequence, MeasuredPhase::ehlo, 2, 20, 60'000, 90'000);
  record_many(metrics, sequence, MeasuredPhase::starttls, 2, 10, 50'000, 50'000);
  record_many(metrics, sequence, MeasuredPhase::auth, 2, 10, 150'000, 300'000);
  record_many(metrics, sequence, MeasuredPhase::mail, 2, transactions, 70'000, 100'000);
  record_many(metrics, sequence, MeasuredPhase::rcpt, 2, 3 * transactions, 70'000, 150'000);
  record_many(metrics, sequence, MeasuredPhase::rcpt, 4, 4, 1'000'000, 5'000'000);
  record_many(metrics, sequence, MeasuredPhase::rcpt, 5, 3, 80'000, 100'000);
  record_many(metrics, sequence, MeasuredPhase::data, 2, transactions - 7, 60'000, 60'000);
  record_many(metrics, sequence, MeasuredPhase::end_of_data, 2, transactions - 9, 20'000'000,
              1'500'000);
  record_many(metrics, sequence, MeasuredPhase::end_of_data, 4, 2, 30'000'000, 5'000'000);
  record_many(metrics, sequence, MeasuredPhase::transaction, 2, transactions - 9, 21'000'000,
              9'000'000);
  record_many(metrics, sequence, MeasuredPhase::transaction, 4, 6, 5'000'000, 50'000'000);
  record_many(metrics, sequence, MeasuredPhase::transaction, 5, 3, 1'000'000, 2'000'000);
  record_many(metrics, sequence, MeasuredPhase::service, 2, transactions - 9, 20'500'000,
              3'000'000);
  record_many(metrics, sequence, MeasuredPhase::quit, 2, 10, 40'000, 30'000);
  // One server that held a transaction for more than the histogram's hour.
  metrics.record_latency(MeasuredPhase::service, 4, 3'700'000'000'000 + seed);

  metrics.count_reply(MeasuredPhase::banner, 220, "");
  for (int i = 0; i < 10; ++i) metrics.count_reply(MeasuredPhase::ehlo, 250, "");
  for (int i = 0; i < transactions; ++i) metrics.count_reply(MeasuredPhase::mail, 250, "2.1.0");
  for (int i = 0; i < 3 * transactions; ++i) {
    metrics.count_reply(MeasuredPhase::rcpt, 250, "2.1.5");
  }
  for (int i = 0; i < 4; ++i) metrics.count_reply(MeasuredPhase::rcpt, 450, "4.2.0");
  for (int i = 0; i < 3; ++i) metrics.count_reply(MeasuredPhase::rcpt, 550, "5.1.1");
  metrics.count_reply(MeasuredPhase::end_of_data, 451, "4.3.0");
  metrics.count_reply(MeasuredPhase::end_of_data, 451, "");
  metrics.count_reply(MeasuredPhase::quit, 221, "2.0.0");

  metrics.count_error(ErrorKind::reply_4xx, 6);
  metrics.count_error(ErrorKind::reply_5xx, 3);
  metrics.count_error(ErrorKind::timeout);
  metrics.count_error(ErrorKind::closed, 2);

  metrics.add_custom("bounce_probes", 3);
  metrics.add_custom("body_kib", 1.25 * static_cast<double>(transactions));

  load::Counters& counters = metrics.counters();
  counters.transactions_started = static_cast<std::uint64_t>(transactions);
  counters.delivered = static_cast<std::uint64_t>(transactions) - 9;
  counters.refused_4xx = 6;
  counters.refused_5xx = 3;
  counters.recipients_accepted = 3 * static_cast<std::uint64_t>(transactions);
  counters.recipients_refused = 7;
  counters.connections_opened = 10;
  counters.reconnects = 1;
  counters.late_starts = seed % 5;
  counters.dropped_starts = 1;
  counters.bytes_written = 2200 * static_cast<std::uint64_t>(transactions);
  counters.bytes_read = 300 * static_cast<std::uint64_t>(transactions);
  return metrics;
}

load::ThresholdVerdict verdict(std::string text, load::Threshold::Metric metric, double percentile,
                               MeasuredPhase phase, load::Threshold::Op op, double value,
                               bool share, double observed, bool passed, std::string detail) {
  load::ThresholdVerdict verdict;
  verdict.threshold.text = std::move(text);
  verdict.threshold.metric = metric;
  verdict.threshold.percentile = percentile;
  verdict.threshold.phase = phase;
  verdict.threshold.op = op;
  verdict.threshold.value = value;
  verdict.threshold.share = share;
  verdict.observed = observed;
  verdict.passed = passed;
  verdict.detail = std::move(detail);
  return verdict;
}

}  // namespace

load::RunResult sample_result() {
  load::RunResult result;
  load::RunSettings& settings = result.settings;
  settings.target = "127.0.0.1:2525";
  settings.scenario = "scenarios/load/starttls-auth.lua";
  settings.model = "open";
  settings.arrivals = "poisson";
  settings.target_rate = 200;
  settings.connections = 50;
  settings.threads = 2;
  settings.duration_seconds = 3;
  settings.tls = "starttls";
  settings.auth = true;
  settings.pipelining = true;
  settings.chunking = false;
  settings.size = 2048;
  settings.recipients = 3;
  settings.seed = 0xDEADBEEFCAFEF00DULL;  // above 2^53: must survive as an integer

  result.started_at =
      std::chrono::sys_days{std::chrono::year{2026} / 11 / 22} + 4h + 43min + 41s + 123ms;
  result.elapsed_seconds = 3.0125;
  result.interrupted = false;
  result.stop_reason = "duration";
  result.achieved_rate = 199.25;

  for (std::uint32_t index = 0; index < 2; ++index) {
    load::WorkerResult worker;
    worker.index = index;
    worker.metrics = worker_metrics(17 + index, 300 - 2 * static_cast<int>(index));
    worker.cpu_seconds = 1.5 + 0.25 * index;
    result.metrics.merge(worker.metrics);
    result.workers.push_back(std::move(worker));
  }

  for (std::uint32_t second = 0; second < 3; ++second) {
    load::SecondSample sample;
    sample.second = second;
    sample.started = 199 + second;
    sample.delivered = 196 + second;
    sample.refused_4xx = 4 - second;
    sample.refused_5xx = second;
    sample.failed = second == 1 ? 1 : 0;
    sample.errors = sample.refused_4xx + sample.refused_5xx + sample.failed;
    sample.late_starts = second;
    sample.target_rate = 200;
    sample.p50_ns = 24'000'000 + 100'000 * second;
    sample.p99_ns = 41'000'000 + 1'000'000 * second;
    sample.connections = 37 + second;
    result.series.push_back(sample);
  }

  Sequence lag(5);
  for (int tick = 0; tick < 60; ++tick)
    result.generator.loop_lag.record(lag.next(50'000, 13'000'000));
  result.generator.cpu_seconds = 3.75;
  result.generator.busiest_worker_cpu = 0.93;
  result.generator.bound = true;
  result.generator.reasons = {"worker 1 used 93% of a core",
                              "event-loop lag p99 12.4ms above 10ms"};

  using Metric = load::Threshold::Metric;
  using Op = load::Threshold::Op;
  result.thresholds.push_back(verdict("p99<250ms", Metric::percentile, 99,
                                      MeasuredPhase::transaction, Op::less, 250e6, false, 4.1e7,
                                      true, "p99 = 41ms, limit < 250ms"));
  result.thresholds.push_back(verdict("p99.9:end_of_data <= 30ms", Metric::percentile, 99.9,
                                      MeasuredPhase::end_of_data, Op::less_equal, 30e6, false,
                                      3.2e7, false, "p99.9 = 32ms, limit <= 30ms"));
  result.thresholds.push_back(verdict("errors<1%", Metric::errors, 0, MeasuredPhase::transaction,
                                      Op::less, 1, true, 100.0 * 24 / 598, false,
                                      "errors = 4.01%, limit < 1%"));
  result.thresholds.push_back(verdict("rate>=190", Metric::rate, 0, MeasuredPhase::transaction,
                                      Op::greater_equal, 190, false, 199.25, true,
                                      "rate = 199.25/s, limit >= 190/s"));

  result.error_samples = {"127.0.0.1:2525: timeout: no reply to DATA within 30s",
                          "127.0.0.1:2525: closed: 421 4.4.2 idle timeout\\r\\n"};
  return result;
}

load::DeliveryResult sample_delivery() {
  load::DeliveryResult delivery;
  delivery.sink = "127.0.0.1:2526";
  delivery.profile = "";
  delivery.drain_limit_seconds = 30;
  delivery.drain_seconds = 1.75;
  delivery.drain_interrupted = false;
  load::DeliveryCounts& c = delivery.counts;
  c.accepted_messages = 590;
  c.accepted = 1770;
  c.delivered = 1755;
  c.lost = 6;
  c.bounced = 9;
  c.duplicated = 4;
  c.corrupted = 2;
  c.header_changed = 1761;
  c.unexpected = 1;
  c.retried = 35;
  Sequence sequence(29);
  for (std::uint64_t i = 0; i < c.delivered; ++i) {
    // Most within 30..280 ms; the retried ones after the relay's 1 s back-off.
    const std::uint64_t latency = i < c.retried ? sequence.next(1'000'000'000, 900'000'000)
                                                : sequence.next(30'000'000, 250'000'000);
    delivery.latency.record(latency);
    delivery.latency_from_start.record(latency + sequence.next(20'000'000, 15'000'000));
  }
  for (std::uint64_t i = 0; i < c.retried; ++i) {
    delivery.retry_delay.record(sequence.next(1'000'000'000, 50'000'000));
  }
  delivery.attempts = {{1, 1720}, {2, 33}, {3, 2}};
  delivery.header_changes = {
      {"added Received", 1755}, {"added X-Relay-Scan", 4}, {"changed Subject", 2}};
  load::RelayBehaviour& relay = delivery.relay;
  relay.connections = 12;
  relay.transactions = 612;
  relay.messages = 600;
  relay.max_messages_per_connection = 100;
  relay.pipelined_connections = 12;
  relay.starttls_connections = 10;
  relay.bdat_messages = 40;
  relay.hello_names = {{"relay.example.test", 10}, {"relay2.example.test", 2}};
  relay.recipients_per_transaction = {{1, 30}, {2, 12}, {3, 570}};
  const std::uint64_t accepted[] = {590, 600, 580, 0, 0};
  const std::uint64_t delivered[] = {420, 610, 590, 120, 15};
  std::uint64_t backlog = 0;
  for (std::uint32_t second = 0; second < 5; ++second) {
    load::DeliverySecond sample;
    sample.second = second;
    sample.accepted = accepted[second];
    sample.delivered = delivered[second];
    backlog = backlog + sample.accepted - sample.delivered - (second == 4 ? 9 : 0);
    sample.backlog = backlog;
    delivery.series.push_back(sample);
  }
  delivery.samples = {"lost: 3f9a1c02.17 rcpt3@example.test",
                      "corrupted: 3f9a1c02.230 rcpt1@example.test",
                      "duplicated: 3f9a1c02.301 rcpt2@example.test",
                      "unexpected: 0badc0de.5 postmaster@example.test"};
  return delivery;
}

load::RunResult sample_sink_result() {
  load::RunResult result = sample_result();
  result.delivery = sample_delivery();
  using Metric = load::Threshold::Metric;
  using Op = load::Threshold::Op;
  result.thresholds.push_back(verdict("lost<=0", Metric::lost, 0, MeasuredPhase::transaction,
                                      Op::less_equal, 0, false, 6, false, "lost = 6, limit <= 0"));
  load::ThresholdVerdict p99 =
      verdict("p99:delivery<5s", Metric::percentile, 99, MeasuredPhase::transaction, Op::less, 5e9,
              false, 1.8e9, true, "p99:delivery = 1.8s, limit < 5s");
  p99.threshold.delivery_latency = load::DeliveryLatency::from_acceptance;
  result.thresholds.push_back(std::move(p99));
  result.thresholds.push_back(verdict(
      "delivered>=99.9%", Metric::delivered, 0, MeasuredPhase::transaction, Op::greater_equal, 99.9,
      true, 100.0 * 1755 / 1770, false, "delivered = 99.153%, limit >= 99.9%"));
  return result;
}

}  // namespace smtp::reports::testing
