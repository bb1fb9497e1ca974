#include "check/check_connect.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <utility>
#include <variant>

namespace smtp::check {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

asio::awaitable<ConnectAttempt> connect_to(const std::vector<tcp::endpoint>& endpoints,
                                           std::chrono::steady_clock::time_point deadline) {
  auto executor = co_await asio::this_coro::executor;
  tcp::socket socket(executor);
  asio::steady_timer timer(executor);
  timer.expires_at(deadline);
  // Whichever ends first cancels the other: the connect (to the first
  // address that accepts) or the deadline.
  auto outcome =
      co_await (asio::async_connect(socket, endpoints, asio::as_tuple(asio::use_awaitable)) ||
                timer.async_wait(asio::as_tuple(asio::use_awaitable)));
  ConnectAttempt attempt;
  if (outcome.index() == 0) {
    attempt.error = std::get<0>(std::get<0>(outcome));
  } else {
    attempt.error = asio::error::timed_out;
  }
  if (attempt.error) co_return attempt;
  attempt.transport.emplace(std::move(socket));
  co_return attempt;
}

}  // namespace smtp::check
