#pragma once
// Who may use the HTTP API and the web UI, for when they are reachable from
// elsewhere (`--api 0.0.0.0:8025` in a container; README "Exposing the API"):
//   - the Host header must name the address the connection arrived at,
//     "localhost" on loopback, or a name given with --api-host: a page of
//     another site whose name was rebound to this address (DNS rebinding)
//     sends its own name and is refused;
//   - with --api-token every request carries the token, as
//     "Authorization: Bearer TOKEN" or as the cookie the login form sets
//     (HttpOnly, SameSite=Strict), else 401;
//   - a request that changes state (any method but GET and HEAD) sent by a
//     browser names its origin: Origin (or, without it, Referer) must name
//     the host and port of the Host header, by http or https (a TLS proxy
//     that keeps the Host), else 403 (cross-site request forgery). A client
//     that sends neither is not a browser acting for a page, and passes.
// Standard library only: the HTTP layer hands over the header values.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtp::fake::ui {

struct AccessPolicy {
  std::vector<std::string> host_names;  // --api-host, as given
  std::string token;                    // --api-token; empty: no token needed
};

// The cookie the login form sets (ui/login_page.cpp).
inline constexpr std::string_view token_cookie = "fake_smtpd_token";
// The one path open without the token: the login form and its POST.
inline constexpr std::string_view login_path = "/login";

struct RequestFacts {
  std::string_view method;  // "GET", "POST", ...
  std::string_view path;    // without the query
  std::optional<std::string_view> host, origin, referer, authorization, cookie;
  std::string local_address;  // the address the connection arrived at ("127.0.0.1", "::1")
  bool local_is_loopback = false;
};

struct Refusal {
  int status;          // 400, 401 or 403
  std::string reason;  // one line, naming what was refused
};

std::optional<Refusal> check_request(const AccessPolicy& policy, const RequestFacts& request);

// The token compared in a time that does not depend on where they differ.
bool token_matches(const AccessPolicy& policy, std::string_view given);

// The host part of a Host header value ("[::1]:8025" → "::1", "A.b:80" → "a.b").
std::string host_of(std::string_view authority);

}  // namespace smtp::fake::ui
