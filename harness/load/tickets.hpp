#pragma once
// Permission to start a transaction, and when it should have started.
//
// Closed model: a session that is ready starts at once; the intended start is
// now. Open model (ARCHITECTURE.md §4): the worker's ArrivalSchedule issues tickets
// on time whatever the sessions are doing; a free session takes the oldest
// ticket, and latency counts from the ticket's time, so waiting for a free
// connection is part of the response time (coordinated omission avoided).
// Starts that wait longer than the slack are late; tickets that find the
// backlog full, or are still queued when the run ends, are dropped. Both are
// counted.
//
// A message limit (--messages) is one budget for all workers.
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>

#include "load/config.hpp"
#include "load/handoff.hpp"
#include "load/recorder.hpp"
#include "load/schedule.hpp"

namespace smtp::load {

using Clock = std::chrono::steady_clock;

struct Ticket {
  Clock::time_point intended;
  std::uint64_t seq = 0;  // unique across workers
};

// How many transactions may still start, shared by every worker.
class MessageBudget {
 public:
  explicit MessageBudget(std::optional<std::uint64_t> limit)
      : limited_(limit.has_value()), remaining_(limit.value_or(0)) {}
  bool take();  // false once spent
  bool spent() const { return limited_ && remaining_.load(std::memory_order_relaxed) == 0; }
  // When the last transaction was taken (the end of the window in which
  // starts happened); the epoch while not spent.
  Clock::time_point spent_at() const {
    return Clock::time_point(Clock::duration(spent_at_.load(std::memory_order_relaxed)));
  }

 private:
  bool limited_;
  std::atomic<std::uint64_t> remaining_;
  std::atomic<Clock::rep> spent_at_{0};
};

class TicketSource {
 public:
  TicketSource(const LoadConfig& config, std::uint32_t worker, std::uint32_t workers,
               MessageBudget& budget, Recorder& recorder);

  // The next transaction to start, or nullopt: stop (the run is ending, the
  // budget is spent or the rate profile is over). Counts late starts.
  boost::asio::awaitable<std::optional<Ticket>> next();

  // Open model: issues tickets on schedule, counted from `run_start`, until
  // the profile ends or stop().
  boost::asio::awaitable<void> run_schedule(Clock::time_point run_start);

  // No more tickets; waiting sessions get nullopt. Tickets still queued are
  // counted as dropped.
  void stop();
  bool stopped() const { return stopped_; }

 private:
  std::uint64_t next_seq() { return issued_++ * workers_ + worker_; }
  void issue(Clock::time_point intended);

  const LoadConfig& config_;
  std::uint32_t worker_;
  std::uint32_t workers_;
  MessageBudget& budget_;
  Recorder& recorder_;
  std::uint64_t issued_ = 0;
  bool stopped_ = false;
  std::optional<ArrivalSchedule> schedule_;  // open model
  std::deque<Ticket> backlog_;               // open model: due, no free session yet
  Handoff<Ticket> idle_;                     // open model: sessions waiting for a ticket
  boost::asio::steady_timer* schedule_timer_ = nullptr;  // run_schedule's, while it waits
};

}  // namespace smtp::load
