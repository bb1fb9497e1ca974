#include "load/worker.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <ctime>
#include <utility>

#include "net/tls_context.hpp"

namespace smtp::load {

namespace asio = boost::asio;

namespace {

constexpr auto kTick = std::chrono::milliseconds(100);

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

Worker::Worker(const LoadConfig& config, WorkerPlan plan, MessageBudget& budget)
    : config_(config),
      plan_(std::move(plan)),
      tickets_(config, plan_.index, plan_.count, budget, recorder_),
      pacer_(config.max_pending_connects),
      messages_(config.message) {
  if (config.client.tls != proto::TlsMode::none)
    tls_ = net::make_client_tls(config.tls.verify, config.tls.ca_file);
  if (plan_.scenario != nullptr) {
    static const script::Value nil;
    script_ =
        std::make_unique<script::LoadScript>(*plan_.scenario, plan_.shared ? *plan_.shared : nil,
                                             plan_.index, worker_seed(config, plan_.index));
  }
  std::string sni = config.tls.sni.empty() ? config.target_host : config.tls.sni;
  env_.emplace(WorkerEnvironment{config_,
                                 plan_.target,
                                 plan_.target_text,
                                 tls_.get(),
                                 sni,
                                 recorder_,
                                 tickets_,
                                 pacer_,
                                 messages_,
                                 script_.get(),
                                 plan_.index,
                                 &settled_,
                                 {},
                                 plan_.ledger});
}

Worker::~Worker() = default;

void Worker::run() {
  cpu_at_start_ = thread_cpu_seconds();
  for (std::size_t i = 0; i < plan_.sessions; ++i) {
    auto session = std::make_shared<Session>(*env_);
    asio::co_spawn(io_, Session::run(std::move(session)), asio::detached);
  }
  asio::co_spawn(io_, tick(), asio::detached);
  io_.run();
  cpu_seconds_ = thread_cpu_seconds() - cpu_at_start_;
  if (!started_) {
    recorder_.fold();  // interrupted before the clock started: no sample
    return;
  }
  auto elapsed = Clock::now() - run_start_;
  publish_sample(static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(elapsed).count()));
}

void Worker::start(Clock::time_point run_start) {
  asio::post(io_, [this, run_start] {
    if (started_) return;
    started_ = true;
    run_start_ = run_start;
    cpu_at_start_ = thread_cpu_seconds();  // the pool's warm-up is not the run's
    asio::co_spawn(io_, tickets_.run_schedule(run_start), asio::detached);
  });
}

asio::awaitable<void> Worker::tick() {
  asio::steady_timer timer(io_);
  auto next = Clock::now() + kTick;
  std::optional<Clock::time_point> next_second;  // once started
  std::uint32_t second = 0;
  // Ends when every session has: the run is over for this worker.
  while (!env_->live.empty() || !tickets_.stopped()) {
    timer.expires_at(next);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    auto now = Clock::now();
    // ARCHITECTURE.md §4: the event loop's lag is how late this timer ran. Only
    // while the run is measured: opening a large pool and closing it at the end
    // stall the loop in ways that say nothing about the measurements.
    if (started_ && !tickets_.stopped()) {
      loop_lag_.record(now - next);
      const auto lag = static_cast<std::uint64_t>(std::max<std::int64_t>(
          0, std::chrono::duration_cast<std::chrono::nanoseconds>(now - next).count()));
      loop_lag_max_ns_ = std::max(loop_lag_max_ns_, lag);
    }
    if (started_ && !next_second) {
      // From the start on, ticks fall on the run's 100 ms grid, so that each
      // second's sample is cut at the second itself (late only by the lag).
      next_second = run_start_ + std::chrono::seconds(1);
      next = run_start_;
    }
    // Ticks lost to a stall are skipped, not burst through.
    while (next <= now) next += kTick;
    while (next_second && now >= *next_second) {
      publish_sample(second++);
      *next_second += std::chrono::seconds(1);
    }
    if (plan_.sessions == 0) tickets_.stop();
  }
}

void Worker::publish_sample(std::uint32_t second) {
  if (script_) {
    for (const auto& [name, value] : script_->counters()) recorder_.custom(name, value);
    script_->clear_counters();
  }
  WorkerSample sample;
  sample.second = second;
  sample.interval = recorder_.take_interval();
  sample.connections = connected_sessions();
  sample.loop_lag_max_ns = std::exchange(loop_lag_max_ns_, 0);
  std::lock_guard lock(samples_mutex_);
  samples_.push_back(std::move(sample));
}

std::uint64_t Worker::connected_sessions() const {
  std::uint64_t n = 0;
  for (const Session* session : env_->live) n += session->connected() ? 1 : 0;
  return n;
}

void Worker::stop() {
  asio::post(io_, [this] {
    tickets_.stop();
    pacer_.close();
  });
}

void Worker::abort() {
  asio::post(io_, [this] {
    tickets_.stop();
    pacer_.close();
    for (Session* session : env_->live) session->abort();
  });
}

std::vector<WorkerSample> Worker::take_samples() {
  std::lock_guard lock(samples_mutex_);
  return std::exchange(samples_, {});
}

WorkerResult Worker::result() const {
  WorkerResult result;
  result.index = plan_.index;
  result.metrics = recorder_.total();
  result.cpu_seconds = cpu_seconds_;
  return result;
}

}  // namespace smtp::load
