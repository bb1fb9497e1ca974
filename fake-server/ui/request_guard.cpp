#include "fake-server/ui/request_guard.hpp"

#include <algorithm>

#include "proto/ascii.hpp"
#include "proto/escape.hpp"

namespace smtp::fake::ui {
namespace {

bool host_allowed(const AccessPolicy& policy, const RequestFacts& request, std::string_view host) {
  if (host.empty()) return false;
  if (host == proto::to_lower_ascii(request.local_address)) return true;
  if (host == "localhost" && request.local_is_loopback) return true;
  return std::any_of(policy.host_names.begin(), policy.host_names.end(),
                     [&](const std::string& name) { return host_of(name) == host; });
}

// "Bearer TOKEN" (RFC 6750 §2.1; the scheme is case-insensitive, RFC 9110 §11.1).
std::optional<std::string_view> bearer(std::string_view authorization) {
  constexpr std::string_view scheme = "bearer ";
  if (authorization.size() <= scheme.size() ||
      !proto::iequals(authorization.substr(0, scheme.size()), scheme)) {
    return std::nullopt;
  }
  auto token = authorization.substr(scheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  return token;
}

// The value of one cookie in a Cookie header ("a=1; b=2", RFC 6265 §4.2.1).
std::optional<std::string_view> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    auto pair = header.substr(0, semi);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

bool authenticated(const AccessPolicy& policy, const RequestFacts& request) {
  if (request.authorization) {
    if (const auto given = bearer(*request.authorization); given && token_matches(policy, *given))
      return true;
  }
  if (request.cookie) {
    if (const auto given = cookie_value(*request.cookie, token_cookie);
        given && token_matches(policy, *given)) {
      return true;
    }
  }
  return false;
}

// The "host:port" of an http or https Origin, or of a Referer's prefix;
// anything else (Origin "null", another scheme) as it is, which no Host
// matches. Either scheme: the API speaks HTTP, and behind a TLS proxy (the
// README's advice) the browser names https and the proxy's Host.
std::string origin_authority(std::string_view url) {
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (url.size() >= scheme.size() && proto::iequals(url.substr(0, scheme.size()), scheme)) {
      const auto rest = url.substr(scheme.size());
      return proto::to_lower_ascii(rest.substr(0, rest.find('/')));
    }
  }
  return std::string(url);
}

bool changes_state(std::string_view method) {
  return method != "GET" && method != "HEAD";
}

}  // namespace

std::string host_of(std::string_view authority) {
  std::string_view host = authority;
  if (host.starts_with('[')) {
    host = host.substr(
        1, host.find(']') == std::string_view::npos ? host.size() - 1 : host.find(']') - 1);
  } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (host.ends_with('.')) host.remove_suffix(1);  // "localhost." is "localhost"
  return proto::to_lower_ascii(host);
}

bool token_matches(const AccessPolicy& policy, std::string_view given) {
  const std::string_view want = policy.token;
  // Every octet of the longer one is looked at, whatever the first difference.
  unsigned difference = want.size() == given.size() ? 0U : 1U;
  const std::size_t n = std::max(want.size(), given.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto a = i < want.size() ? static_cast<unsigned char>(want[i]) : 0U;
    const auto b = i < given.size() ? static_cast<unsigned char>(given[i]) : 0U;
    difference |= a ^ b;
  }
  return difference == 0 && !want.empty();
}

std::optional<Refusal> check_request(const AccessPolicy& policy, const RequestFacts& request) {
  // RFC 9112 §3.2: a request without Host gets 400.
  if (!request.host) return Refusal{400, "no Host header"};
  const std::string host = host_of(*request.host);
  if (!host_allowed(policy, request, host)) {
    return Refusal{403, "Host '" + proto::escape_bytes(*request.host, 200) +
                            "' is not this server's address nor a name given with --api-host"};
  }
  if (!policy.token.empty() && request.path != login_path && !authenticated(policy, request)) {
    return Refusal{401,
                   "this server needs its --api-token: Authorization: Bearer TOKEN, or "
                   "log in at /login"};
  }
  if (changes_state(request.method)) {
    const std::string own = proto::to_lower_ascii(*request.host);
    if (request.origin) {
      if (origin_authority(*request.origin) != own) {
        return Refusal{403, "cross-origin " + std::string(request.method) + " refused: Origin '" +
                                proto::escape_bytes(*request.origin, 200) +
                                "' does not name this server (Host " +
                                proto::escape_bytes(*request.host, 200) + ")"};
      }
    } else if (request.referer && origin_authority(*request.referer) != own) {
      return Refusal{403, "cross-origin " + std::string(request.method) + " refused: Referer '" +
                              proto::escape_bytes(*request.referer, 200) +
                              "' does not name this server (Host " +
                              proto::escape_bytes(*request.host, 200) + ")"};
    }
  }
  return std::nullopt;
}

}  // namespace smtp::fake::ui
