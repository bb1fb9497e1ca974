#include "scripted_server.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <utility>

#include "net/tls_context.hpp"
#include "net/tls_identity.hpp"

namespace smtp::check::test {

namespace asio = boost::asio;
using asio::ip::tcp;

asio::awaitable<std::optional<std::string>> LineReader::next() {
  // Bounded by the test's own traffic; a line longer than this is a bug.
  constexpr std::size_t kMaxLine = 1 << 20;
  std::array<char, 4096> chunk{};
  for (;;) {
    if (auto end = buffer_.find("\r\n"); end != std::string::npos) {
      std::string line = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      co_return line;
    }
    if (buffer_.size() > kMaxLine) co_return std::nullopt;
    boost::system::error_code ec;
    const std::size_t n = co_await transport_.read_some(asio::buffer(chunk), ec);
    if (ec) co_return std::nullopt;
    buffer_.append(chunk.data(), n);
  }
}

asio::awaitable<void> send(net::Transport& transport, std::string bytes) {
  boost::system::error_code ignored;
  co_await transport.write(bytes, ignored);
}

asio::awaitable<void> plain_smtp(net::Transport& transport) {
  co_await send(transport, "220 test.example ESMTP\r\n");
  LineReader lines(transport);
  for (;;) {
    auto line = co_await lines.next();
    if (!line) co_return;
    const std::string verb = line->substr(0, 4);
    if (verb == "EHLO") {
      co_await send(transport, "250-test.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n");
    } else if (verb == "HELO" || verb == "NOOP" || verb == "MAIL" || verb == "RCPT" ||
               verb == "RSET") {
      co_await send(transport, "250 2.0.0 Ok\r\n");
    } else if (verb == "QUIT") {
      co_await send(transport, "221 2.0.0 Bye\r\n");
      transport.close();
      co_return;
    } else {
      co_await send(transport, "500 5.5.2 Unknown command\r\n");
    }
  }
}

asio::awaitable<void> silent(net::Transport& transport) {
  LineReader lines(transport);
  while (co_await lines.next()) {
  }
}

std::function<asio::awaitable<void>(net::Transport&)> after_the_probe(
    std::function<asio::awaitable<void>(net::Transport&)> later) {
  auto sessions = std::make_shared<std::atomic<int>>(0);
  return [sessions, later = std::move(later)](net::Transport& transport) -> asio::awaitable<void> {
    if ((*sessions)++ == 0) {
      co_await plain_smtp(transport);
    } else {
      co_await later(transport);
    }
  };
}

namespace {

const net::TlsIdentity& identity() {
  static const net::TlsIdentity id = net::make_self_signed("mail.test");
  return id;
}

}  // namespace

ScriptedServer::ScriptedServer(Session session, bool implicit_tls)
    : session_(std::move(session)),
      implicit_tls_(implicit_tls),
      tls_(net::make_server_tls(identity())),
      io_(1),
      acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_, accept_loop(), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

ScriptedServer::~ScriptedServer() {
  // Close the acceptor on the server's own thread, then stop: sessions still
  // waiting on a silent client are destroyed with the io_context.
  asio::post(io_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    io_.stop();
  });
  thread_.join();
}

asio::awaitable<void> ScriptedServer::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> ScriptedServer::serve(tcp::socket socket) {
  ++sessions_;
  net::Transport transport(std::move(socket));
  if (implicit_tls_) {
    boost::system::error_code ec;
    co_await transport.server_handshake(*tls_, ec);
    if (ec) co_return;
  }
  co_await session_(transport);
  transport.close();
}

std::uint16_t closed_port() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  const std::uint16_t port = acceptor.local_endpoint().port();
  acceptor.close();
  return port;
}

Watchdog::Watchdog(std::chrono::seconds limit) {
  thread_ = std::thread([this, limit] {
    std::unique_lock lock(mutex_);
    if (!done_.wait_for(lock, limit, [this] { return finished_; })) {
      std::fprintf(stderr, "test still running after %llds: hung, aborting\n",
                   static_cast<long long>(limit.count()));
      std::abort();
    }
  });
}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
  }
  done_.notify_one();
  thread_.join();
}

}  // namespace smtp::check::test
