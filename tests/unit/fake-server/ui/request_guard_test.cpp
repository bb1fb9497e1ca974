#include "fake-server/ui/request_guard.hpp"

#include <gtest/gtest.h>

namespace smtp::fake::ui::request_guard_test {
namespace {

RequestFacts get(std::string_view host) {
  RequestFacts r;
  r.method = "GET";
  r.path = "/sessions";
  r.host = host;
  r.local_address = "127.0.0.1";
  r.local_is_loopback = true;
  return r;
}

RequestFacts post(std::string_view host) {
  auto r = get(host);
  r.method = "POST";
  r.path = "/rules";
  return r;
}

int status(const AccessPolicy& policy, const RequestFacts& r) {
  const auto refusal = check_request(policy, r);
  return refusal ? refusal->status : 200;
}

TEST(RequestGuard, HostMustNameTheListeningAddressOrAGivenName) {
  const AccessPolicy none;
  EXPECT_EQ(status(none, get("127.0.0.1:8025")), 200);
  EXPECT_EQ(status(none, get("127.0.0.1")), 200);
  EXPECT_EQ(status(none, get("localhost:8025")), 200);
  EXPECT_EQ(status(none, get("LocalHost.:8025")), 200);
  // DNS rebinding: another site's name resolved to this address.
  EXPECT_EQ(status(none, get("evil.example:8025")), 403);
  EXPECT_EQ(status(none, get("127.0.0.2:8025")), 403);
  EXPECT_EQ(status(none, get("")), 403);
  auto no_host = get("x");
  no_host.host.reset();
  EXPECT_EQ(status(none, no_host), 400);

  const AccessPolicy named{{"mail-test.internal", "Other.Example:9000"}, {}};
  EXPECT_EQ(status(named, get("mail-test.internal:8025")), 200);
  EXPECT_EQ(status(named, get("other.example")), 200);
  EXPECT_EQ(status(named, get("mail-test.internal.evil.example")), 403);
}

TEST(RequestGuard, LocalhostOnlyOnLoopbackAndIpv6Literals) {
  auto r = get("localhost:8025");
  r.local_address = "172.17.0.2";
  r.local_is_loopback = false;
  EXPECT_EQ(status({}, r), 403);
  r.host = "172.17.0.2:8025";
  EXPECT_EQ(status({}, r), 200);
  auto v6 = get("[::1]:8025");
  v6.local_address = "::1";
  EXPECT_EQ(status({}, v6), 200);
  EXPECT_EQ(host_of("[::1]:8025"), "::1");
  EXPECT_EQ(host_of("[::1]"), "::1");
  EXPECT_EQ(host_of("A.Example:80"), "a.example");
}

TEST(RequestGuard, TheRefusalNamesTheHostEscaped) {
  const auto refusal = check_request({}, get("evil\x1b[31m.example"));
  ASSERT_TRUE(refusal);
  EXPECT_NE(refusal->reason.find("evil\\x1b[31m.example"), std::string::npos) << refusal->reason;
  EXPECT_NE(refusal->reason.find("--api-host"), std::string::npos);
}

TEST(RequestGuard, StateChangesFromAnotherOriginAreRefused) {
  const AccessPolicy none;
  auto r = post("127.0.0.1:8025");
  EXPECT_EQ(status(none, r), 200) << "no Origin, no Referer: not a browser";
  r.origin = "http://127.0.0.1:8025";
  EXPECT_EQ(status(none, r), 200);
  r.origin = "http://evil.example";
  EXPECT_EQ(status(none, r), 403);
  r.origin = "null";  // a sandboxed frame, a data: URL
  EXPECT_EQ(status(none, r), 403);
  r.origin = "http://127.0.0.1:8026";  // another port is another origin
  EXPECT_EQ(status(none, r), 403);
  // Behind a TLS proxy that keeps the Host, the page's origin is https.
  r.origin = "https://127.0.0.1:8025";
  EXPECT_EQ(status(none, r), 200);
  r.origin = "HTTPS://127.0.0.1:8025";
  EXPECT_EQ(status(none, r), 200);
  r.origin = "ftp://127.0.0.1:8025";
  EXPECT_EQ(status(none, r), 403);
  r.origin.reset();
  r.referer = "http://127.0.0.1:8025/rules";
  EXPECT_EQ(status(none, r), 200);
  r.referer = "http://evil.example/page";
  EXPECT_EQ(status(none, r), 403);
  r.referer = "http://127.0.0.1:8025.evil.example/";
  EXPECT_EQ(status(none, r), 403);
  // A GET changes nothing: a link from another site may open a page.
  auto g = get("127.0.0.1:8025");
  g.origin = "http://evil.example";
  EXPECT_EQ(status(none, g), 200);
  const auto refusal = check_request(none, [&] {
    auto p = post("127.0.0.1:8025");
    p.origin = "http://evil.example";
    return p;
  }());
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->reason,
            "cross-origin POST refused: Origin 'http://evil.example' does not name this server "
            "(Host 127.0.0.1:8025)");
}

TEST(RequestGuard, TokenAsBearerOrCookieElse401) {
  const AccessPolicy policy{{}, "s3cret-Token"};
  auto r = get("127.0.0.1:8025");
  EXPECT_EQ(status(policy, r), 401);
  r.authorization = "Bearer s3cret-Token";
  EXPECT_EQ(status(policy, r), 200);
  r.authorization = "bearer   s3cret-Token";
  EXPECT_EQ(status(policy, r), 200);
  r.authorization = "Bearer s3cret-Toke";
  EXPECT_EQ(status(policy, r), 401);
  r.authorization = "Bearer s3cret-Token2";
  EXPECT_EQ(status(policy, r), 401);
  r.authorization = "Basic czNjcmV0LVRva2Vu";
  EXPECT_EQ(status(policy, r), 401);
  r.authorization.reset();
  r.cookie = "a=1; fake_smtpd_token=s3cret-Token; b=2";
  EXPECT_EQ(status(policy, r), 200);
  r.cookie = "fake_smtpd_token=wrong";
  EXPECT_EQ(status(policy, r), 401);
  // The login form is open without it, and a foreign Host is still refused first.
  auto login = post("127.0.0.1:8025");
  login.path = login_path;
  EXPECT_EQ(status(policy, login), 200);
  EXPECT_EQ(status(policy, get("evil.example")), 403);
}

TEST(RequestGuard, AnEmptyTokenMatchesNothing) {
  EXPECT_FALSE(token_matches({}, ""));
  EXPECT_FALSE(token_matches({{}, "x"}, ""));
  EXPECT_TRUE(token_matches({{}, "x"}, "x"));
}

}  // namespace
}  // namespace smtp::fake::ui::request_guard_test
