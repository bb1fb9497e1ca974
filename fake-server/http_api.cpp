#include "fake-server/http_api.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <list>
#include <optional>
#include <stdexcept>
#include <tuple>

#include "common/duration.hpp"
#include "common/prometheus_text.hpp"
#include "fake-server/api_json.hpp"
#include "fake-server/http_form.hpp"
#include "fake-server/http_ui.hpp"
#include "fake-server/metrics_text.hpp"
#include "fake-server/profile_rules.hpp"
#include "fake-server/ui/ui_routes.hpp"
#include "net/accept_each.hpp"
#include "net/listener.hpp"
#include "script/lua_state.hpp"

namespace smtp::fake {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using nlohmann::json;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct HttpApi::State {
  asio::io_context& io;
  FakeServer& server;
  tcp::acceptor acceptor;
  ui::AccessPolicy policy;  // Host, token and origin checks (ui/request_guard.hpp)
  // Long polls waiting for messages; a stored message wakes them all.
  std::list<asio::steady_timer*> waiters;
};

namespace {

constexpr auto kMaxWait = std::chrono::seconds(120);

Response reply(const Request& req, http::status status, std::string body,
               std::string_view type = "application/json") {
  Response res{status, req.version()};
  res.set(http::field::server, "fake-smtpd");
  res.set(http::field::content_type, type);
  // Loopback tools and browsers may read it; nothing here is secret (AUTH is redacted).
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response json_reply(const Request& req, const json& body, http::status status = http::status::ok) {
  return reply(req, status, body.dump(2) + "\n");
}

Response error(const Request& req, http::status status, std::string_view why) {
  return json_reply(req, json{{"error", why}}, status);
}

// What a request gets: a whole response or, for a message's octets, a
// response head followed by the message in its two pieces
// (message_store.hpp), so that serving a message never copies it.
struct Answer {
  Answer(Response r) : response(std::move(r)) {}  // every route but one answers a Response
  Answer(Response head, MessageBytes bytes)
      : response(std::move(head)), message(std::move(bytes)) {}
  Response response;
  std::optional<MessageBytes> message;
};

json messages_json(FakeServer& server) {
  json list = json::array();
  for (const auto* m : server.store().list()) list.push_back(message_json(*m));
  return json{{"count", list.size()},
              {"octets", server.store().octets()},
              {"store", server.store().kind()},
              {"messages", list}};
}

asio::awaitable<Response> wait_for_messages(HttpApi::State& st, const Request& req,
                                            std::string_view target) {
  const auto wanted = to_number(*query_param(target, "wait"));
  if (!wanted) co_return error(req, http::status::bad_request, "wait must be a number");
  auto timeout = common::Duration(std::chrono::seconds(5));
  if (auto t = query_param(target, "timeout")) {
    auto parsed = common::parse_duration(*t);
    if (!parsed)
      co_return error(req, http::status::bad_request, "timeout must be like 5s or 500ms");
    timeout = std::min<common::Duration>(*parsed, kMaxWait);
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  asio::steady_timer timer(st.io);
  auto it = st.waiters.insert(st.waiters.end(), &timer);
  // Each wake-up re-checks: a stored message cancels the timer early.
  while (st.server.store().count() < *wanted && std::chrono::steady_clock::now() < deadline) {
    timer.expires_at(deadline);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  st.waiters.erase(it);
  const bool reached = st.server.store().count() >= *wanted;
  json body = messages_json(st.server);
  body["waited_for"] = *wanted;
  body["timed_out"] = !reached;
  // 408 tells a test "not yet" without it having to compare counts.
  co_return json_reply(req, body, reached ? http::status::ok : http::status::request_timeout);
}

Answer ui_answer(const Request& req, ui::UiReply page) {
  auto response = ui_response(req, page);
  if (page.message) return Answer(std::move(response), std::move(*page.message));
  return Answer(std::move(response));
}

Answer ui_page(HttpApi::State& st, const Request& req) {
  const ui::UiRequest page{req.method_string(), req.target(), req.body(),
                           req[http::field::content_type]};
  return ui_answer(req, ui::route(st.server, st.policy, page));
}

// A request the guard refuses: JSON for the API and /metrics (a scraper
// sends the token as a bearer), a page (the login form for a 401) for a
// browser.
std::optional<Answer> refused(const HttpApi::State& st, const Request& req,
                              const tcp::endpoint& local) {
  const auto facts = request_facts(req, local);
  const auto refusal = ui::check_request(st.policy, facts);
  if (!refusal) return std::nullopt;
  if (facts.path.starts_with("/api/") || facts.path == "/metrics") {
    auto res = error(req, static_cast<http::status>(refusal->status), refusal->reason);
    if (refusal->status == 401)
      res.set(http::field::www_authenticate, "Bearer realm=\"fake-smtpd\"");
    return Answer(std::move(res));
  }
  return ui_answer(req, ui::refusal_page(refusal->status, refusal->reason));
}

asio::awaitable<Answer> route(HttpApi::State& st, const Request& req) {
  const std::string_view target = req.target();
  const auto path = target.substr(0, target.find('?'));
  const auto method = req.method();
  auto& server = st.server;

  // For Prometheus (README, "Prometheus metrics"), beside the API.
  if (path == "/metrics") {
    if (method != http::verb::get) co_return error(req, http::status::method_not_allowed, "GET");
    co_return reply(req, http::status::ok, metrics_text(server), common::kPrometheusContentType);
  }
  // Everything else outside /api/ is the web UI (ui/ui_routes.hpp).
  if (!path.starts_with("/api/")) co_return ui_page(st, req);
  if (path == "/api/messages") {
    if (method == http::verb::delete_) {
      const auto n = server.store().count();
      server.store().clear();
      co_return json_reply(req, json{{"deleted", n}});
    }
    if (method != http::verb::get)
      co_return error(req, http::status::method_not_allowed, "GET or DELETE");
    if (query_param(target, "wait")) co_return co_await wait_for_messages(st, req, target);
    co_return json_reply(req, messages_json(server));
  }
  constexpr std::string_view messages_prefix = "/api/messages/";
  if (path.starts_with(messages_prefix)) {
    if (method != http::verb::get) co_return error(req, http::status::method_not_allowed, "GET");
    auto rest = path.substr(messages_prefix.size());
    const bool raw = rest.ends_with("/raw");
    if (raw) rest.remove_suffix(4);
    const auto id = to_number(rest);
    const auto* message = id ? server.store().find(*id) : nullptr;
    if (message == nullptr) co_return error(req, http::status::not_found, "no such message");
    if (!raw) co_return json_reply(req, message_json(*message));
    auto bytes = server.store().bytes(*id);
    if (!bytes) co_return error(req, http::status::gone, "message content is not available");
    auto head = reply(req, http::status::ok, {}, "message/rfc822");
    head.content_length(bytes->size());
    co_return Answer(std::move(head), std::move(*bytes));
  }
  if (path == "/api/sessions") {
    if (method != http::verb::get) co_return error(req, http::status::method_not_allowed, "GET");
    json list = json::array();
    for (const auto& s : server.sessions().sessions()) list.push_back(session_summary_json(*s));
    co_return json_reply(req, json{{"count", list.size()}, {"sessions", list}});
  }
  constexpr std::string_view sessions_prefix = "/api/sessions/";
  if (path.starts_with(sessions_prefix)) {
    if (method != http::verb::get) co_return error(req, http::status::method_not_allowed, "GET");
    const auto id = to_number(path.substr(sessions_prefix.size()));
    const auto session = id ? server.sessions().find(*id) : nullptr;
    if (!session) co_return error(req, http::status::not_found, "no such session");
    co_return json_reply(req, session_json(*session));
  }
  if (path == "/api/rules") {
    if (method == http::verb::put || method == http::verb::delete_) {
      RuleSet set;
      if (method == http::verb::put) {
        try {
          set = load_rules_text(req.body());
        } catch (const script::ScriptError& e) {
          // The rules in force stay as they were.
          const std::string what = e.what();
          co_return error(req, http::status::bad_request, what.substr(0, what.find('\n')));
        }
      }
      server.behaviour().replace(std::move(set));
    } else if (method != http::verb::get) {
      co_return error(req, http::status::method_not_allowed, "GET, PUT or DELETE");
    }
    co_return json_reply(req, rules_json(server.behaviour(), server.options().seed));
  }
  if (path == "/api/stats") {
    if (method != http::verb::get) co_return error(req, http::status::method_not_allowed, "GET");
    co_return json_reply(req, stats_json(server.stats(), server.store().count()));
  }
  co_return error(req, http::status::not_found, "unknown path; see the README's API table");
}

asio::awaitable<void> serve(std::shared_ptr<HttpApi::State> st, tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (int served = 0; served < 10000; ++served) {  // keep-alive, bounded
    http::request_parser<http::string_body> parser;
    parser.body_limit(64 * 1024);  // the API takes no large bodies
    stream.expires_after(std::chrono::seconds(30));
    auto [ec, n] =
        co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (ec) break;
    stream.expires_never();
    auto request = parser.release();
    beast::error_code lec;
    auto answered = refused(*st, request, stream.socket().local_endpoint(lec));
    if (!answered) answered.emplace(co_await route(*st, request));
    Answer& answer = *answered;
    stream.expires_after(std::chrono::seconds(30));
    beast::error_code wec;
    if (answer.message) {
      http::response_serializer<http::string_body> head(answer.response);
      std::tie(wec, std::ignore) =
          co_await http::async_write_header(stream, head, asio::as_tuple(asio::use_awaitable));
      const std::array<asio::const_buffer, 2> pieces = {asio::buffer(answer.message->trace),
                                                        asio::buffer(*answer.message->content)};
      if (!wec) {
        std::tie(wec, std::ignore) =
            co_await asio::async_write(stream, pieces, asio::as_tuple(asio::use_awaitable));
      }
    } else {
      std::tie(wec, std::ignore) =
          co_await http::async_write(stream, answer.response, asio::as_tuple(asio::use_awaitable));
    }
    if (wec || !answer.response.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

// Not a coroutine: GCC 12 destroys a lambda temporary inside co_await twice
// (ARCHITECTURE.md, "Compiler notes"), so the loop gets the closure as its
// argument directly.
asio::awaitable<void> accept_loop(std::shared_ptr<HttpApi::State> st) {
  auto& acceptor = st->acceptor;
  return net::accept_each(acceptor, [st](tcp::socket socket) {
    asio::co_spawn(st->io, serve(st, std::move(socket)), asio::detached);
  });
}

}  // namespace

HttpApi::HttpApi(asio::io_context& io, FakeServer& server, tcp::endpoint at,
                 ui::AccessPolicy policy)
    : state_(std::make_shared<State>(State{
          io, server, net::listen_on(io.get_executor(), at, "--api"), std::move(policy), {}})) {
  std::weak_ptr<State> weak = state_;
  server.on_message([weak] {
    if (auto st = weak.lock()) {
      for (auto* timer : st->waiters) timer->cancel();
    }
  });
}

HttpApi::~HttpApi() = default;

void HttpApi::start() {
  asio::co_spawn(state_->io, accept_loop(state_), asio::detached);
}

void HttpApi::stop() {
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
}

tcp::endpoint HttpApi::endpoint() const {
  boost::system::error_code ec;
  return state_->acceptor.local_endpoint(ec);
}

}  // namespace smtp::fake
