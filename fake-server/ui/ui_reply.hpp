#pragma once
// What a page of the web UI answers, without Beast: the HTTP layer
// (http_api.cpp) turns it into a response, with the security headers of
// ui/html_page.hpp on every HTML answer.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fake-server/message_store.hpp"

namespace smtp::fake::ui {

struct UiReply {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // beyond the usual ones
  std::optional<MessageBytes> message;                       // a download: the body is these octets
};

// 303 See Other: after a POST the browser GETs the result (POST/redirect/GET),
// so reloading the page does not send the form again.
UiReply see_other(std::string location);

}  // namespace smtp::fake::ui
