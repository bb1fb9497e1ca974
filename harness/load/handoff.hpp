#pragma once
// Coroutines of one io_context waiting for a value, served first come, first
// served: the open model's idle sessions waiting for a transaction to start,
// and sessions waiting for a turn to connect. Each waiter parks on its own
// timer that never expires; give() sets the waiter's value and cancels its
// timer, which resumes it. Single-threaded, like the io_context it serves.
//
// The waiting coroutines own their slots; destroy the io_context that runs
// them before the Handoff (the worker declares its io_context last), so the
// frames and their slots go first and nothing here points into a freed one.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <optional>
#include <utility>

namespace smtp::load {

template <typename T>
class Handoff {
 public:
  // The value given, or nullopt once closed.
  boost::asio::awaitable<std::optional<T>> wait() {
    if (closed_) co_return std::nullopt;
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor,
                                    boost::asio::steady_timer::time_point::max());
    Slot slot;
    slot.timer = &timer;
    waiting_.push_back(&slot);
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    co_return std::move(slot.value);
  }

  // Hands `value` to the longest waiter; false (value untouched) when none waits.
  bool give(T& value) {
    if (waiting_.empty()) return false;
    Slot* slot = waiting_.front();
    waiting_.pop_front();
    slot->value = std::move(value);
    slot->timer->cancel();
    return true;
  }

  // Wakes every waiter with nullopt; later waits return nullopt at once.
  void close() {
    closed_ = true;
    while (!waiting_.empty()) {
      waiting_.front()->timer->cancel();
      waiting_.pop_front();
    }
  }

  bool closed() const { return closed_; }
  std::size_t waiting() const { return waiting_.size(); }

 private:
  struct Slot {
    boost::asio::steady_timer* timer = nullptr;
    std::optional<T> value;
  };
  std::deque<Slot*> waiting_;
  bool closed_ = false;
};

}  // namespace smtp::load
