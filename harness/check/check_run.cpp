#include "check/check_run.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <variant>

#include "check/duration_text.hpp"
#include "check/transcript_recorder.hpp"
#include "net/connect.hpp"
#include "net/endpoint_text.hpp"
#include "net/transport.hpp"

namespace smtp::check {

namespace asio = boost::asio;
using script::IoRequest;
using script::IoResult;
using Clock = std::chrono::steady_clock;

namespace {

// A write waits for the peer to take the bytes; a peer that stopped reading
// is given this long (a 1 MiB line, L2, needs the peer to read it all).
constexpr std::chrono::milliseconds kWriteTimeout{10000};

// A slow check (minutes long, docs/CONFORMANCE.md L7) gets at least this long,
// whatever --check-timeout says for the others.
constexpr std::chrono::milliseconds kSlowCheckTimeout{std::chrono::minutes(10)};

std::chrono::milliseconds time_allowed(const RunnerConfig& config, const script::CheckInfo& info) {
  return info.slow ? std::max(config.check_timeout, kSlowCheckTimeout) : config.check_timeout;
}

IoResult failed(std::string detail) {
  IoResult result;
  result.status = IoResult::Status::failed;
  result.detail = std::move(detail);
  return result;
}

class CheckRun {
 public:
  CheckRun(const RunEnvironment& env, const script::CheckInfo& info)
      : env_(env),
        info_(info),
        started_(Clock::now()),
        allowed_(time_allowed(env.config, info)),
        deadline_(started_ + allowed_),
        transcript_(started_) {}

  asio::awaitable<CheckResult> run(script::CheckSuite& suite, std::size_t index);

 private:
  asio::awaitable<IoResult> perform(const IoRequest& request);
  asio::awaitable<IoResult> connect(bool implicit_tls);
  asio::awaitable<IoResult> sleep(std::chrono::milliseconds duration);
  asio::awaitable<IoResult> delivered(const std::string& token, std::chrono::milliseconds timeout);
  // When a wait of `timeout` from now must end: never after the check's
  // deadline.
  Clock::time_point until(std::chrono::milliseconds timeout) const {
    return std::min(Clock::now() + timeout, deadline_);
  }
  // How long a wait of `timeout` can really last before the check's
  // deadline, so that the transcript names the time actually waited.
  std::chrono::milliseconds bounded(std::chrono::milliseconds timeout) const {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline_ - Clock::now());
    return std::min(std::max(left, std::chrono::milliseconds(0)), timeout);
  }
  // read_reply and wait_close: the request's timeout, else the default.
  std::chrono::milliseconds reply_timeout(const IoRequest& request) const {
    return bounded(request.timeout.count() > 0 ? request.timeout
                                               : env_.config.target.reply_timeout);
  }
  void take_notes(script::CheckCoroutine& coroutine);
  void close_all();

  const RunEnvironment& env_;
  const script::CheckInfo& info_;
  Clock::time_point started_;
  std::chrono::milliseconds allowed_;  // the check timeout, longer for a slow check
  Clock::time_point deadline_;
  TranscriptRecorder transcript_;
  std::map<int, std::unique_ptr<CheckConnection>> connections_;
  int last_number_ = 0;
};

void CheckRun::take_notes(script::CheckCoroutine& coroutine) {
  for (auto& note : coroutine.take_notes()) transcript_.note(std::move(note));
}

void CheckRun::close_all() {
  for (auto& [number, connection] : connections_) connection->close();
  connections_.clear();
}

asio::awaitable<CheckResult> CheckRun::run(script::CheckSuite& suite, std::size_t index) {
  CheckResult result = result_for(info_);
  std::optional<script::CheckOutcome> outcome;
  std::string error;  // the check could not go on: ERROR with this reason
  std::unique_ptr<script::CheckCoroutine> coroutine;
  try {
    coroutine = suite.start(index, env_.config.target);
  } catch (const std::exception& e) {
    error = e.what();
  }
  std::optional<IoResult> last;
  while (!outcome && error.empty()) {
    std::variant<IoRequest, script::CheckOutcome> step;
    try {
      step = coroutine->resume(last ? &*last : nullptr);
      take_notes(*coroutine);
    } catch (const std::exception& e) {
      error = e.what();
      break;
    }
    if (auto* done = std::get_if<script::CheckOutcome>(&step)) {
      outcome = std::move(*done);
      break;
    }
    // Checked before and after each request: a check whose wait was cut
    // short by its deadline must not see that as the target's timeout.
    if (Clock::now() < deadline_) last = co_await perform(std::get<IoRequest>(step));
    if (Clock::now() >= deadline_) {
      error = "the check did not finish within " + seconds_text(allowed_);
      transcript_.event(0, "stopped: " + error);
    }
  }
  // Abandon the Lua coroutine before its connections go.
  coroutine.reset();
  close_all();
  if (outcome) {
    result.verdict = outcome->verdict;
    result.reason = std::move(outcome->reason);
    result.notes = std::move(outcome->notes);
  } else {
    result.verdict = Verdict::error;
    result.reason = std::move(error);
  }
  result.transcript_truncated = transcript_.truncated();
  result.transcript = transcript_.take();
  result.seconds = std::chrono::duration<double>(Clock::now() - started_).count();
  co_return result;
}

asio::awaitable<IoResult> CheckRun::perform(const IoRequest& request) {
  using Kind = IoRequest::Kind;
  if (request.kind == Kind::connect) co_return co_await connect(request.tls);
  if (request.kind == Kind::sleep) co_return co_await sleep(request.timeout);
  if (request.kind == Kind::delivered) co_return co_await delivered(request.bytes, request.timeout);
  auto found = connections_.find(request.connection);
  if (found == connections_.end()) {
    const bool was_open = request.connection > 0 && request.connection <= last_number_;
    co_return failed(was_open ? "connection " + std::to_string(request.connection) + " is closed"
                              : "no connection " + std::to_string(request.connection));
  }
  CheckConnection& connection = *found->second;
  switch (request.kind) {
    case Kind::write:
      co_return co_await connection.write(request.bytes, request.secret, until(kWriteTimeout));
    case Kind::read_reply: {
      const auto timeout = reply_timeout(request);
      co_return co_await connection.read_reply(until(timeout), timeout);
    }
    case Kind::handshake:
      co_return co_await connection.handshake(env_.tls, until(env_.config.target.reply_timeout));
    case Kind::wait_close: {
      const auto timeout = reply_timeout(request);
      co_return co_await connection.wait_close(until(timeout), timeout);
    }
    case Kind::close: {
      connection.close();
      connections_.erase(found);
      IoResult done;  // named: no aggregate temporaries in coroutines (GCC 12)
      co_return done;
    }
    case Kind::connect:
    case Kind::sleep:
    case Kind::delivered:
      break;  // handled above
  }
  co_return failed("unknown request");
}

asio::awaitable<IoResult> CheckRun::connect(bool implicit_tls) {
  const int number = ++last_number_;
  OpenedConnection opened = co_await open_connection(env_, number, transcript_, implicit_tls,
                                                     until(env_.config.connect_timeout),
                                                     env_.config.target.reply_timeout, deadline_);
  if (!opened.connection) co_return failed("connect " + env_.target_text + ": " + opened.failure);
  connections_.emplace(number, std::move(opened.connection));
  IoResult result;
  result.connection = number;
  co_return result;
}

asio::awaitable<IoResult> CheckRun::sleep(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_at(until(duration));
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  IoResult done;  // named: no aggregate temporaries in coroutines (GCC 12)
  co_return done;
}

// The oracle is asked again every kOraclePoll until the message is there or
// the wait ends: a relay's delivery takes milliseconds to seconds, and the
// capture server has no way to wake one check's coroutine.
constexpr std::chrono::milliseconds kOraclePoll{50};

asio::awaitable<IoResult> CheckRun::delivered(const std::string& token,
                                              std::chrono::milliseconds timeout) {
  DeliveryOracle* oracle = env_.config.oracle;
  if (oracle == nullptr) co_return failed("no delivery oracle is configured (--oracle)");
  const auto waited = bounded(timeout);
  const auto end = until(timeout);
  transcript_.event(0, "oracle " + oracle->where() + ": waiting up to " + seconds_text(waited) +
                           " for a message holding " + token);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    if (auto message = oracle->find(token)) {
      const auto after =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - (end - waited));
      transcript_.event(0, "oracle: a message of " + std::to_string(message->size()) +
                               " octets arrived after " + seconds_text(after));
      IoResult result;
      result.raw = std::move(*message);
      co_return result;
    }
    if (Clock::now() >= end) break;
    timer.expires_at(std::min(Clock::now() + kOraclePoll, end));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  transcript_.event(0, "oracle: no message holding " + token + " within " + seconds_text(waited));
  IoResult none;
  none.status = IoResult::Status::timeout;
  none.detail =
      "no message holding " + token + " reached the oracle within " + seconds_text(waited);
  co_return none;
}

}  // namespace

asio::awaitable<OpenedConnection> open_connection(const RunEnvironment& env, int number,
                                                  TranscriptRecorder& transcript, bool implicit_tls,
                                                  Clock::time_point connect_deadline,
                                                  std::chrono::milliseconds tls_timeout,
                                                  Clock::time_point tls_latest) {
  OpenedConnection opened;
  asio::ip::tcp::socket socket(co_await asio::this_coro::executor);
  const boost::system::error_code error =
      co_await net::connect_until(socket, env.endpoints, connect_deadline);
  if (error) {
    opened.failure = error == asio::error::timed_out
                         ? "no connection within " + seconds_text(env.config.connect_timeout)
                         : error.message();
    transcript.event(number, "connect to " + env.target_text + " failed: " + opened.failure);
    co_return opened;
  }
  opened.connected = true;
  net::Transport transport(std::move(socket));
  transcript.event(number, "connected to " + net::endpoint_text(transport.remote_endpoint()));
  auto connection = std::make_unique<CheckConnection>(number, std::move(transport), transcript);
  if (implicit_tls) {
    // RFC 8314 §3: TLS from the first byte; the greeting comes inside it.
    const auto tls_deadline = std::min(Clock::now() + tls_timeout, tls_latest);
    IoResult secured = co_await connection->handshake(env.tls, tls_deadline);
    if (secured.status != IoResult::Status::ok) {
      connection->close();
      opened.peer_answered = secured.status == IoResult::Status::failed;
      opened.failure = std::move(secured.detail);
      co_return opened;
    }
  }
  opened.connection = std::move(connection);
  co_return opened;
}

CheckResult result_for(const script::CheckInfo& info) {
  CheckResult result;
  result.id = info.id;
  result.title = info.title;
  result.rfc = info.rfc;
  result.level = info.level;
  result.area = info.area;
  result.source = info.source;
  return result;
}

asio::awaitable<CheckResult> run_check(const RunEnvironment& env, script::CheckSuite& suite,
                                       std::size_t index) {
  CheckRun run(env, suite.checks()[index]);
  co_return co_await run.run(suite, index);
}

}  // namespace smtp::check
