#pragma once
// The delivery sink of `smtp-harness load --sink HOST:PORT` (README,
// "Load-testing a relay"): a fake-smtpd core on its own thread, the next hop
// of the relay under test. It keeps no message; it tells the run's
// DeliveryLedger every RCPT it answers (attempts, retries), every message it
// accepts (arrivals), and how each of the relay's sessions went.
#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <thread>

#include "common/host_port.hpp"
#include "load/delivery_ledger.hpp"

namespace smtp::fake {
class FakeServer;
}

namespace smtp::app {

class SinkObserver;

// What the relay sees when it connects: "sink.smtp-harness.invalid", a name
// no relay takes for its own (Postfix bounces mail whose next hop greets
// with its own name: "mail for X loops back to myself").
inline constexpr std::string_view kDefaultSinkName = "sink.smtp-harness.invalid";

struct SinkOptions {
  common::HostPort listen;
  std::string name;     // the greeting's and EHLO reply's name; "" for kDefaultSinkName
  std::string profile;  // a fake-smtpd profile (rules, greylisting, hooks); "" for none
};

class DeliverySink {
 public:
  // Loads the profile (script::ScriptError naming file:line), binds `listen`
  // (port 0: any free port) and starts serving; std::runtime_error naming the
  // address when it cannot bind.
  DeliverySink(const SinkOptions& options, load::DeliveryLedger& ledger);
  ~DeliverySink();
  DeliverySink(const DeliverySink&) = delete;
  DeliverySink& operator=(const DeliverySink&) = delete;

  std::string where() const { return where_; }  // "127.0.0.1:2526"
  // Stops accepting, counts the relay's sessions still open as they are,
  // and stops the server's thread (the open connections close with it);
  // the ledger has everything after.
  void stop();

 private:
  boost::asio::io_context io_{1};
  std::shared_ptr<SinkObserver> observer_;
  std::unique_ptr<fake::FakeServer> server_;
  std::string where_;
  std::thread thread_;
};

}  // namespace smtp::app
