#pragma once
// One load session (ARCHITECTURE.md §2, load step 3): a free coroutine that
// owns its connection, asks the I/O-free ClientDialogue what to write, feeds it the
// replies its ReplyParser frames, and records every phase's latency, every
// reply and every error. When a connection ends — QUIT after
// messages_per_connection, a 421 (RFC 5321 §3.8), a lost connection — it
// connects again until the run stops.
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>

#include "load/config.hpp"
#include "load/connect_pacer.hpp"
#include "load/delivery_ledger.hpp"
#include "load/message_builder.hpp"
#include "load/recorder.hpp"
#include "load/tickets.hpp"
#include "script/load_scenario.hpp"

namespace smtp::net {
class Transport;
}

namespace smtp::load {

class Session;

// What a worker's sessions share. Everything here lives on the worker's
// thread.
struct WorkerEnvironment {
  const LoadConfig& config;
  boost::asio::ip::tcp::endpoint target;
  std::string target_text;         // "HOST:PORT", for error messages
  boost::asio::ssl::context* tls;  // null when the run uses no TLS
  std::string sni;
  Recorder& recorder;
  TicketSource& tickets;
  ConnectPacer& pacer;
  const MessageBuilder& messages;
  script::LoadScript* script;  // null without a scenario
  std::uint32_t worker = 0;
  std::atomic<std::size_t>* settled;  // sessions whose first connection is ready or failed
  std::unordered_set<Session*> live;  // for abort at the drain deadline
  DeliveryLedger* ledger = nullptr;   // with --sink: stamps and records messages

  // Counts a session as settled, once.
  void settle(bool& flag) {
    if (flag) return;
    flag = true;
    settled->fetch_add(1, std::memory_order_relaxed);
  }
};

class Session {
 public:
  explicit Session(WorkerEnvironment& env);

  // The session's whole life: connect, run, reconnect, until the tickets stop.
  static boost::asio::awaitable<void> run(std::shared_ptr<Session> self);

  // Ends whatever the session is doing now (the drain deadline has passed):
  // the transaction in flight is counted as failed.
  void abort();
  bool connected() const { return transport_ != nullptr; }

 private:
  enum class Ending { normal, failed, stop };

  boost::asio::awaitable<Ending> connection();
  void release_pacing();

  WorkerEnvironment& env_;
  std::uint64_t connections_ = 0;
  boost::asio::ip::tcp::socket* connecting_ = nullptr;  // while connecting
  net::Transport* transport_ = nullptr;                 // while connected
  bool aborted_ = false;
  bool settled_ = false;  // see WorkerEnvironment::settle
  // A ConnectPacer slot is held: from the connect to the banner.
  bool pacing_held_ = false;
};

}  // namespace smtp::load
