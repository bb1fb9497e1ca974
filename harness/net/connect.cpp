#include "net/connect.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <variant>

namespace smtp::net {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

asio::awaitable<boost::system::error_code> connect_until(
    tcp::socket& socket, std::span<const tcp::endpoint> endpoints,
    std::chrono::steady_clock::time_point deadline) {
  asio::steady_timer timer(socket.get_executor());
  timer.expires_at(deadline);
  // Whichever ends first cancels the other: the connect (to the first
  // address that accepts) or the deadline.
  auto outcome =
      co_await (asio::async_connect(socket, endpoints, asio::as_tuple(asio::use_awaitable)) ||
                timer.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (outcome.index() == 1) co_return asio::error::timed_out;
  co_return std::get<0>(std::get<0>(outcome));
}

}  // namespace smtp::net
