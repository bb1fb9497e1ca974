// STARTTLS and AUTH in the server dialogue (server_auth.cpp, RFC 3207, RFC 4954).
#include <gtest/gtest.h>

#include <string>

#include "proto/base64.hpp"
#include "proto/server_dialogue.hpp"
#include "server_session.hpp"

namespace smtp::proto::server_auth_test {
namespace {

using test::code_of;
using test::Session;

TEST(ServerDialogue, StarttlsResetsEverything) {  // T1, T3
  ServerConfig c;
  c.tls_available = true;
  Session s(c);
  EXPECT_NE(s.say("EHLO c").find("250 STARTTLS\r\n"), std::string::npos);  // the last line
  auto step = s.step("STARTTLS");
  EXPECT_EQ(step.output, "220 2.0.0 Ready to start TLS\r\n");
  EXPECT_TRUE(step.start_tls);
  EXPECT_EQ(s.dialogue().input_mode(), InputMode::none);
  s.dialogue().on_tls_established();
  EXPECT_TRUE(s.dialogue().tls_active());
  EXPECT_EQ(s.code("MAIL FROM:<a@example.org>"), 503);  // EHLO forgotten
  const auto ehlo = s.say("EHLO c");
  EXPECT_EQ(ehlo.find("STARTTLS"), std::string::npos);
  EXPECT_NE(ehlo.find("AUTH PLAIN LOGIN"), std::string::npos);  // now inside TLS
  EXPECT_EQ(s.code("STARTTLS"), 503);
}

TEST(ServerDialogue, StarttlsWithoutTlsContextIs502) {
  Session s;
  s.ehlo();
  EXPECT_EQ(s.code("STARTTLS"), 502);
}

class Auth : public ::testing::Test {
 protected:
  Auth() : s_(config(), true) { s_.ehlo(); }
  static ServerConfig config() {
    ServerConfig c;
    c.users = {{"user", "secret"}};
    return c;
  }
  Session s_;
};

TEST_F(Auth, NotOfferedInClearTextAnd538) {  // A1
  Session clear;
  EXPECT_EQ(clear.say("EHLO c").find("AUTH"), std::string::npos);
  EXPECT_EQ(clear.code("AUTH PLAIN AHVzZXIAc2VjcmV0"), 538);
}

TEST_F(Auth, OfferedInClearTextWhenAllowed) {
  ServerConfig c;
  c.auth_cleartext = true;
  Session s(c);
  EXPECT_NE(s.say("EHLO c").find("250 AUTH PLAIN LOGIN\r\n"), std::string::npos);
  EXPECT_EQ(s.code("AUTH PLAIN " + base64_encode(std::string("\0u\0p", 4))), 235);
}

TEST_F(Auth, UnknownMechanismIs504) {
  EXPECT_EQ(s_.code("AUTH NOPE"), 504);
}  // A2

TEST_F(Auth, CancelIs501) {  // A3
  EXPECT_EQ(s_.say("AUTH PLAIN"), "334 \r\n");
  EXPECT_TRUE(s_.dialogue().expecting_secret());
  EXPECT_EQ(s_.say("*").substr(0, 9), "501 5.0.0");
  EXPECT_EQ(s_.code("NOOP"), 250);
}

TEST_F(Auth, InvalidBase64Is501) {  // A4
  EXPECT_EQ(s_.say("AUTH PLAIN %%%%").substr(0, 9), "501 5.5.2");
}

TEST_F(Auth, WrongThenRightCredentials) {  // A5
  EXPECT_EQ(s_.say("AUTH PLAIN " + base64_encode(std::string("\0user\0wrong", 11))).substr(0, 9),
            "535 5.7.8");
  EXPECT_EQ(s_.say("AUTH PLAIN " + base64_encode(std::string("\0user\0secret", 12))),
            "235 2.7.0 Authentication successful\r\n");
  EXPECT_TRUE(s_.dialogue().authenticated());
  EXPECT_EQ(s_.dialogue().auth_user(), "user");
}

TEST_F(Auth, AuthTwiceAndDuringTransactionAre503) {  // A6
  ASSERT_EQ(s_.code("AUTH PLAIN " + base64_encode(std::string("\0user\0secret", 12))), 235);
  EXPECT_EQ(s_.code("AUTH PLAIN " + base64_encode(std::string("\0user\0secret", 12))), 503);
  Session fresh(config(), true);
  fresh.ehlo();
  ASSERT_EQ(fresh.code("MAIL FROM:<a@example.org>"), 250);
  EXPECT_EQ(fresh.code("AUTH PLAIN " + base64_encode(std::string("\0user\0secret", 12))), 503);
}

TEST_F(Auth, EmptyInitialResponseAndLongResponseAreHandled) {  // A7
  EXPECT_EQ(s_.code("AUTH PLAIN ="), 501);  // empty: no NULs, a malformed PLAIN message
  const std::string big = base64_encode(std::string(9000, 'x'));  // 12000 octets encoded
  ASSERT_EQ(big.size(), 12000u);
  EXPECT_EQ(s_.code("AUTH PLAIN " + big), 501);
  EXPECT_EQ(s_.code("NOOP"), 250);
}

TEST_F(Auth, OverlongExchangeLineIs500_5_5_6) {  // RFC 4954 §6
  s_.say("AUTH PLAIN");
  EXPECT_EQ(s_.dialogue().on_line_too_long().output.substr(0, 9), "500 5.5.6");
  EXPECT_EQ(s_.say("AUTH PLAIN " + std::string(13000, 'A')).substr(0, 9), "500 5.5.6");
}

TEST_F(Auth, LoginMechanism) {
  EXPECT_EQ(s_.say("AUTH LOGIN"), "334 VXNlcm5hbWU6\r\n");
  EXPECT_EQ(s_.say(base64_encode("user")), "334 UGFzc3dvcmQ6\r\n");
  EXPECT_EQ(s_.code(base64_encode("secret")), 235);
}

TEST_F(Auth, LoginWithInitialUserName) {
  EXPECT_EQ(s_.say("AUTH LOGIN " + base64_encode("user")), "334 UGFzc3dvcmQ6\r\n");
  EXPECT_EQ(s_.code(base64_encode("bad")), 535);
}

TEST_F(Auth, AnyCredentialsWithoutUserList) {
  Session s(ServerConfig{}, true);
  s.ehlo();
  EXPECT_EQ(s.code("AUTH PLAIN " + base64_encode(std::string("\0who\0ever", 9))), 235);
}

TEST_F(Auth, MailParameterAuthAccepted) {  // A8
  EXPECT_EQ(s_.code("MAIL FROM:<a@b.example> AUTH=<>"), 250);
}

TEST_F(Auth, SecretsAreRedacted) {
  EXPECT_EQ(s_.dialogue().redact("AUTH PLAIN AHVzZXIAc2VjcmV0"), "AUTH PLAIN <redacted>");
  EXPECT_EQ(s_.dialogue().redact("auth login dXNlcg=="), "auth login <redacted>");
  EXPECT_EQ(s_.dialogue().redact("AUTH LOGIN"), "AUTH LOGIN");
  s_.say("AUTH LOGIN");
  EXPECT_EQ(s_.dialogue().redact("dXNlcg=="), "<redacted>");
}

}  // namespace
}  // namespace smtp::proto::server_auth_test
