#include "app/delivery_sink.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <stdexcept>
#include <unordered_map>
#include <variant>

#include "fake-server/fake_server.hpp"
#include "fake-server/profile.hpp"
#include "net/endpoint_text.hpp"
#include "net/tls_context.hpp"
#include "net/tls_identity.hpp"
#include "proto/ascii.hpp"
#include "proto/command_parser.hpp"

namespace smtp::app {

namespace asio = boost::asio;

namespace {

using Clock = load::DeliveryLedger::Clock;

// The reply's code, 0 when there is none (an effect answered).
int reply_code(std::string_view reply) {
  if (reply.size() < 3) return 0;
  int code = 0;
  for (int i = 0; i < 3; ++i) {
    if (reply[i] < '0' || reply[i] > '9') return 0;
    code = code * 10 + (reply[i] - '0');
  }
  return code;
}

fake::FakeServerOptions sink_options(const SinkOptions& sink) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(sink.listen.host, ec);
  if (ec) {
    throw std::runtime_error("--sink " + sink.listen.to_string() +
                             ": expected an IP address to listen on, such as 127.0.0.1:2526");
  }
  fake::FakeServerOptions options;
  options.store = "none";  // the ledger keeps what it needs; the sink keeps no message
  options.store_limit = 0;
  if (!sink.profile.empty()) fake::load_profile(sink.profile, options);
  // --sink-name, else the profile's hostname if it set one, else ours.
  if (!sink.name.empty()) {
    options.smtp.hostname = sink.name;
  } else if (options.smtp.hostname == proto::ServerConfig{}.hostname) {
    options.smtp.hostname = std::string(kDefaultSinkName);
  }
  // What the relay delivers is the evidence: kept as it came, bare CR or LF
  // included, so that the body's digest tells (a refusal would hide it).
  options.smtp.reject_bare_line_endings = false;
  options.listen.emplace_back(address, sink.listen.port);
  options.listen_name = "--sink";
  // STARTTLS with a self-signed certificate, as an MX offers it.
  options.tls = net::make_server_tls(net::make_self_signed(options.smtp.hostname));
  return options;
}

}  // namespace

// Turns the server's events into the ledger's: on the server's thread only.
class SinkObserver final : public fake::SessionObserver {
 public:
  explicit SinkObserver(load::DeliveryLedger& ledger) : ledger_(ledger) {}

  void session_opened(std::uint64_t session) override { sessions_[session]; }
  void tls_started(std::uint64_t session) override { sessions_[session].stats.starttls = true; }

  void command(std::uint64_t session, std::string_view line, std::string_view reply,
               bool pipelined) override {
    auto& s = sessions_[session];
    if (pipelined) s.stats.pipelined = true;
    const int code = reply_code(reply);
    const auto space = line.find(' ');
    const auto verb = proto::to_upper_ascii(line.substr(0, space));
    if (verb == "EHLO" || verb == "HELO") {
      if (code / 100 == 2 && space != std::string_view::npos) {
        const auto name = line.substr(space + 1);
        s.stats.hello_name = std::string(name.substr(0, name.find(' ')));
      }
    } else if (verb == "MAIL") {
      // A refused MAIL starts nothing: the RCPTs behind it belong to no
      // message (and not to the last transaction's).
      s.reverse_path.clear();
      if (code / 100 != 2) return;
      ++s.stats.transactions;
      s.reverse_path = path_of(line);
    } else if (verb == "RCPT") {
      if (code != 0) ledger_.rcpt_attempt(s.reverse_path, path_of(line), Clock::now());
    } else if (verb == "RSET") {
      s.reverse_path.clear();
    }
  }

  void message(std::uint64_t session, const fake::StoredMessage& message,
               const std::string& content) override {
    const auto now = Clock::now();
    auto& s = sessions_[session];
    ++s.stats.messages;
    if (message.via_bdat) ++s.stats.bdat_messages;
    const auto& recipients = message.envelope.recipients;
    ++s.stats.recipients_per_transaction[static_cast<std::uint32_t>(recipients.size())];
    std::vector<std::string> addresses;
    addresses.reserve(recipients.size());
    for (const auto& r : recipients) addresses.push_back(r.path.address());
    ledger_.arrived(message.envelope.reverse_path.address(), addresses, content, now);
    s.reverse_path.clear();  // the transaction is over (RFC 5321 §4.1.1.4)
  }

  // Sessions still open (a relay caches its connections): counted as they
  // are now, at the end of the run.
  void flush() {
    for (const auto& [id, session] : sessions_) ledger_.session_ended(session.stats);
    sessions_.clear();
  }

  void session_closed(std::uint64_t session) override {
    const auto it = sessions_.find(session);
    if (it == sessions_.end()) return;
    ledger_.session_ended(it->second.stats);
    sessions_.erase(it);
  }

 private:
  struct Session {
    load::SinkSession stats;
    std::string reverse_path;  // of the transaction in progress
  };

  // The address of a MAIL or RCPT line the server accepted: parsed by the
  // one command parser, liberally (SMTPUTF8 addresses too).
  static std::string path_of(std::string_view line) {
    proto::CommandParseOptions options;
    options.smtputf8 = true;
    auto parsed = proto::parse_command(line, options);
    const auto* command = std::get_if<proto::Command>(&parsed);
    if (command == nullptr || !command->path) return {};
    return command->path->address();
  }

  load::DeliveryLedger& ledger_;
  std::unordered_map<std::uint64_t, Session> sessions_;
};

DeliverySink::DeliverySink(const SinkOptions& options, load::DeliveryLedger& ledger)
    : observer_(std::make_shared<SinkObserver>(ledger)) {
  auto server_options = sink_options(options);
  server_options.observer = observer_;
  server_ = std::make_unique<fake::FakeServer>(io_, std::move(server_options));
  server_->start();  // throws naming the address when it cannot bind
  where_ = net::endpoint_text(server_->smtp_endpoints().front());
  thread_ = std::thread([this] {
    auto work = asio::make_work_guard(io_);
    io_.run();
  });
}

void DeliverySink::stop() {
  if (!thread_.joinable()) return;
  // The open sessions' figures first, on the server's thread; then stop.
  std::promise<void> flushed;
  asio::post(io_, [this, &flushed] {
    server_->stop();  // no new connection
    observer_->flush();
    flushed.set_value();
  });
  flushed.get_future().wait();
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

DeliverySink::~DeliverySink() {
  stop();
  server_.reset();
}

}  // namespace smtp::app
