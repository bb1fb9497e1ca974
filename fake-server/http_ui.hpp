#pragma once
// Beast's side of the web UI and of the request checks (ui/): the facts the
// guard judges, read from a request, and a page turned into a response with
// the headers every HTML answer carries.
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include "fake-server/ui/request_guard.hpp"
#include "fake-server/ui/ui_reply.hpp"

namespace smtp::fake {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// Views into `request`: it must outlive the result.
ui::RequestFacts request_facts(const HttpRequest& request,
                               const boost::asio::ip::tcp::endpoint& local);

// The response; for a download (reply.message) only its head, with the
// length of the octets that follow it.
HttpResponse ui_response(const HttpRequest& request, const ui::UiReply& reply);

}  // namespace smtp::fake
