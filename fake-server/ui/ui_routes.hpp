#pragma once
// The web UI at the API's root (README "Web UI"): which page answers which
// request. The HTTP layer (http_api.cpp) has already checked Host, the
// token and the origin (ui/request_guard.hpp) and sends /api/ elsewhere.
#include <string_view>

#include "fake-server/fake_server.hpp"
#include "fake-server/ui/request_guard.hpp"
#include "fake-server/ui/ui_reply.hpp"

namespace smtp::fake::ui {

struct UiRequest {
  std::string_view method;  // "GET", "POST", ...
  std::string_view target;  // "/sessions?peer=127.0.0.1"
  std::string_view body;
  std::string_view content_type;
};

UiReply route(FakeServer& server, const AccessPolicy& policy, const UiRequest& request);

// The answer to a request the guard refused: the login form for a 401,
// else a page that says why.
UiReply refusal_page(int status, std::string_view why);

}  // namespace smtp::fake::ui
