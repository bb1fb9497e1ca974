#include "loopback.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/address_v4.hpp>

#include <algorithm>
#include <exception>
#include <memory>
#include <string>

namespace smtp::net::test {

using asio::ip::tcp;

SocketPair connected_sockets(asio::io_context& io) {
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  tcp::socket client(io);
  client.connect(acceptor.local_endpoint());
  tcp::socket server = acceptor.accept();
  return SocketPair{std::move(server), std::move(client)};
}

TransportPair connected_transports(asio::io_context& io) {
  SocketPair sockets = connected_sockets(io);
  return TransportPair{Transport(std::move(sockets.server)), Transport(std::move(sockets.client))};
}

::testing::AssertionResult run_tasks(asio::io_context& io, std::vector<asio::awaitable<void>> tasks,
                                     std::chrono::steady_clock::duration limit) {
  // Shared with the completion handlers: after a timeout they may still run
  // (in a later run on the same io_context) when this frame is gone.
  struct State {
    std::size_t finished = 0;
    std::vector<std::string> failures;
  };
  const auto state = std::make_shared<State>();
  for (auto& task : tasks) {
    asio::co_spawn(io, std::move(task),
                   [state, &io, total = tasks.size()](std::exception_ptr error) {
                     // Stop once all are done: an armed deadline is work that would keep
                     // run_for() going until it fires.
                     if (++state->finished == total) io.stop();
                     if (!error) return;
                     try {
                       std::rethrow_exception(error);
                     } catch (const std::exception& e) {
                       state->failures.emplace_back(e.what());
                     } catch (...) {
                       state->failures.emplace_back("unknown exception");
                     }
                   });
  }
  io.restart();
  io.run_for(limit);
  if (state->finished != tasks.size()) {
    return ::testing::AssertionFailure()
           << (tasks.size() - state->finished) << " of " << tasks.size()
           << " coroutines still running after the time limit (hung)";
  }
  const auto& failures = state->failures;
  if (!failures.empty()) {
    auto result = ::testing::AssertionFailure() << "coroutine threw:";
    for (const auto& f : failures) result << " [" << f << "]";
    return result;
  }
  return ::testing::AssertionSuccess();
}

asio::awaitable<std::string> read_exactly(Transport& t, std::size_t count, error_code& ec) {
  std::string out;
  char buffer[4096];
  while (out.size() < count) {
    const std::size_t want = std::min(sizeof buffer, count - out.size());
    const std::size_t n = co_await t.read_some(asio::buffer(buffer, want), ec);
    out.append(buffer, n);
    if (ec) break;
  }
  co_return out;
}

asio::awaitable<std::string> read_until_error(Transport& t, error_code& ec) {
  std::string out;
  char buffer[4096];
  ec = {};
  while (!ec) {
    const std::size_t n = co_await t.read_some(asio::buffer(buffer), ec);
    out.append(buffer, n);
  }
  co_return out;
}

}  // namespace smtp::net::test
