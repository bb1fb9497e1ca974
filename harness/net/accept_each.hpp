#pragma once
// The accept loop of a listener that serves each connection on its own
// (fake-smtpd's HTTP API, load --metrics): written once so that both stop
// and skip errors alike.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <utility>

namespace smtp::net {

// Hands each accepted socket to `serve` (which spawns what serves it) until
// the acceptor is closed. A failed accept (a connection reset before it was
// taken, a descriptor limit) is skipped: it must not end the listener.
template <typename Serve>
boost::asio::awaitable<void> accept_each(boost::asio::ip::tcp::acceptor& acceptor, Serve serve) {
  namespace asio = boost::asio;
  while (acceptor.is_open()) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;
    serve(std::move(socket));
  }
}

}  // namespace smtp::net
