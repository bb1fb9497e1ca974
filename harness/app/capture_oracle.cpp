#include "app/capture_oracle.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>

#include "fake-server/fake_server.hpp"
#include "net/endpoint_text.hpp"
#include "net/tls_context.hpp"
#include "net/tls_identity.hpp"

namespace smtp::app {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kHostname = "oracle.smtp-harness.invalid";

// The runner asks from its own thread; the store belongs to the server's.
// An answer within this bound is certain (the server only stores messages),
// so running past it means the oracle thread is gone.
constexpr std::chrono::seconds kAnswerBound{5};

fake::FakeServerOptions capture_options(const common::HostPort& listen) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(listen.host, ec);
  if (ec) {
    throw std::runtime_error("--oracle " + listen.to_string() +
                             ": expected an IP address to listen on, such as 127.0.0.1:2526");
  }
  fake::FakeServerOptions options;
  options.smtp.hostname = std::string(kHostname);
  // What the target delivers is the evidence: keep it as it came, bare CR
  // or LF included (the default server refuses those, docs/CONFORMANCE.md D4).
  options.smtp.reject_bare_line_endings = false;
  options.listen.emplace_back(address, listen.port);
  options.listen_name = "--oracle";
  // STARTTLS with a self-signed certificate, as an MX offers it: a relay
  // that insists on TLS can still deliver.
  options.tls = net::make_server_tls(net::make_self_signed(kHostname));
  options.store = "memory";
  return options;
}

}  // namespace

CaptureOracle::CaptureOracle(const common::HostPort& listen) {
  server_ = std::make_unique<fake::FakeServer>(io_, capture_options(listen));
  server_->start();  // throws naming the address when it cannot bind
  where_ = net::endpoint_text(server_->smtp_endpoints().front());
  thread_ = std::thread([this] {
    auto work = asio::make_work_guard(io_);
    io_.run();
  });
}

CaptureOracle::~CaptureOracle() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

std::optional<std::string> CaptureOracle::find(std::string_view token) {
  // Shared: should the wait below give up, the server thread still answers
  // into a live promise.
  auto answer = std::make_shared<std::promise<std::optional<std::string>>>();
  auto found = answer->get_future();
  asio::post(io_, [this, answer, wanted = std::string(token)] {
    std::optional<std::string> text;
    auto& store = server_->store();
    for (const auto* message : store.list()) {
      // The target's message, without the capture server's own trace line
      // (which names the recipient, and so the token, whatever arrived).
      const auto bytes = store.bytes(message->id);
      if (!bytes || !check::holds_token(*bytes->content, wanted)) continue;
      text = *bytes->content;
      break;
    }
    answer->set_value(std::move(text));
  });
  if (found.wait_for(kAnswerBound) != std::future_status::ready) {
    throw std::runtime_error("the delivery oracle at " + where_ + " does not answer");
  }
  return found.get();
}

std::size_t CaptureOracle::messages() {
  auto answer = std::make_shared<std::promise<std::size_t>>();
  auto count = answer->get_future();
  asio::post(io_, [this, answer] { answer->set_value(server_->store().count()); });
  if (count.wait_for(kAnswerBound) != std::future_status::ready) return 0;
  return count.get();
}

}  // namespace smtp::app
