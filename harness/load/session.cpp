#include "load/session.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <span>
#include <utility>

#include "load/conversation.hpp"
#include "net/connect.hpp"
#include "net/transport.hpp"

namespace smtp::load {

namespace asio = boost::asio;

Session::Session(WorkerEnvironment& env) : env_(env) {}

void Session::release_pacing() {
  if (!pacing_held_) return;
  pacing_held_ = false;
  env_.pacer.release();
}

void Session::abort() {
  aborted_ = true;
  if (connecting_) {
    boost::system::error_code ignored;
    connecting_->close(ignored);
  }
  if (transport_) transport_->close();
}

namespace {

// Keeps a session in the worker's live set for exactly as long as its
// coroutine exists, however it ends (an exception, or the frame destroyed
// with the io_context).
class LiveMembership {
 public:
  LiveMembership(std::unordered_set<Session*>& live, Session* session)
      : live_(live), session_(session) {
    live_.insert(session_);
  }
  ~LiveMembership() { live_.erase(session_); }
  LiveMembership(const LiveMembership&) = delete;
  LiveMembership& operator=(const LiveMembership&) = delete;

 private:
  std::unordered_set<Session*>& live_;
  Session* session_;
};

}  // namespace

asio::awaitable<void> Session::run(std::shared_ptr<Session> self) {
  LiveMembership membership(self->env_.live, self.get());
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer pause(executor);
  bool after_failure = false;
  while (!self->env_.tickets.stopped() && !self->aborted_) {
    if (after_failure) self->env_.recorder.count(&Counters::reconnects);
    Ending ending = Ending::failed;
    // A session never takes the worker down: whatever escapes a connection
    // (an allocation failure, say) is an error of that connection, and the
    // session goes on.
    std::string escaped;
    try {
      ending = co_await self->connection();
    } catch (const std::exception& e) {
      escaped = e.what();
    }
    if (!escaped.empty()) {
      self->env_.recorder.error(ErrorKind::protocol,
                                self->env_.target_text + ": session failed: " + escaped);
      self->release_pacing();
    }
    self->env_.settle(self->settled_);
    if (ending == Ending::stop) break;
    after_failure = ending == Ending::failed;
    // A server that is down or closing is not hammered in a tight loop.
    if (after_failure && !self->env_.tickets.stopped()) {
      pause.expires_after(self->env_.config.reconnect_delay);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }
}

asio::awaitable<Session::Ending> Session::connection() {
  auto& recorder = env_.recorder;
  bool granted = co_await env_.pacer.acquire();
  if (!granted) co_return Ending::stop;
  pacing_held_ = true;
  if (env_.tickets.stopped()) {
    release_pacing();
    co_return Ending::stop;
  }
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::socket socket(executor);
  connecting_ = &socket;
  auto started = Clock::now();
  const boost::system::error_code ec = co_await net::connect_until(
      socket, std::span(&env_.target, 1), started + env_.config.connect_timeout);
  connecting_ = nullptr;
  if (ec || aborted_) {
    release_pacing();
    if (aborted_) co_return Ending::stop;
    recorder.error(ErrorKind::connect, env_.target_text + ": connect: " + ec.message());
    recorder.count(&Counters::connections_failed);
    co_return Ending::failed;
  }
  recorder.latency(MeasuredPhase::connect, 2, Clock::now() - started);
  recorder.count(&Counters::connections_opened);
  ++connections_;

  net::Transport transport(std::move(socket));
  transport_ = &transport;
  // The connect slot is held until the banner (see ConnectPacer): the
  // kernel completes the TCP handshake from its accept queue, long before a
  // busy server has accepted the connection and greeted.
  Conversation conversation(env_, transport, connections_, settled_, pacing_held_);
  bool failed = !co_await conversation.run();
  release_pacing();
  transport_ = nullptr;
  transport.close();
  if (aborted_) co_return Ending::stop;
  co_return failed ? Ending::failed : Ending::normal;
}

}  // namespace smtp::load
