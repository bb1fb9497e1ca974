#pragma once
// One worker thread (ARCHITECTURE.md §2, load step 2): its own io_context,
// its own Lua state, its share of the sessions and of the rate, its own
// metrics. It hands
// the engine one interval of metrics per second; the engine never touches
// its state while it runs, except through the thread-safe calls below.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "load/config.hpp"
#include "load/connect_pacer.hpp"
#include "load/message_builder.hpp"
#include "load/recorder.hpp"
#include "load/result.hpp"
#include "load/session.hpp"
#include "load/tickets.hpp"
#include "script/load_scenario.hpp"
#include "script/value.hpp"

namespace smtp::load {

struct WorkerSample {
  std::uint32_t second = 0;  // the interval [second, second + 1) of the run
  Metrics interval;
  std::uint64_t connections = 0;      // sessions connected at the sample
  std::uint64_t loop_lag_max_ns = 0;  // the latest the 100 ms tick ran in this second
};

struct WorkerPlan {
  std::uint32_t index = 0;
  std::uint32_t count = 1;
  std::size_t sessions = 0;  // this worker's share of the connections
  boost::asio::ip::tcp::endpoint target;
  std::string target_text;
  const std::string* scenario = nullptr;  // path, when the run has hooks
  const script::Value* shared = nullptr;  // init()'s data
  DeliveryLedger* ledger = nullptr;       // with --sink
};

class Worker {
 public:
  // Throws ScriptError (the worker's copy of the scenario failed to load) or
  // TlsSetupError; both before any connection is made.
  Worker(const LoadConfig& config, WorkerPlan plan, MessageBudget& budget);
  ~Worker();

  // On the worker's thread; returns once every session has ended. Sessions
  // connect at once; transactions wait for start().
  void run();

  // Thread-safe. The run's clock starts: the per-second samples count from
  // `run_start`, and the open model's schedule begins. The engine calls it
  // at once for the closed model, and for the open model once the pool is
  // connected, so that connection setup does not pass for server latency.
  void start(Clock::time_point run_start);
  // Sessions whose first connection is ready for mail, or failed.
  std::size_t settled() const { return settled_.load(std::memory_order_relaxed); }

  // Thread-safe. stop(): no new transactions; sessions finish the one in
  // flight and QUIT. abort(): close every connection now.
  void stop();
  void abort();
  // Thread-safe, the last resort: run() returns at once, whatever its
  // sessions are doing (the engine calls it when abort() did not end them).
  void halt() { io_.stop(); }
  std::vector<WorkerSample> take_samples();

  // After run() has returned.
  WorkerResult result() const;
  const Histogram& loop_lag() const { return loop_lag_; }
  const std::vector<std::string>& error_samples() const { return recorder_.error_samples(); }

 private:
  boost::asio::awaitable<void> tick();  // loop lag, samples, the end of the run
  void publish_sample(std::uint32_t second);
  std::uint64_t connected_sessions() const;

  const LoadConfig& config_;
  WorkerPlan plan_;
  Clock::time_point run_start_;
  bool started_ = false;
  std::atomic<std::size_t> settled_{0};
  Recorder recorder_;
  TicketSource tickets_;
  ConnectPacer pacer_;
  MessageBuilder messages_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::unique_ptr<script::LoadScript> script_;
  std::optional<WorkerEnvironment> env_;
  Histogram loop_lag_;
  std::uint64_t loop_lag_max_ns_ = 0;  // since the last sample
  double cpu_seconds_ = 0;
  double cpu_at_start_ = 0;  // thread CPU time when the run's clock started

  std::mutex samples_mutex_;
  std::vector<WorkerSample> samples_;

  // Last, so that it is destroyed first: the coroutine frames it still holds
  // (after halt()) refer to the members above, and nothing above owns an I/O
  // object (timers and sockets live in the frames).
  // One thread runs it, and every socket and timer is touched only from that
  // thread (other threads post()), so the reactor's per-socket locks are
  // switched off; posting and stop() stay locked.
  boost::asio::io_context io_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
};

}  // namespace smtp::load
