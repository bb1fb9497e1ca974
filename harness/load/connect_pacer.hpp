#pragma once
// At most N connection attempts of a worker in flight at once; an attempt
// lasts from the SYN to the server's banner. Opening thousands at once
// overflows the target's
// SYN and accept queues; the kernel then retries the dropped SYNs after a
// second (RFC 6298 §2's initial RTO), and that second would be reported as
// the target's connect latency although the generator caused it.
#include <boost/asio/awaitable.hpp>
#include <cstddef>

#include "load/handoff.hpp"

namespace smtp::load {

class ConnectPacer {
 public:
  explicit ConnectPacer(std::size_t slots) : free_(slots == 0 ? 1 : slots) {}

  // true: go ahead, and call release() once greeted or failed; false: the
  // worker is stopping.
  boost::asio::awaitable<bool> acquire() {
    if (waiting_.closed()) co_return false;
    if (free_ > 0) {
      --free_;
      co_return true;
    }
    auto granted = co_await waiting_.wait();
    co_return granted.has_value();
  }

  void release() {
    bool token = true;
    if (!waiting_.give(token)) ++free_;
  }

  void close() { waiting_.close(); }

 private:
  std::size_t free_;
  Handoff<bool> waiting_;
};

}  // namespace smtp::load
