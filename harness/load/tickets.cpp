#include "load/tickets.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace smtp::load {

namespace asio = boost::asio;

bool MessageBudget::take() {
  if (!limited_) return true;
  auto left = remaining_.load(std::memory_order_relaxed);
  while (left > 0) {
    if (remaining_.compare_exchange_weak(left, left - 1, std::memory_order_relaxed)) {
      if (left == 1)
        spent_at_.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
      return true;
    }
  }
  return false;
}

TicketSource::TicketSource(const LoadConfig& config, std::uint32_t worker, std::uint32_t workers,
                           MessageBudget& budget, Recorder& recorder)
    : config_(config), worker_(worker), workers_(workers), budget_(budget), recorder_(recorder) {
  if (config.model == Model::open) {
    // Shard s of S, worker w of W: 1/(S*W) of the rate, at phase (s + w/W)/S,
    // so that constant arrivals interleave across workers and shards.
    const double shards = config.shard_count;
    double share = 1.0 / (workers * shards);
    double offset = (config.shard_index + static_cast<double>(worker) / workers) / shards;
    schedule_.emplace(config.rate, config.arrivals, share, offset, worker_seed(config, worker));
  }
}

asio::awaitable<std::optional<Ticket>> TicketSource::next() {
  if (stopped_) co_return std::nullopt;
  if (config_.model == Model::closed) {
    if (!budget_.take()) {
      stop();  // the message limit is reached: this worker is done
      co_return std::nullopt;
    }
    Ticket ticket;
    ticket.intended = Clock::now();
    ticket.seq = next_seq();
    co_return ticket;
  }
  std::optional<Ticket> ticket;
  if (!backlog_.empty()) {
    ticket = backlog_.front();
    backlog_.pop_front();
  } else {
    ticket = co_await idle_.wait();
    if (!ticket) co_return std::nullopt;
  }
  if (Clock::now() - ticket->intended > config_.late_slack) recorder_.count(&Counters::late_starts);
  co_return ticket;
}

void TicketSource::issue(Clock::time_point intended) {
  if (!budget_.take()) {
    stop();
    return;
  }
  Ticket ticket;
  ticket.intended = intended;
  ticket.seq = next_seq();
  if (idle_.give(ticket)) return;
  if (backlog_.size() >= config_.max_backlog) {
    recorder_.count(&Counters::dropped_starts);
    return;
  }
  backlog_.push_back(ticket);
}

asio::awaitable<void> TicketSource::run_schedule(Clock::time_point run_start) {
  if (!schedule_) co_return;
  // The timer lives in this frame, not in the TicketSource, so that no
  // I/O object outlives the worker's io_context (see Worker's members).
  asio::steady_timer timer(co_await asio::this_coro::executor);
  schedule_timer_ = &timer;
  while (!stopped_) {
    auto offset = schedule_->next();
    if (!offset) break;
    auto due = run_start + std::chrono::duration_cast<Clock::duration>(*offset);
    // A loop that fell behind issues every overdue ticket without waiting.
    if (due > Clock::now()) {
      timer.expires_at(due);
      auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec || stopped_) break;
    }
    issue(due);
  }
  schedule_timer_ = nullptr;
  // The profile is over, and so is the run: transactions in flight finish,
  // tickets still waiting for a session never start (counted as dropped).
  stop();
}

void TicketSource::stop() {
  if (stopped_) return;
  stopped_ = true;
  recorder_.count(&Counters::dropped_starts, backlog_.size());
  backlog_.clear();
  idle_.close();
  if (schedule_timer_) schedule_timer_->cancel();
}

}  // namespace smtp::load
