#include "app/metrics_endpoint.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

#include "common/prometheus_text.hpp"
#include "net/accept_each.hpp"
#include "net/endpoint_text.hpp"
#include "net/listener.hpp"

namespace smtp::app {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

struct MetricsEndpoint::State {
  explicit State(asio::io_context& io_) : io(io_), acceptor(io_) {}
  asio::io_context& io;
  tcp::acceptor acceptor;
  tcp::endpoint bound;
  std::mutex mutex;
  std::condition_variable scraped;
  std::string text;            // under mutex
  bool final = false;          // under mutex: `text` is the run's last document
  bool final_fetched = false;  // under mutex
};

namespace {

using Response = http::response<http::string_body>;

// `final_document`: set when the answer carries the run's last document to
// a GET; it counts as fetched once it has been written.
Response answer(MetricsEndpoint::State& st, const http::request<http::string_body>& req,
                bool& final_document) {
  final_document = false;
  Response res{http::status::ok, req.version()};
  res.set(http::field::server, "smtp-harness");
  res.keep_alive(req.keep_alive());
  const std::string_view target = req.target();
  const auto path = target.substr(0, target.find('?'));
  if (path != "/metrics") {
    res.result(http::status::not_found);
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = "only /metrics is served here\n";
  } else if (req.method() != http::verb::get && req.method() != http::verb::head) {
    res.result(http::status::method_not_allowed);
    res.set(http::field::allow, "GET, HEAD");
  } else {
    res.set(http::field::content_type, common::kPrometheusContentType);
    std::lock_guard lock(st.mutex);
    res.body() = st.text;
    final_document = st.final && req.method() == http::verb::get;
  }
  res.prepare_payload();
  if (req.method() == http::verb::head) res.body().clear();
  return res;
}

asio::awaitable<void> serve(std::shared_ptr<MetricsEndpoint::State> st, tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (int served = 0; served < 10000; ++served) {  // keep-alive, bounded
    http::request_parser<http::string_body> parser;
    parser.body_limit(4096);  // GET takes no body
    stream.expires_after(std::chrono::seconds(30));
    auto [ec, n] =
        co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (ec) break;
    bool final_document = false;
    auto res = answer(*st, parser.get(), final_document);
    auto [wec, written] =
        co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
    if (!wec && final_document) {
      // Written whole: the linger may end, and the endpoint with it.
      std::lock_guard lock(st->mutex);
      st->final_fetched = true;
      st->scraped.notify_all();
    }
    if (wec || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

// Not a coroutine: GCC 12 destroys a lambda temporary inside co_await twice
// (ARCHITECTURE.md, "Compiler notes"), so the loop gets the closure as its
// argument directly.
asio::awaitable<void> accept_loop(std::shared_ptr<MetricsEndpoint::State> st) {
  auto& acceptor = st->acceptor;
  return net::accept_each(acceptor, [st](tcp::socket socket) {
    asio::co_spawn(st->io, serve(st, std::move(socket)), asio::detached);
  });
}

}  // namespace

MetricsEndpoint::MetricsEndpoint(const common::HostPort& at)
    : io_(std::make_unique<asio::io_context>(1)), state_(std::make_shared<State>(*io_)) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(at.host, ec);
  if (ec) {
    throw std::runtime_error("--metrics " + at.to_string() +
                             ": the address must be an IP address (e.g. 127.0.0.1:9464)");
  }
  state_->acceptor =
      net::listen_on(io_->get_executor(), tcp::endpoint(address, at.port), "--metrics");
  state_->bound = state_->acceptor.local_endpoint();
  asio::co_spawn(*io_, accept_loop(state_), asio::detached);
  thread_ = std::thread([io = io_.get()] { io->run(); });
}

MetricsEndpoint::~MetricsEndpoint() {
  asio::post(*io_, [st = state_] {
    boost::system::error_code ignored;
    st->acceptor.close(ignored);
    st->io.stop();
  });
  thread_.join();
  // The coroutines still suspended release the state as the io_context
  // destroys them.
  state_.reset();
  io_.reset();
}

std::string MetricsEndpoint::where() const {
  return net::endpoint_text(state_->bound);
}

void MetricsEndpoint::publish(std::string text) {
  std::lock_guard lock(state_->mutex);
  state_->text = std::move(text);
}

bool MetricsEndpoint::linger(std::string final_text, std::chrono::nanoseconds limit,
                             const std::atomic<bool>& interrupted) {
  std::unique_lock lock(state_->mutex);
  state_->text = std::move(final_text);
  state_->final = true;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  // Woken by the scrape; the 100 ms step only notices a SIGINT.
  while (!state_->final_fetched && !interrupted.load() &&
         std::chrono::steady_clock::now() < deadline) {
    state_->scraped.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() +
                                                            std::chrono::milliseconds(100)));
  }
  return state_->final_fetched;
}

}  // namespace smtp::app
