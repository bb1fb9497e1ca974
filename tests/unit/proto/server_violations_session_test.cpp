// The deliberate violations of the server dialogue (server_violations.hpp)
// in commands and the session: EHLO/HELO, RSET, unknown commands, limits,
// parameters, enhanced codes, STARTTLS and AUTH. Each breaks its one
// requirement, and the requirement next to it still holds. The content ones
// (DATA, BDAT, SIZE) are in server_violations_test.cpp.
#include <gtest/gtest.h>

#include <string>

#include "proto/server_dialogue.hpp"
#include "proto/server_violations.hpp"
#include "server_session.hpp"

namespace smtp::proto::server_violations_session_test {
namespace {

using test::code_of;
using test::Session;
using test::violating;

// --- C7: unknown-command-closes ----------------------------------------------

TEST(ServerViolations, UnknownCommandGets500ThenClose) {  // C7
  Session s(violating("unknown-command-closes"));
  EXPECT_EQ(s.code("NOOP"), 250);
  const auto step = s.step("XYZZY");
  EXPECT_EQ(code_of(step.output), 500);
  EXPECT_TRUE(step.close);
  EXPECT_EQ(s.dialogue().state(), ServerState::closed);
  EXPECT_EQ(s.say("NOOP"), "");  // nothing more is answered
}

TEST(ServerViolations, KnownButBadCommandStillKeepsTheSession) {  // C7's neighbour
  Session s(violating("unknown-command-closes"));
  const auto step = s.step("DATA x");
  EXPECT_EQ(code_of(step.output), 501);
  EXPECT_FALSE(step.close);
  EXPECT_EQ(s.code("NOOP"), 250);
}

// --- X5: no-enhanced-codes -----------------------------------------------------

TEST(ServerViolations, EnhancedCodesAdvertisedButNotSent) {  // X5
  Session s(violating("no-enhanced-codes"));
  EXPECT_NE(s.say("EHLO client.example").find("250-ENHANCEDSTATUSCODES\r\n"), std::string::npos);
  EXPECT_FALSE(s.dialogue().enhanced_codes());
  EXPECT_EQ(s.say("MAIL FROM:<a@example.org>"), "250 Sender ok\r\n");
  EXPECT_EQ(s.say("RCPT TO:<b@example.org>"), "250 Recipient ok\r\n");
  EXPECT_EQ(s.say("VRFY x"),
            "252 Cannot VRFY user, but will accept message and attempt delivery\r\n");
  EXPECT_EQ(s.say("FOO"), "500 Command unrecognized\r\n");
}

// --- E7: ehlo-keeps-transaction ----------------------------------------------

TEST(ServerViolations, SecondEhloKeepsTheTransaction) {  // E7
  Session s(violating("ehlo-keeps-transaction"));
  s.ehlo();
  s.envelope();
  s.ehlo();
  EXPECT_EQ(s.code("DATA"), 354);
  EXPECT_EQ(s.data("x\r\n.\r\n").substr(0, 3), "250");
  ASSERT_EQ(s.delivered.size(), 1u);
  EXPECT_EQ(s.delivered[0].envelope.recipients.size(), 1u);
}

TEST(ServerViolations, EhloKeepsTransactionButRsetStillResets) {  // C2 still holds
  Session s(violating("ehlo-keeps-transaction"));
  s.ehlo();
  s.envelope();
  EXPECT_EQ(s.code("RSET"), 250);
  EXPECT_EQ(s.code("DATA"), 503);
}

// --- C2: rset-keeps-transaction ------------------------------------------------

TEST(ServerViolations, RsetAnswers250AndKeepsTheTransaction) {  // C2
  Session s(violating("rset-keeps-transaction"));
  s.ehlo();
  s.envelope();
  EXPECT_EQ(s.say("RSET"), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(s.code("DATA"), 354);
}

TEST(ServerViolations, RsetKeepsTransactionButEhloStillResets) {  // E7 still holds
  Session s(violating("rset-keeps-transaction"));
  s.ehlo();
  s.envelope();
  s.ehlo();
  EXPECT_EQ(s.code("DATA"), 503);
}

// --- A6: auth-twice ----------------------------------------------------------------

TEST(ServerViolations, SecondAuthIsAccepted) {  // A6
  Session s(violating("auth-twice"), true);
  s.ehlo();
  EXPECT_EQ(s.code("AUTH PLAIN AHUAcA=="), 235);  // "\0u\0p"
  EXPECT_EQ(s.code("AUTH PLAIN AHYAcQ=="), 235);  // "\0v\0q"
  EXPECT_EQ(s.dialogue().auth_user(), "v");
}

TEST(ServerViolations, AuthTwiceStillRefusesAuthInATransaction) {  // A6's other half
  Session s(violating("auth-twice"), true);
  s.ehlo();
  EXPECT_EQ(s.code("AUTH PLAIN AHUAcA=="), 235);
  ASSERT_EQ(s.code("MAIL FROM:<a@example.org>"), 250);
  EXPECT_EQ(s.code("AUTH PLAIN AHYAcQ=="), 503);
  EXPECT_EQ(s.dialogue().auth_user(), "u");
}

// --- T3: starttls-twice --------------------------------------------------------------

TEST(ServerViolations, StarttlsOfferedAndAcceptedInsideTls) {  // T3
  ServerConfig c = violating("starttls-twice");
  c.tls_available = true;
  Session s(c);
  s.ehlo();
  const auto step = s.step("STARTTLS");
  ASSERT_TRUE(step.start_tls);
  s.dialogue().on_tls_established();
  EXPECT_EQ(s.code("MAIL FROM:<a@example.org>"), 503);  // T3: state was reset
  EXPECT_NE(s.say("EHLO client.example").find("250-STARTTLS\r\n"), std::string::npos);
  const auto again = s.step("STARTTLS");
  EXPECT_EQ(again.output, "220 2.0.0 Ready to start TLS\r\n");
  EXPECT_TRUE(again.start_tls);
}

TEST(ServerViolations, StarttlsAnsweredInsideTlsWithoutBeingOffered) {  // T3, INFO
  ServerConfig c = violating("starttls-again");
  c.tls_available = true;
  Session s(c, true);
  EXPECT_EQ(s.say("EHLO client.example").find("STARTTLS"), std::string::npos);
  const auto again = s.step("STARTTLS");
  EXPECT_EQ(again.output, "220 2.0.0 Ready to start TLS\r\n");
  EXPECT_TRUE(again.start_tls);
}

TEST(ServerViolations, CorrectServerRefusesStarttlsInsideTls) {  // T3, the default
  ServerConfig c;
  c.tls_available = true;
  Session s(c, true);
  EXPECT_EQ(s.say("EHLO client.example").find("STARTTLS"), std::string::npos);
  EXPECT_EQ(s.code("STARTTLS"), 503);
}

// --- L1: short-command-lines ------------------------------------------------------------

TEST(ServerViolations, CommandLinesOver300OctetsAreRefused) {  // L1
  Session s(violating("short-command-lines"));
  s.ehlo();
  // 298 octets + CRLF = 300: the limit; one more is too long.
  EXPECT_EQ(s.code("NOOP " + std::string(293, 'x')), 250);
  EXPECT_EQ(s.say("NOOP " + std::string(294, 'x')), "500 5.5.2 Line too long\r\n");
  // The catalogue's 512-octet MAIL line.
  const std::string mail = "MAIL FROM:<" + std::string(510 - 12 - 12, 'a') + "@example.org>";
  ASSERT_EQ(mail.size() + 2, 512u);
  EXPECT_EQ(s.code(mail), 500);
  EXPECT_EQ(s.code("MAIL FROM:<a@example.org>"), 250);  // short lines still work
}

TEST(ServerViolations, CorrectServerTakesA512OctetLine) {  // L1, the default
  Session s;
  s.ehlo();
  EXPECT_EQ(s.code("NOOP " + std::string(505, 'x')), 250);  // 510 + CRLF = 512
}

// --- E2: ehlo-reply-to-helo -----------------------------------------------------------

TEST(ServerViolations, HeloGetsTheMultiLineEhloReply) {  // E2
  Session s(violating("ehlo-reply-to-helo"));
  const auto out = s.say("HELO client.example");
  EXPECT_EQ(out.substr(0, 4), "250-");
  EXPECT_NE(out.find("250-PIPELINING\r\n"), std::string::npos);
  // HELO still selects no extension (the session is not ESMTP).
  EXPECT_FALSE(s.dialogue().esmtp());
}

// --- E6: ehlo-without-domain ---------------------------------------------------------

TEST(ServerViolations, EhloWithoutDomainIsAccepted) {  // E6
  Session s(violating("ehlo-without-domain"));
  const auto out = s.say("EHLO");
  EXPECT_EQ(out.substr(0, 4), "250-");
  EXPECT_EQ(out.substr(0, 21), "250-fake-smtpd.test\r\n");
  EXPECT_EQ(s.dialogue().state(), ServerState::greeted);
  EXPECT_EQ(s.code("MAIL FROM:<a@example.org>"), 250);
}

TEST(ServerViolations, EhloWithoutDomainStillRefusesHeloWithout) {  // E6's neighbour
  Session s(violating("ehlo-without-domain"));
  EXPECT_EQ(s.code("HELO"), 501);
  EXPECT_EQ(s.code("MAIL FROM:<a@example.org>"), 503);
}

// --- E1: ehlo-keyword-equals ------------------------------------------------------

TEST(ServerViolations, EhloListsSizeWithAnEqualsSign) {  // E1
  Session s(violating("ehlo-keyword-equals"));
  const auto out = s.say("EHLO client.example");
  EXPECT_NE(out.find("250-SIZE=33554432\r\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("SIZE "), std::string::npos) << out;
  EXPECT_NE(out.find("250-PIPELINING\r\n"), std::string::npos) << out;  // the rest as usual
}

TEST(ServerViolations, SizeWithEqualsStillEnforcesTheLimit) {  // X1 still holds
  ServerConfig c = violating("ehlo-keyword-equals");
  c.max_message_size = 1000;
  Session s(c);
  s.ehlo();
  EXPECT_EQ(s.code("MAIL FROM:<a@example.org> SIZE=1001"), 552);
}

// --- C8: unknown-mail-parameter-ignored ---------------------------------------------

TEST(ServerViolations, UnknownMailParameterIsIgnored) {  // C8
  Session s(violating("unknown-mail-parameter-ignored"));
  s.ehlo();
  EXPECT_EQ(s.say("MAIL FROM:<a@example.org> FOO=BAR"), "250 2.1.0 Sender ok\r\n");
  EXPECT_EQ(s.code("RCPT TO:<b@example.net>"), 250);  // the transaction is open
}

TEST(ServerViolations, IgnoredParametersStillCheckKnownValues) {  // X1, X2, X4 still hold
  Session s(violating("unknown-mail-parameter-ignored"));
  s.ehlo();
  EXPECT_EQ(s.code("MAIL FROM:<a@example.org> SIZE=abc"), 501);
  EXPECT_EQ(s.code("MAIL FROM:<a@example.org> BODY=FOO"), 501);
  EXPECT_EQ(s.code("MAIL FROM:<a@example.org> RET=X"), 501);
  ASSERT_EQ(s.code("MAIL FROM:<a@example.org>"), 250);
  EXPECT_EQ(s.code("RCPT TO:<b@example.net> FOO=BAR"), 555);  // RCPT is unchanged
}

TEST(ServerViolations, CorrectServerRefusesAnUnknownMailParameter) {  // C8, the default
  Session s;
  s.ehlo();
  EXPECT_EQ(s.code("MAIL FROM:<a@example.org> FOO=BAR"), 555);
}

// --- X2: unknown-body-accepted ---------------------------------------------------------

TEST(ServerViolations, UnknownBodyValueIsAccepted) {  // X2
  Session s(violating("unknown-body-accepted"));
  s.ehlo();
  EXPECT_EQ(s.code("MAIL FROM:<a@example.org> BODY=FOO"), 250);
  EXPECT_EQ(s.dialogue().envelope().body, Envelope{}.body);  // as if none were given
}

TEST(ServerViolations, UnknownBodyStillTakesTheKnownValues) {  // X2's other parts
  Session s(violating("unknown-body-accepted"));
  s.ehlo();
  ASSERT_EQ(s.code("MAIL FROM:<a@example.org> BODY=8BITMIME"), 250);
  EXPECT_EQ(s.dialogue().envelope().body, BodyType::eight_bit_mime);
  EXPECT_EQ(s.code("RSET"), 250);
  ASSERT_EQ(s.code("MAIL FROM:<a@example.org> BODY=7bit"), 250);
  EXPECT_EQ(s.dialogue().envelope().body, BodyType::seven_bit);
}

// --- T2: starttls-ignores-argument ---------------------------------------------------------

TEST(ServerViolations, StarttlsWithAnArgumentStartsTls) {  // T2
  ServerConfig c = violating("starttls-ignores-argument");
  c.tls_available = true;
  Session s(c);
  s.ehlo();
  const auto step = s.step("STARTTLS x");
  EXPECT_EQ(step.output, "220 2.0.0 Ready to start TLS\r\n");
  EXPECT_TRUE(step.start_tls);
}

TEST(ServerViolations, StarttlsArgumentStillRefusesOtherArguments) {  // C4 still holds
  ServerConfig c = violating("starttls-ignores-argument");
  c.tls_available = true;
  Session s(c);
  s.ehlo();
  EXPECT_EQ(s.code("RSET x"), 501);
  EXPECT_EQ(s.code("QUIT x"), 501);
}

TEST(ServerViolations, CorrectServerRefusesStarttlsWithAnArgument) {  // T2, the default
  ServerConfig c;
  c.tls_available = true;
  Session s(c);
  s.ehlo();
  const auto step = s.step("STARTTLS x");
  EXPECT_EQ(code_of(step.output), 501);
  EXPECT_FALSE(step.start_tls);
}

// --- A3: auth-cancel-not-501 -------------------------------------------------------------

TEST(ServerViolations, CancelledAuthGets535) {  // A3
  Session s(violating("auth-cancel-not-501"), true);
  s.ehlo();
  EXPECT_EQ(s.code("AUTH LOGIN"), 334);
  EXPECT_EQ(s.say("*"), "535 5.7.8 Authentication credentials invalid\r\n");
  EXPECT_EQ(s.code("AUTH PLAIN AHUAcA=="), 235);  // AUTH itself still works
}

TEST(ServerViolations, CorrectServerCancelsAuthWith501) {  // A3, the default
  Session s({}, true);
  s.ehlo();
  EXPECT_EQ(s.code("AUTH LOGIN"), 334);
  EXPECT_EQ(s.code("*"), 501);
}

// --- A4: auth-bad-base64-535 ---------------------------------------------------------------

TEST(ServerViolations, InitialResponseNotBase64Gets535) {  // A4
  Session s(violating("auth-bad-base64-535"), true);
  s.ehlo();
  EXPECT_EQ(s.say("AUTH PLAIN !!!not-base64!!!"),
            "535 5.7.8 Authentication credentials invalid\r\n");
  EXPECT_EQ(s.code("AUTH PLAIN AHUAcA=="), 235);
}

TEST(ServerViolations, BadBase64InsideTheExchangeIsStill501) {  // A4's other path
  Session s(violating("auth-bad-base64-535"), true);
  s.ehlo();
  EXPECT_EQ(s.code("AUTH LOGIN"), 334);
  EXPECT_EQ(s.code("!!!not-base64!!!"), 501);
}

// --- A7: auth-empty-response-accepted ------------------------------------------------------

TEST(ServerViolations, EmptyResponseLogsIn) {  // A7
  ServerConfig c = violating("auth-empty-response-accepted");
  c.users = {{"alice", "wonderland"}};
  Session s(c, true);
  s.ehlo();
  EXPECT_EQ(s.code("AUTH PLAIN ="), 235);
  EXPECT_TRUE(s.dialogue().authenticated());
}

TEST(ServerViolations, EmptyResponseStillChecksRealCredentials) {  // A5 still holds
  ServerConfig c = violating("auth-empty-response-accepted");
  c.users = {{"alice", "wonderland"}};
  Session s(c, true);
  s.ehlo();
  EXPECT_EQ(s.code("AUTH PLAIN AGFsaWNlAHdyb25n"), 535);  // "\0alice\0wrong"
  EXPECT_FALSE(s.dialogue().authenticated());
}

TEST(ServerViolations, CorrectServerRefusesAnEmptyPlainResponse) {  // A7, the default
  Session s({}, true);
  s.ehlo();
  EXPECT_EQ(s.code("AUTH PLAIN ="), 501);
}

// --- X3: smtputf8-without-8bitmime -------------------------------------------------------------

TEST(ServerViolations, SmtputfIsAdvertisedWithout8BitMime) {  // X3
  Session s(violating("smtputf8-without-8bitmime"));
  const auto ehlo = s.say("EHLO client.example");
  EXPECT_NE(ehlo.find("SMTPUTF8"), std::string::npos);
  EXPECT_EQ(ehlo.find("8BITMIME"), std::string::npos);
  // Both are still taken: only the announcement is missing.
  EXPECT_EQ(s.code("MAIL FROM:<j\xc3\xb6rg@example.de> SMTPUTF8 BODY=8BITMIME"), 250);
  EXPECT_EQ(s.code("RSET"), 250);
  EXPECT_EQ(s.code("MAIL FROM:<j\xc3\xb6rg@example.de>"), 553);  // no SMTPUTF8: refused
}

TEST(ServerViolations, CorrectServerAnnounces8BitMimeWithSmtputf) {  // X3, the default
  Session s;
  const auto ehlo = s.say("EHLO client.example");
  EXPECT_NE(ehlo.find("SMTPUTF8"), std::string::npos);
  EXPECT_NE(ehlo.find("8BITMIME"), std::string::npos);
}

}  // namespace
}  // namespace smtp::proto::server_violations_session_test
