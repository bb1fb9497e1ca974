#include "fake-server/fake_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <iostream>
#include <stdexcept>

#include "net/listener.hpp"

namespace smtp::fake {

namespace asio = boost::asio;
using asio::ip::tcp;

struct FakeServer::Listener {
  tcp::acceptor acceptor;
  bool implicit_tls;
};

FakeServer::FakeServer(asio::io_context& io, FakeServerOptions options)
    : io_(io),
      options_(std::move(options)),
      store_(make_store(options_.store, options_.store_limit, options_.store_bytes)),
      sessions_(options_.sessions_kept, options_.transcript_bytes) {
  options_.smtp.tls_available = options_.tls != nullptr;
  options_.smtp.keep_content = store_->kind() != "none" || options_.observer != nullptr;
  stats_.seed = options_.seed;
  behaviour_.replace(options_.rules);
  behaviour_.hooks = options_.hooks;
}

FakeServer::~FakeServer() = default;

void FakeServer::start() {
  auto bind = [this](const tcp::endpoint& endpoint, bool implicit_tls) {
    if (implicit_tls && !options_.tls) throw std::runtime_error("implicit TLS needs a TLS context");
    listeners_.push_back(std::make_shared<Listener>(
        Listener{net::listen_on(io_.get_executor(), endpoint,
                                implicit_tls ? "--tls-listen" : options_.listen_name),
                 implicit_tls}));
  };
  for (const auto& e : options_.listen) bind(e, false);
  for (const auto& e : options_.tls_listen) bind(e, true);
  for (auto& l : listeners_) asio::co_spawn(io_, accept_loop(l), asio::detached);
}

void FakeServer::stop() {
  for (auto& l : listeners_) {
    boost::system::error_code ignored;
    l->acceptor.close(ignored);
  }
}

std::vector<tcp::endpoint> FakeServer::smtp_endpoints() const {
  std::vector<tcp::endpoint> out;
  for (const auto& l : listeners_) {
    boost::system::error_code ec;
    if (!l->implicit_tls) out.push_back(l->acceptor.local_endpoint(ec));
  }
  return out;
}

std::vector<tcp::endpoint> FakeServer::tls_endpoints() const {
  std::vector<tcp::endpoint> out;
  for (const auto& l : listeners_) {
    boost::system::error_code ec;
    if (l->implicit_tls) out.push_back(l->acceptor.local_endpoint(ec));
  }
  return out;
}

asio::awaitable<void> FakeServer::accept_loop(std::shared_ptr<Listener> listener) {
  while (listener->acceptor.is_open()) {
    auto [ec, socket] =
        co_await listener->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // EMFILE and friends: keep serving the sessions we have; the listener
      // retries on the next connection rather than dying.
      std::cerr << "fake-smtpd: accept: " << ec.message() << "\n";
      asio::steady_timer backoff(io_, std::chrono::milliseconds(50));  // no busy loop
      co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(
        io_, run_session(std::move(socket), listener->implicit_tls), [](std::exception_ptr e) {
          if (!e) return;
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            // A bug in a session must not take the server down.
            std::cerr << "fake-smtpd: session ended by an exception: " << ex.what() << "\n";
          }
        });
  }
}

void FakeServer::message_stored() {
  for (auto& listener : message_listeners_) listener();
}

}  // namespace smtp::fake
