#include "net/listener.hpp"

#include <stdexcept>
#include <string>

#include "net/endpoint_text.hpp"

namespace smtp::net {

namespace asio = boost::asio;
using asio::ip::tcp;

tcp::acceptor listen_on(const asio::any_io_executor& executor, const tcp::endpoint& endpoint,
                        std::string_view what) {
  tcp::acceptor acceptor(executor);
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + endpoint_text(endpoint) + " (" +
                             std::string(what) + "): " + ec.message());
  }
  return acceptor;
}

}  // namespace smtp::net
