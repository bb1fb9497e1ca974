// The server dialogue's commands and states against the RFC behaviour the
// compliance catalogue expects (docs/CONFORMANCE.md ids in the comments).
#include "proto/server_dialogue.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "proto/ascii.hpp"
#include "proto/reply_parser.hpp"
#include "server_session.hpp"

namespace smtp::proto::server_dialogue_test {
namespace {

using test::code_of;
using test::Session;

TEST(ServerDialogue, GreetsWith220AndHostname) {  // G1
  ServerConfig c;
  c.hostname = "mx.test";
  Session s(c);
  EXPECT_EQ(s.greeting, "220 mx.test ESMTP fake-smtpd ready\r\n");
}

TEST(ServerDialogue, EhloAdvertisesEnabledExtensionsOnePerLine) {  // E1
  Session s;
  const auto out = s.say("EHLO client.example");
  EXPECT_EQ(out.substr(0, 4), "250-");
  for (auto kw : {"PIPELINING", "SIZE 33554432", "8BITMIME", "SMTPUTF8", "DSN",
                  "ENHANCEDSTATUSCODES", "CHUNKING"}) {
    EXPECT_NE(out.find(std::string("250-") + kw + "\r\n"), std::string::npos) << kw;
  }
  EXPECT_EQ(out.find("STARTTLS"), std::string::npos);  // no TLS context
  EXPECT_EQ(out.find("AUTH"), std::string::npos);      // A1: not in clear text
}

TEST(ServerDialogue, EveryKeywordCanBeSwitchedOff) {
  ServerConfig c;
  c.extensions = {false, false, false, false, false, false, false, false, false, false, false};
  Session s(c);
  EXPECT_EQ(s.say("EHLO client.example"), "250 fake-smtpd.test Hello client.example\r\n");
}

// RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets with its CRLF. A
// 505-octet EHLO name still fits a 512-octet command line; echoed in the
// greeting it would not (found by the server_dialogue fuzz target), so the
// greeting keeps it only while the line fits.
TEST(ServerDialogue, EhloGreetingFitsTheReplyLineLimit) {
  for (const std::size_t length : {484u, 485u, 505u}) {
    const std::string name(length, 'a');
    const auto out = Session().say("EHLO " + name);
    ReplyParser parser(ReplyParser::Limits{512, 100});
    parser.feed(out);
    const auto reply = parser.next();
    ASSERT_TRUE(std::holds_alternative<Reply>(reply)) << length;
    const auto& first = std::get<Reply>(reply).lines.front().text;
    EXPECT_EQ(first, length <= 484 ? "fake-smtpd.test Hello " + name : "fake-smtpd.test") << length;
  }
}

// The keywords of the EHLO reply, in order ("SIZE 33554432" gives "SIZE").
std::vector<std::string> ehlo_keywords(const std::string& reply) {
  std::vector<std::string> keywords;
  std::size_t at = reply.find("\r\n");  // the first line is the greeting
  while (at != std::string::npos && at + 2 < reply.size()) {
    const std::size_t start = at + 2 + 4;  // "250-" or "250 "
    const std::size_t end = reply.find("\r\n", start);
    const std::string line = reply.substr(start, end - start);
    keywords.push_back(line.substr(0, line.find_first_of(" =")));
    at = end;
  }
  return keywords;
}

// kExtensionKeywords is the one list: with everything offered (TLS possible,
// AUTH allowed in clear text) the reply holds its keywords in its order, and
// switching one off by name takes exactly that one away.
TEST(ServerDialogue, EhloAdvertisesTheKeywordListInOrder) {
  ServerConfig c;
  c.tls_available = true;
  c.auth_cleartext = true;
  std::vector<std::string> all;
  for (const auto& [keyword, enabled] : kExtensionKeywords) all.emplace_back(keyword);
  EXPECT_EQ(ehlo_keywords(Session(c).say("EHLO client.example")), all);
  for (const auto& [keyword, enabled] : kExtensionKeywords) {
    ServerConfig off = c;
    ASSERT_TRUE(set_extension(off.extensions, to_lower_ascii(keyword), false)) << keyword;
    std::vector<std::string> expected;
    for (const auto& name : all) {
      // RFC 6531 §3.1: SMTPUTF8 goes with 8BITMIME.
      const bool gone = name == keyword || (keyword == "8BITMIME" && name == "SMTPUTF8");
      if (!gone) expected.push_back(name);
    }
    EXPECT_EQ(ehlo_keywords(Session(off).say("EHLO client.example")), expected) << keyword;
  }
  EXPECT_FALSE(set_extension(c.extensions, "XCLIENT", false));
  EXPECT_EQ(extension_keywords(),
            "PIPELINING SIZE 8BITMIME SMTPUTF8 DSN ENHANCEDSTATUSCODES CHUNKING VRFY HELP "
            "STARTTLS AUTH");
}

TEST(ServerDialogue, SmtputfNeedsEightBitMime) {  // RFC 6531 §3.1
  ServerConfig c;
  c.extensions.eight_bit_mime = false;
  Session s(c);
  EXPECT_EQ(s.say("EHLO c").find("SMTPUTF8"), std::string::npos);
}

// E2: one line. X5.helo: the replies after HELO carry enhanced codes all the
// same (RFC 2034 §4), the greeting and the HELO reply none (§3).
TEST(ServerDialogue, HeloIsOneLineAndLaterRepliesKeepEnhancedCodes) {
  Session s;
  EXPECT_EQ(s.dialogue().encode(ServerReply::greeting),
            "220 fake-smtpd.test ESMTP fake-smtpd ready\r\n");
  EXPECT_EQ(s.say("HELO client.example"), "250 fake-smtpd.test\r\n");
  EXPECT_EQ(s.say("MAIL FROM:<a@example.org>"), "250 2.1.0 Sender ok\r\n");
}

TEST(ServerDialogue, EnhancedCodesAfterEhlo) {  // X5
  Session s;
  s.ehlo();
  EXPECT_EQ(s.say("MAIL FROM:<a@example.org>"), "250 2.1.0 Sender ok\r\n");
  EXPECT_EQ(s.say("RCPT TO:<b@example.org>"), "250 2.1.5 Recipient ok\r\n");
  EXPECT_EQ(s.say("DATA"), "354 End data with <CR><LF>.<CR><LF>\r\n");  // 3xx: none
}

TEST(ServerDialogue, LowerCaseVerbsWork) {  // E3
  Session s;
  EXPECT_EQ(s.code("ehlo client.example"), 250);
  EXPECT_EQ(s.code("mail from:<a@example.org>"), 250);
  EXPECT_EQ(s.code("Rcpt To:<b@example.org>"), 250);
}

TEST(ServerDialogue, EhloWithoutArgumentIs501AndStateUnchanged) {  // E6
  Session s;
  s.ehlo();
  s.envelope();
  EXPECT_EQ(s.code("EHLO"), 501);
  EXPECT_EQ(s.code("DATA"), 354);  // the transaction survived
}

TEST(ServerDialogue, SecondEhloResetsTransaction) {  // E7
  Session s;
  s.ehlo();
  s.envelope();
  s.ehlo();
  EXPECT_EQ(s.code("DATA"), 503);
}

TEST(ServerDialogue, NoopWithAndWithoutArgument) {  // C1
  Session s;
  EXPECT_EQ(s.code("NOOP"), 250);
  EXPECT_EQ(s.code("NOOP xyz"), 250);
}

TEST(ServerDialogue, RsetAbortsTransactionKeepsSession) {  // C2
  Session s;
  s.ehlo();
  s.envelope();
  EXPECT_EQ(s.code("RSET"), 250);
  EXPECT_EQ(s.code("DATA"), 503);
  EXPECT_EQ(s.code("MAIL FROM:<a@example.org>"), 250);
}

TEST(ServerDialogue, QuitAnswers221AndCloses) {  // C3
  Session s;
  auto step = s.step("QUIT");
  EXPECT_EQ(code_of(step.output), 221);
  EXPECT_TRUE(step.close);
  EXPECT_EQ(s.dialogue().input_mode(), InputMode::none);
}

TEST(ServerDialogue, ArgumentsWhereNoneAllowedAre501) {  // C4, T2
  ServerConfig c;
  c.tls_available = true;
  Session s(c);
  s.ehlo();
  EXPECT_EQ(s.code("RSET x"), 501);
  EXPECT_EQ(s.code("DATA x"), 501);
  EXPECT_EQ(s.code("QUIT x"), 501);
  EXPECT_EQ(s.code("STARTTLS x"), 501);
}

TEST(ServerDialogue, HelpAndVrfy) {  // C5, C6
  Session s;
  EXPECT_EQ(s.code("HELP"), 214);
  EXPECT_EQ(s.code("VRFY nobody-xyz"), 252);  // never a false 250
  EXPECT_EQ(s.code("EXPN staff"), 502);       // E5: not advertised
}

TEST(ServerDialogue, UnknownVerbIs500AndSessionSurvives) {  // C7
  Session s;
  EXPECT_EQ(s.code("FROBNICATE now"), 500);
  EXPECT_EQ(s.code("NOOP"), 250);
}

TEST(ServerDialogue, UnknownMailParameterIs555) {  // C8
  Session s;
  s.ehlo();
  EXPECT_EQ(s.say("MAIL FROM:<a@b.example> FOO=BAR").substr(0, 9), "555 5.5.4");
}

TEST(ServerDialogue, BadDomainIs501) {  // C10
  Session s;
  s.ehlo();
  ASSERT_EQ(s.code("MAIL FROM:<a@example.org>"), 250);
  EXPECT_EQ(s.say("RCPT TO:<u@exa_mple.com>").substr(0, 9), "501 5.1.3");
}

TEST(ServerDialogue, SequenceErrors) {  // S1, S2, S3, S5
  Session s;
  s.ehlo();
  EXPECT_EQ(s.code("RCPT TO:<b@example.org>"), 503);  // S1
  EXPECT_EQ(s.code("DATA"), 503);                     // S2, no MAIL
  EXPECT_EQ(s.code("MAIL FROM:<a@example.org>"), 250);
  EXPECT_EQ(s.code("DATA"), 554);                       // S2, no RCPT: never 354
  EXPECT_EQ(s.code("MAIL FROM:<a@example.org>"), 503);  // S3
  EXPECT_EQ(s.code("RCPT TO:<b@example.org>"), 250);    // S3: still in the transaction
  Session t;
  t.ehlo();
  EXPECT_EQ(t.code("MAIL FROM:a@example.org"), 501);  // S5
  EXPECT_EQ(t.code("RCPT TO:<b@example.org>"), 503);
}

TEST(ServerDialogue, CommandsBeforeEhlo) {  // S4
  Session s;
  EXPECT_EQ(s.code("NOOP"), 250);
  EXPECT_EQ(s.code("HELP"), 214);
  EXPECT_EQ(s.code("RSET"), 250);
  EXPECT_EQ(s.code("VRFY postmaster"), 252);
  EXPECT_EQ(s.code("MAIL FROM:<a@example.org>"), 503);
}

TEST(ServerDialogue, HundredRecipientsThen452KeepsEarlierOnes) {  // L6
  Session s;
  s.ehlo();
  ASSERT_EQ(s.code("MAIL FROM:<a@example.org>"), 250);
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(s.code("RCPT TO:<u" + std::to_string(i) + "@example.org>"), 250) << i;
  }
  EXPECT_EQ(s.say("RCPT TO:<u100@example.org>").substr(0, 9), "452 4.5.3");
  ASSERT_EQ(s.code("DATA"), 354);
  s.data("x\r\n.\r\n");
  ASSERT_EQ(s.delivered.size(), 1u);
  EXPECT_EQ(s.delivered[0].envelope.recipients.size(), 100u);
}

TEST(ServerDialogue, NullSenderAndPostmaster) {  // R1, R2
  Session s;
  s.ehlo();
  EXPECT_EQ(s.code("MAIL FROM:<>"), 250);
  EXPECT_EQ(s.code("RCPT TO:<Postmaster>"), 250);
  EXPECT_EQ(s.code("RCPT TO:<postmaster@example.org>"), 250);
}

TEST(ServerDialogue, SourceRouteIsAcceptedAndIgnored) {  // R4
  Session s;
  s.ehlo();
  s.envelope("RCPT TO:<@a.example,@b.example:u@example.org>");
  ASSERT_EQ(s.code("DATA"), 354);
  s.data(".\r\n");
  ASSERT_EQ(s.delivered.size(), 1u);
  EXPECT_EQ(s.delivered[0].envelope.recipients[0].path.to_string(), "<u@example.org>");
}

TEST(ServerDialogue, Smtputf8) {  // X3
  Session s;
  s.ehlo();
  EXPECT_EQ(s.say("MAIL FROM:<j\xc3\xb6rg@example.de>").substr(0, 9), "553 5.6.7");
  EXPECT_EQ(s.code("MAIL FROM:<j\xc3\xb6rg@example.de> SMTPUTF8"), 250);
  EXPECT_EQ(s.code("RCPT TO:<m\xc3\xbcller@example.de>"), 250);
  Session ascii;
  ascii.ehlo();
  ASSERT_EQ(ascii.code("MAIL FROM:<a@example.org>"), 250);
  EXPECT_EQ(ascii.say("RCPT TO:<m\xc3\xbcller@example.de>").substr(0, 9), "553 5.6.7");
}

TEST(ServerDialogue, SubmissionRequiresAuth) {
  ServerConfig c;
  c.require_auth = true;
  Session s(c, true);
  s.ehlo();
  EXPECT_EQ(s.say("MAIL FROM:<a@example.org>").substr(0, 9), "530 5.7.0");
}

TEST(ServerDialogue, PipelinedRecipientsOverTheLimitAreNotErrors) {  // P3, §4.5.3.1.10
  ServerConfig c;
  c.max_recipients = 5;
  c.max_errors = 3;
  Session s(c);
  s.ehlo();
  ASSERT_EQ(s.code("MAIL FROM:<a@example.org>"), 250);
  for (int i = 0; i < 20; ++i) s.say("RCPT TO:<u" + std::to_string(i) + "@example.org>");
  EXPECT_EQ(s.code("DATA"), 354);  // 15 refusals by policy did not close the session
  s.data("x\r\n.\r\n");
  ASSERT_EQ(s.delivered.size(), 1u);
  EXPECT_EQ(s.delivered[0].envelope.recipients.size(), 5u);
}

TEST(ServerDialogue, IdleTimeoutReplyFollowsEnhancedCodeRules) {
  Session s;  // before EHLO too (RFC 2034 §4)
  EXPECT_EQ(s.dialogue().encode(ServerReply::idle_timeout),
            "421 4.4.2 fake-smtpd.test Idle timeout, closing\r\n");
  ServerConfig c;
  c.extensions.enhanced_status_codes = false;
  Session off(c);
  EXPECT_EQ(off.dialogue().encode(ServerReply::idle_timeout),
            "421 fake-smtpd.test Idle timeout, closing\r\n");
}

TEST(ServerDialogue, TooManySessionsIsA421InPlaceOfTheGreeting) {  // RFC 5321 §3.8
  Session s;
  EXPECT_EQ(s.dialogue().encode(ServerReply::too_many_sessions),
            "421 4.3.2 fake-smtpd.test Too many sessions, try again later\r\n");
  EXPECT_TRUE(server_reply_info(ServerReply::too_many_sessions).policy);
}

TEST(ServerDialogue, SmtputfOffOnlyWithEightBitMimeOffToo) {  // RFC 6531 §3.1
  ServerConfig c;
  c.extensions.eight_bit_mime = false;
  Session s(c);
  s.ehlo();
  EXPECT_EQ(s.code("MAIL FROM:<a@example.org> SMTPUTF8"), 555);  // not offered
}

TEST(ServerDialogue, TooManyErrorsCloseWith421) {  // O2
  ServerConfig c;
  c.max_errors = 3;
  Session s(c);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(s.code("BOGUS"), 500);
  auto step = s.step("BOGUS");
  EXPECT_EQ(code_of(step.output), 421);
  EXPECT_TRUE(step.close);
}

TEST(ServerDialogue, LongEnvelopeLinesAreAcceptedForExtensions) {  // L1, RFC 4954 §5
  ServerConfig c;
  c.auth_cleartext = true;  // AUTH= is legal only where AUTH is offered
  Session s(c);
  s.ehlo();
  const std::string auth = "AUTH=" + std::string(500, 'a');
  EXPECT_EQ(s.code("MAIL FROM:<a@example.org> SIZE=10 " + auth), 250);
  EXPECT_EQ(s.code("NOOP " + std::string(600, 'x')), 500);  // other verbs keep 512
}

TEST(ServerDialogue, EhloWithTwoSpacesKeepsTheName) {
  Session s;
  EXPECT_EQ(s.code("EHLO  client.example"), 250);
  EXPECT_EQ(s.dialogue().client_name(), "client.example");
}

TEST(ServerDialogue, OverlongLineIs500) {  // L2
  Session s;
  EXPECT_EQ(s.dialogue().on_line_too_long().output.substr(0, 3), "500");
  EXPECT_EQ(s.code(std::string(600, 'A')), 500);
  EXPECT_EQ(s.code("NOOP"), 250);
}

TEST(ServerDialogue, GarbageEndsTheSessionWith421) {
  Session s;
  s.ehlo();
  auto step = s.dialogue().on_garbage();
  EXPECT_EQ(step.output.substr(0, 9), "421 4.7.0");
  EXPECT_TRUE(step.close);
  EXPECT_EQ(s.dialogue().input_mode(), InputMode::none);
}

TEST(ServerDialogue, BareLfInCommandIsRefused) {  // D5
  Session s;
  EXPECT_EQ(s.code("NOOP\nNOOP"), 500);
}

TEST(ServerDialogue, StateNamesForTraces) {
  EXPECT_EQ(to_string(ServerState::recipients), "recipients");
  EXPECT_EQ(to_string(ServerState::tls_pending), "tls_pending");
}

}  // namespace
}  // namespace smtp::proto::server_dialogue_test
