#pragma once
// fake-smtpd's listeners and sessions on one io_context (DESIGN §2). One
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

#include "fake-server/lua_hooks.hpp"
#include "fake-server/message_store.hpp"
#include "fake-server/profile_rules.hpp"
#include "fake-server/rules/greylist.hpp"
#include "fake-server/rules/rule_engine.hpp"
#include "fake-server/server_stats.hpp"
#include "fake-server/transcript.hpp"
#include "proto/server_config.hpp"

namespace smtp::fake {

struct FakeServerOptions {
  proto::ServerConfig smtp;
  std::vector<boost::asio::ip::tcp::endpoint> listen;      // plain + STARTTLS
  std::vector<boost::asio::ip::tcp::endpoint> tls_listen;  // implicit TLS (RFC 8314)
  std::shared_ptr<boost::asio::ssl::context> tls;          // null: no TLS at all
  std::string store = "memory";
  std::size_t store_limit = 10000;
  // RFC 5321 §4.5.3.2.7: a server should wait at least 5 minutes for a command.
  std::chrono::steady_clock::duration idle_timeout = std::chrono::minutes(5);
  std::size_t max_line = 16384;  // framer bound; the command limits are the parser's
  // Sessions served at once; one more is greeted 421 and closed (RFC 5321
  // §3.8). 0: no limit.
  std::size_t max_sessions = 0;
  std::size_t sessions_kept = 1000;
  std::size_t transcript_bytes = 256 * 1024;  // per session
  std::uint64_t seed = 0;
  RuleSet rules;                    // the profile's rule { } and greylist { }
  std::shared_ptr<LuaHooks> hooks;  // null: the profile defines none
};

// What makes the server misbehave on purpose (issue 4): rules, greylisting,
// hooks. Replaceable at run time (PUT /api/rules), except the hooks.
struct Behaviour {
  rules::RuleEngine rules;
  std::optional<rules::Greylist> greylist;
  std::shared_ptr<LuaHooks> hooks;

  void replace(RuleSet set) {
    rules.replace(std::move(set.rules));
    greylist.reset();
    if (set.greylist) greylist.emplace(std::move(*set.greylist));
  }
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
