#pragma once
// fake-smtpd's listeners and sessions on one io_context (ARCHITECTURE.md §2). One
// thread serves SMTP and the HTTP API, so the store, the transcripts and the
// statistics need no locks; a session never blocks the loop except for the
// fsync of a maildir store, which is the point of that store.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fake-server/behaviour.hpp"
#include "fake-server/message_store.hpp"
#include "fake-server/server_settings.hpp"
#include "fake-server/server_stats.hpp"
#include "fake-server/session_observer.hpp"
#include "fake-server/transcript.hpp"

namespace smtp::fake {

// Where the server listens, and its settings (server_settings.hpp).
struct FakeServerOptions : ServerSettings {
  std::vector<boost::asio::ip::tcp::endpoint> listen;      // plain + STARTTLS
  std::vector<boost::asio::ip::tcp::endpoint> tls_listen;  // implicit TLS (RFC 8314)
  std::shared_ptr<boost::asio::ssl::context> tls;          // null: no TLS at all
  // What the plain listener is called in "cannot listen" errors: the flag
  // that set it (fake-smtpd's --listen, or smtp-harness's --sink, --oracle).
  std::string listen_name = "--listen";
  // Told what happens in every session (session_observer.hpp); null: none.
  // With one, the content of messages is kept for it even with store "none".
  std::shared_ptr<SessionObserver> observer;
};

class FakeServer {
 public:
  FakeServer(boost::asio::io_context& io, FakeServerOptions options);
  ~FakeServer();

  // Binds every listener and starts accepting. Throws std::runtime_error
  // naming the address:port that could not be bound.
  void start();
  void stop();

  std::vector<boost::asio::ip::tcp::endpoint> smtp_endpoints() const;
  std::vector<boost::asio::ip::tcp::endpoint> tls_endpoints() const;

  const FakeServerOptions& options() const { return options_; }
  MessageStore& store() { return *store_; }
  SessionLog& sessions() { return sessions_; }
  ServerStats& stats() { return stats_; }
  Behaviour& behaviour() { return behaviour_; }

  // Called after every stored message (the API's ?wait= long poll).
  void on_message(std::function<void()> listener) { message_listeners_.push_back(listener); }
  void message_stored();

 private:
  struct Listener;
  boost::asio::awaitable<void> accept_loop(std::shared_ptr<Listener> listener);
  boost::asio::awaitable<void> run_session(boost::asio::ip::tcp::socket socket, bool implicit_tls);

  boost::asio::io_context& io_;
  FakeServerOptions options_;
  std::unique_ptr<MessageStore> store_;
  SessionLog sessions_;
  ServerStats stats_;
  Behaviour behaviour_;
  std::vector<std::shared_ptr<Listener>> listeners_;
  std::vector<std::function<void()>> message_listeners_;
  // Expires with the server: a session coroutine destroyed later (with the
  // io_context, at shutdown) must not touch it.
  std::shared_ptr<const void> alive_ = std::make_shared<int>(0);
};

}  // namespace smtp::fake
