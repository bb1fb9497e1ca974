#pragma once
// The HTTP side of `smtp-harness load --metrics HOST:PORT` (README,
// "Prometheus metrics"): GET /metrics answers the latest document the
// engine's thread published, from a thread and io_context of its own, so a
// scrape never runs on a worker and never waits for one. Publishing swaps
// one string under a mutex, once a second.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "common/host_port.hpp"

namespace smtp::app {

class MetricsEndpoint {
 public:
  // Binds at once and starts serving. Throws std::runtime_error naming the
  // address ("cannot listen on 127.0.0.1:9 (--metrics): ...").
  explicit MetricsEndpoint(const common::HostPort& at);
  ~MetricsEndpoint();  // stops serving and joins the thread
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  std::string where() const;  // ADDR:PORT actually bound (port 0 resolved)

  // The document every later scrape gets.
  void publish(std::string text);
  // Publishes the run's final document and waits until one scrape has
  // fetched it, `limit` has passed or `interrupted` is set, whichever
  // comes first. Returns whether a scrape fetched it.
  bool linger(std::string final_text, std::chrono::nanoseconds limit,
              const std::atomic<bool>& interrupted);

  struct State;  // defined in metrics_endpoint.cpp; public so its coroutines can name it

 private:
  // The connections' coroutines hold the state; they end with the
  // io_context, which is why it lives outside the state.
  std::unique_ptr<boost::asio::io_context> io_;
  std::shared_ptr<State> state_;
  std::thread thread_;
};

}  // namespace smtp::app
