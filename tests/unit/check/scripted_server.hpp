#pragma once
// Test helpers for the check runner: a server on 127.0.0.1:0 whose every
// session is a coroutine the test writes (greet, answer, stall, send
// garbage ...), running on its own thread and io_context; and a watchdog
// that ends a hung test instead of blocking CI. No sleeps: sessions wait on
// the client's bytes.
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "net/transport.hpp"

namespace smtp::check::test {

// Reads CRLF-terminated lines from a Transport.
class LineReader {
 public:
  explicit LineReader(net::Transport& transport) : transport_(transport) {}
  // The next line without its CRLF; nullopt at the peer's close or an error.
  boost::asio::awaitable<std::optional<std::string>> next();
  // Bytes read past the last line returned (pipelined commands).
  const std::string& buffered() const { return buffer_; }
  void clear() { buffer_.clear(); }

 private:
  net::Transport& transport_;
  std::string buffer_;
};

// Writes all of `bytes`; errors are ignored (the client may be gone).
boost::asio::awaitable<void> send(net::Transport& transport, std::string bytes);

// A minimal SMTP responder: greets "220 test.example ESMTP", answers EHLO
// (PIPELINING, STARTTLS), HELO, NOOP, MAIL, RCPT, RSET with 250, QUIT with
// 221 and a close, anything else with 500. Returns at the client's close.
boost::asio::awaitable<void> plain_smtp(net::Transport& transport);

// Accepts and never sends a byte; returns at the client's close.
boost::asio::awaitable<void> silent(net::Transport& transport);

// Serves the first session (the runner's probe, check/target_probe.hpp) with
// plain_smtp and every later one with `later`: a target that goes wrong
// only once the probe has reached it.
std::function<boost::asio::awaitable<void>(net::Transport&)> after_the_probe(
    std::function<boost::asio::awaitable<void>(net::Transport&)> later);

class ScriptedServer {
 public:
  using Session = std::function<boost::asio::awaitable<void>(net::Transport&)>;

  // `implicit_tls`: each session starts with the server's TLS handshake
  // (RFC 8314 §3) before `session` runs.
  explicit ScriptedServer(Session session, bool implicit_tls = false);
  ~ScriptedServer();
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  std::uint16_t port() const { return port_; }
  int sessions() const { return sessions_.load(); }
  // The server's TLS context (self-signed "mail.test"), for STARTTLS.
  boost::asio::ssl::context& tls() { return *tls_; }

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);

  Session session_;  // outlives the io_context: the coroutines refer to it
  bool implicit_tls_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::atomic<int> sessions_{0};
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

// A port where nothing listens (a listener opened and closed again).
std::uint16_t closed_port();

// Aborts the test binary when a test runs past `limit`: a hung runner must
// fail CI, not block it.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::seconds limit = std::chrono::seconds(30));
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable done_;
  bool finished_ = false;
  std::thread thread_;
};

}  // namespace smtp::check::test
