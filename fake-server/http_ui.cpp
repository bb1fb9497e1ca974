#include "fake-server/http_ui.hpp"

#include "fake-server/ui/html_page.hpp"

namespace smtp::fake {

namespace http = boost::beast::http;

namespace {

std::optional<std::string_view> header(const HttpRequest& request, http::field name) {
  const auto it = request.find(name);
  if (it == request.end()) return std::nullopt;
  return std::string_view(it->value().data(), it->value().size());
}

}  // namespace

ui::RequestFacts request_facts(const HttpRequest& request,
                               const boost::asio::ip::tcp::endpoint& local) {
  ui::RequestFacts facts;
  facts.method = std::string_view(request.method_string().data(), request.method_string().size());
  const std::string_view target(request.target().data(), request.target().size());
  facts.path = target.substr(0, target.find('?'));
  facts.host = header(request, http::field::host);
  facts.origin = header(request, http::field::origin);
  facts.referer = header(request, http::field::referer);
  facts.authorization = header(request, http::field::authorization);
  facts.cookie = header(request, http::field::cookie);
  auto address = local.address();
  // A v4 client on a dual-stack socket arrives as ::ffff:a.b.c.d.
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
  }
  facts.local_address = address.to_string();
  facts.local_is_loopback = address.is_loopback();
  return facts;
}

HttpResponse ui_response(const HttpRequest& request, const ui::UiReply& reply) {
  HttpResponse res{static_cast<http::status>(reply.status), request.version()};
  res.set(http::field::server, "fake-smtpd");
  res.set(http::field::content_type, reply.content_type);
  res.set(http::field::cache_control, "no-store");
  res.set("Content-Security-Policy", ui::content_security_policy_header);
  res.set("X-Content-Type-Options", "nosniff");
  // Origin and Referer name this server to itself (the CSRF check); other
  // sites learn nothing of its URLs.
  res.set("Referrer-Policy", "same-origin");
  for (const auto& [name, value] : reply.headers) res.insert(name, value);
  res.keep_alive(request.keep_alive());
  if (reply.message) {
    res.content_length(reply.message->size());
  } else {
    res.body() = reply.body;
    res.prepare_payload();
  }
  return res;
}

}  // namespace smtp::fake
