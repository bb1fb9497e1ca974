#pragma once
// The inspection API (README "fake-smtpd HTTP API"): messages, raw messages,
// sessions with transcripts, statistics, and a long poll that waits for N
// messages; the web UI (ui/) at every path outside /api/. Boost.Beast on the server's io_context;
// loopback by default.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "fake-server/fake_server.hpp"
#include "fake-server/ui/request_guard.hpp"

namespace smtp::fake {

class HttpApi {
 public:
  // `policy`: who may use it (ui/request_guard.hpp); the default lets any
  // client that names this server's address in Host in.
  HttpApi(boost::asio::io_context& io, FakeServer& server, boost::asio::ip::tcp::endpoint at,
          ui::AccessPolicy policy = {});
  ~HttpApi();
  void start();  // throws std::runtime_error naming the address:port
  void stop();
  boost::asio::ip::tcp::endpoint endpoint() const;

  struct State;  // defined in http_api.cpp; public so its coroutines can name it

 private:
  std::shared_ptr<State> state_;
};

}  // namespace smtp::fake
