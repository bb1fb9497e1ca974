#include "load/engine.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <exception>
#include <limits>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "load/delivery_ledger.hpp"
#include "load/worker.hpp"
#include "net/connect.hpp"

namespace smtp::load {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr auto kPoll = std::chrono::milliseconds(20);
constexpr auto kStallTimeout = std::chrono::seconds(10);
constexpr auto kHaltGrace = std::chrono::seconds(5);

double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

std::vector<tcp::endpoint> resolve(const LoadConfig& config, const std::string& text) {
  asio::io_context io;
  tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto results = resolver.resolve(config.target_host, std::to_string(config.target_port),
                                  tcp::resolver::numeric_service, ec);
  if (ec || results.empty())
    throw TargetError(text + ": cannot resolve: " + (ec ? ec.message() : "no address"));
  std::vector<tcp::endpoint> endpoints;
  for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  return endpoints;
}

// One TCP connection before any load, so that a target that is down is a
// clear error at once rather than a run full of connect errors. It closes
// without a word, as a load balancer's health check does. The addresses are
// tried in order (localhost may resolve to ::1 first while the server
// listens on 127.0.0.1 only); every session then uses the one that accepted.
tcp::endpoint probe(const std::vector<tcp::endpoint>& endpoints, const std::string& text,
                    std::chrono::nanoseconds timeout) {
  asio::io_context io;
  tcp::socket socket(io);
  boost::system::error_code result = asio::error::timed_out;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        const auto deadline =
            std::chrono::steady_clock::now() +
            std::chrono::duration_cast<std::chrono::steady_clock::duration>(timeout);
        result = co_await net::connect_until(socket, endpoints, deadline);
      },
      asio::detached);
  io.run();
  if (result) throw TargetError(text + ": connect: " + result.message());
  boost::system::error_code ignored;
  const tcp::endpoint accepted = socket.remote_endpoint(ignored);
  socket.close(ignored);
  return accepted;
}

// Merges the workers' per-second samples and emits each second once every
// worker still running has delivered it.
class SeriesCollector {
 public:
  SeriesCollector(const LoadConfig& config, std::size_t workers, double cpu_start)
      : config_(config),
        cpu_start_(cpu_start),
        delivered_(workers, -1),
        finished_(workers, false) {}

  void add(std::size_t worker, std::vector<WorkerSample> samples) {
    for (auto& sample : samples) {
      auto& slot = pending_[sample.second];
      slot.metrics.merge(sample.interval);
      slot.connections += sample.connections;
      slot.loop_lag_max_ns = std::max(slot.loop_lag_max_ns, sample.loop_lag_max_ns);
      delivered_[worker] = std::max<long>(delivered_[worker], sample.second);
    }
  }
  void finished(std::size_t worker) { finished_[worker] = true; }

  // Emits the complete seconds (all of them when `everything`).
  void emit(bool everything, const EngineCallbacks& callbacks, double elapsed,
            std::vector<SecondSample>& series, Metrics& so_far) {
    long complete = everything ? std::numeric_limits<long>::max() : complete_up_to();
    while (!pending_.empty() && static_cast<long>(pending_.begin()->first) <= complete) {
      auto node = pending_.extract(pending_.begin());
      auto sample = summarise(node.key(), node.mapped());
      so_far.merge(node.mapped().metrics);
      series.push_back(sample);
      if (callbacks.on_second) callbacks.on_second(sample, so_far, elapsed);
    }
  }

 private:
  struct Pending {
    Metrics metrics;
    std::uint64_t connections = 0;
    std::uint64_t loop_lag_max_ns = 0;
  };

  long complete_up_to() const {
    long complete = std::numeric_limits<long>::max();
    for (std::size_t w = 0; w < delivered_.size(); ++w)
      if (!finished_[w]) complete = std::min(complete, delivered_[w]);
    return complete;
  }

  SecondSample summarise(std::uint32_t second, const Pending& pending) const {
    const auto& m = pending.metrics;
    const auto& c = m.counters();
    SecondSample s;
    s.second = second;
    s.started = c.transactions_started;
    s.delivered = c.delivered;
    s.refused_4xx = c.refused_4xx;
    s.refused_5xx = c.refused_5xx;
    s.failed = c.failed;
    for (auto n : m.errors()) s.errors += n;
    s.late_starts = c.late_starts;
    // A shard's share of the rate (LoadConfig::shard_count), so that the
    // merged shards' series add up to the profile's.
    if (config_.model == Model::open)
      s.target_rate = config_.rate.rate_at(std::chrono::milliseconds(second * 1000 + 500)) /
                      config_.shard_count;
    auto latency = m.latency(MeasuredPhase::transaction);
    if (latency.count() > 0) {
      s.p50_ns = latency.quantile(0.50);
      s.p99_ns = latency.quantile(0.99);
    }
    s.connections = pending.connections;
    s.loop_lag_max_ns = pending.loop_lag_max_ns;
    s.cpu_seconds = process_cpu_seconds() - cpu_start_;
    return s;
  }

  const LoadConfig& config_;
  double cpu_start_;
  std::map<std::uint32_t, Pending> pending_;
  std::vector<long> delivered_;
  std::vector<bool> finished_;
};

void judge_generator(const LoadConfig& config, RunResult& result) {
  auto& health = result.generator;
  // A worker thread that was busy 90% of the time could not have gone
  // faster: the numbers describe the generator as much as the target.
  if (health.busiest_worker_cpu >= 0.90) {
    health.bound = true;
    health.reasons.push_back("a worker thread was busy " +
                             std::to_string(static_cast<int>(health.busiest_worker_cpu * 100)) +
                             "% of the run: add --threads or machines");
  }
  // Timers that ran 10 ms late mean replies were also read late, so every
  // latency below that resolution is the generator's.
  if (health.loop_lag.count() > 0 && health.loop_lag.quantile(0.99) > 10'000'000) {
    health.bound = true;
    health.reasons.push_back("event-loop lag p99 " +
                             std::to_string(health.loop_lag.quantile(0.99) / 1'000'000) +
                             " ms: the generator could not keep up with its own timers");
  }
  const auto& c = result.metrics.counters();
  if (config.model == Model::open && c.transactions_started > 0 &&
      c.late_starts * 100 > c.transactions_started && health.busiest_worker_cpu >= 0.75) {
    health.bound = true;
    health.reasons.push_back(
        "more than 1% of starts were late while the generator was busy: the schedule "
        "slipped on this side");
  }
}

// The open model's schedule starts once every session has connected (or
// failed to), at most a connect timeout (plus a second for the banner and
// EHLO) after the start: tickets issued while the pool is still opening
// would all be late, and the report would blame the target for our warm-up.
Clock::time_point wait_for_pool(const LoadConfig& config,
                                const std::vector<std::unique_ptr<Worker>>& workers,
                                const EngineCallbacks& callbacks) {
  auto limit = Clock::now() + config.connect_timeout + std::chrono::seconds(1);
  while (Clock::now() < limit) {
    std::size_t settled = 0;
    for (const auto& worker : workers) settled += worker->settled();
    if (settled >= config.connections) break;
    if (callbacks.interrupted && callbacks.interrupted->load()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return Clock::now();
}

}  // namespace

RunResult run_load(const LoadConfig& config, RunSettings settings, const std::string* scenario,
                   const script::Value* shared, const EngineCallbacks& callbacks) {
  std::string target_text = settings.target;
  auto target = probe(resolve(config, target_text), target_text, config.connect_timeout);

  std::size_t threads = config.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  // A worker without sessions would still take its share of the open
  // model's tickets, and nobody would ever start them.
  threads = std::min(threads, config.connections);
  settings.threads = threads;

  RunResult result;
  result.started_at = std::chrono::system_clock::now();
  MessageBudget budget(config.messages);
  double cpu_start = process_cpu_seconds();

  std::vector<std::unique_ptr<Worker>> workers;
  for (std::size_t w = 0; w < threads; ++w) {
    WorkerPlan plan;
    plan.index = static_cast<std::uint32_t>(w);
    plan.count = static_cast<std::uint32_t>(threads);
    plan.sessions = config.connections / threads + (w < config.connections % threads ? 1 : 0);
    plan.target = target;
    plan.target_text = target_text;
    plan.scenario = scenario;
    plan.shared = shared;
    plan.ledger = callbacks.ledger;
    workers.push_back(std::make_unique<Worker>(config, plan, budget));
  }
  // The closed model's clock starts with the first connection: setting up
  // sessions is part of what it measures. The open model's starts once the
  // pool is connected (below).
  auto run_start = Clock::now();
  if (config.model == Model::closed)
    for (auto& worker : workers) worker->start(run_start);

  std::vector<std::exception_ptr> failures(threads);
  std::vector<std::atomic<bool>> done(threads);
  std::vector<std::thread> pool;
  for (std::size_t w = 0; w < threads; ++w) {
    pool.emplace_back([&, w] {
      try {
        workers[w]->run();
      } catch (...) {
        failures[w] = std::current_exception();
      }
      done[w] = true;
    });
  }

  if (config.model == Model::open) {
    run_start = wait_for_pool(config, workers, callbacks);
    for (auto& worker : workers) worker->start(run_start);
  }

  // The delivery series counts its seconds from the same start.
  if (callbacks.ledger != nullptr) callbacks.ledger->start_series(run_start);
  SeriesCollector series(config, threads, cpu_start);
  auto deadline = config.duration ? run_start + *config.duration : Clock::time_point::max();
  bool stop_sent = false;
  bool aborted = false;
  bool halted = false;
  Clock::time_point abort_at = Clock::time_point::max();
  Clock::time_point stopped_at = Clock::time_point::max();
  auto stop_all = [&](const char* reason) {
    result.stop_reason = reason;
    stopped_at = Clock::now();
    for (auto& worker : workers) worker->stop();
    stop_sent = true;
    abort_at = Clock::now() + config.drain_timeout;
  };
  // A run bounded only by --messages would wait for ever on a target that
  // refuses every session (a 554 greeting, AUTH always refused): when no
  // transaction started for kStallTimeout while connections kept failing, it
  // stops as "stalled" (exit 1).
  auto last_progress = run_start;
  std::uint64_t progress_before = 0;
  std::uint64_t failed_before = 0;
  // Bounded: the workers end once stopped (the drain deadline aborts the
  // connections that do not), and a stop comes at the deadline, an
  // interrupt, the message limit or a stall.
  for (;;) {
    bool all_done = true;
    for (std::size_t w = 0; w < threads; ++w) {
      // done first: a worker that finishes in between has published its
      // last sample before setting done, so take_samples() still sees it.
      bool finished = done[w];
      series.add(w, workers[w]->take_samples());
      if (finished) series.finished(w);
      all_done = all_done && finished;
    }
    auto now = Clock::now();
    series.emit(false, callbacks, seconds_between(run_start, now), result.series, result.metrics);
    if (all_done) break;
    bool interrupt = callbacks.interrupted && callbacks.interrupted->load();
    if (!stop_sent && interrupt) {
      stop_all("interrupted");
      result.interrupted = true;
    } else if (stop_sent && interrupt && !result.interrupted) {
      // Ctrl-C while transactions drain: the user wants out now.
      result.interrupted = true;
      abort_at = now;
    } else if (!stop_sent && now >= deadline) {
      stop_all("duration");
    }
    const auto& so_far = result.metrics.counters();
    // Progress: a transaction started or decided (a connection setup that
    // fails over and over is not progress).
    std::uint64_t moved = so_far.transactions_started + so_far.delivered + so_far.refused_4xx +
                          so_far.refused_5xx + so_far.failed;
    if (moved != progress_before) {
      progress_before = moved;
      failed_before = so_far.connections_failed;
      last_progress = now;
    } else if (!stop_sent && !config.duration && now - last_progress > kStallTimeout &&
               so_far.connections_failed > failed_before) {
      stop_all("stalled");
    }
    if (stop_sent && !aborted && now >= abort_at) {
      for (auto& worker : workers) worker->abort();
      aborted = true;
    }
    // The last resort: a worker that abort() did not end within the grace
    // period is halted, so the run always ends.
    if (aborted && !halted && now >= abort_at + kHaltGrace) {
      for (auto& worker : workers) worker->halt();
      halted = true;
    }
    std::this_thread::sleep_for(kPoll);
  }
  for (auto& thread : pool) thread.join();
  auto end = Clock::now();
  for (auto& failure : failures)
    if (failure) std::rethrow_exception(failure);

  result.elapsed_seconds = seconds_between(run_start, end);
  for (std::size_t w = 0; w < threads; ++w) series.add(w, workers[w]->take_samples());
  // The running totals go on: /metrics serves them as counters, which must
  // never fall back (Prometheus would read a reset).
  series.emit(true, callbacks, result.elapsed_seconds, result.series, result.metrics);

  // The result's metrics are the workers' totals merged (the series carried
  // the same events in one-second slices).
  result.metrics = Metrics{};
  double busiest = 0;
  for (auto& worker : workers) {
    auto worker_result = worker->result();
    result.metrics.merge(worker_result.metrics);
    result.generator.loop_lag.merge(worker->loop_lag());
    if (result.elapsed_seconds > 0)
      busiest = std::max(busiest, worker_result.cpu_seconds / result.elapsed_seconds);
    for (const auto& sample : worker->error_samples()) {
      if (result.error_samples.size() < 8 &&
          std::find(result.error_samples.begin(), result.error_samples.end(), sample) ==
              result.error_samples.end())
        result.error_samples.push_back(sample);
    }
    result.workers.push_back(std::move(worker_result));
  }
  result.generator.cpu_seconds = process_cpu_seconds() - cpu_start;
  result.generator.busiest_worker_cpu = busiest;
  judge_generator(config, result);

  if (result.stop_reason.empty()) {
    if (budget.spent()) {
      result.stop_reason = "messages";
    } else if (config.model == Model::open) {
      result.stop_reason = "profile ended";
    } else {
      result.stop_reason = "sessions ended";
    }
  }
  // The rate over the time starts were allowed: not the drain after a stop,
  // nor, in the open model, anything after the profile's end.
  auto active_end = stop_sent ? std::min(stopped_at, end) : end;
  if (budget.spent()) active_end = std::min(active_end, budget.spent_at());
  double active = seconds_between(run_start, active_end);
  if (config.model == Model::open)
    active = std::min(active, std::chrono::duration<double>(config.rate.total_duration()).count());
  const auto& c = result.metrics.counters();
  if (active > 0) result.achieved_rate = static_cast<double>(c.transactions_started) / active;
  result.start_window_seconds = active;
  for (const auto& threshold : config.thresholds)
    result.thresholds.push_back(evaluate(threshold, result.metrics, active, result.delivery));
  result.settings = std::move(settings);
  return result;
}

}  // namespace smtp::load
