#pragma once
// Opening a listening socket the same way for every listener (SMTP, implicit
// TLS, HTTP API) so errors read alike.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <string_view>

namespace smtp::net {

// Opens, binds (SO_REUSEADDR) and listens. Throws std::runtime_error
// "cannot listen on ADDR:PORT (what): reason", naming the address as
// ARCHITECTURE.md §6 asks of every error.
boost::asio::ip::tcp::acceptor listen_on(const boost::asio::any_io_executor& executor,
                                         const boost::asio::ip::tcp::endpoint& endpoint,
                                         std::string_view what);

}  // namespace smtp::net
