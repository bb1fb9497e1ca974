// The deliberate violations of the server dialogue (server_violations.hpp):
// each breaks its one requirement, and the requirement next to it still
// holds. The default configuration is the correct server of
// server_dialogue_test.cpp; CONFORMANCE ids in the test names' comments.
#include "proto/server_violations.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "proto/dot_unstuffer.hpp"
#include "proto/server_dialogue.hpp"
#include "server_session.hpp"
#include "support/split.hpp"

namespace smtp::proto {
namespace {

using test::code_of;
using test::Session;

ServerConfig violating(std::string_view name) {
  ServerConfig config;
  EXPECT_TRUE(set_violation(config.violations, name)) << name;
  return config;
}

TEST(ServerViolations, AllOffByDefault) {
  const ServerViolations none;
  for (const auto& v : violation_table) EXPECT_FALSE(none.*v.flag) << v.name;
  EXPECT_EQ(active_violations(ServerConfig{}.violations), "");
}

TEST(ServerViolations, EachNameSetsItsOwnFlag) {
  std::set<std::string_view> names, checks;
  for (const auto& v : violation_table) {
    SCOPED_TRACE(std::string(v.name));
    EXPECT_TRUE(names.insert(v.name).second) << "duplicate name";
    EXPECT_TRUE(checks.insert(v.check).second) << "two violations for one check";
    EXPECT_FALSE(v.breaks.empty());
    ServerViolations violations;
    ASSERT_TRUE(set_violation(violations, v.name));
    EXPECT_EQ(active_violations(violations), v.name);  // exactly this one flag
    EXPECT_NE(violation_names().find(v.name), std::string::npos);
  }
}

TEST(ServerViolations, UnknownNameIsRefused) {
  ServerViolations violations;
  EXPECT_FALSE(set_violation(violations, "lf-dot-lf"));
  EXPECT_FALSE(set_violation(violations, "LF-DOT-LF-ENDS-DATA"));  // exact spelling
  EXPECT_FALSE(set_violation(violations, ""));
  EXPECT_EQ(active_violations(violations), "");
}

TEST(ServerViolations, ActiveNamesInTableOrder) {
  ServerViolations violations;
  set_violation(violations, "auth-twice");
  set_violation(violations, "lf-dot-lf-ends-data");
  EXPECT_EQ(active_violations(violations), "lf-dot-lf-ends-data auth-twice");
}

// --- D3: lf-dot-lf-ends-data ------------------------------------------------

constexpr std::string_view smuggled =
    "Subject: a\r\n\r\nfirst\n.\nMAIL FROM:<evil@example.com>\r\nRCPT TO:<v@example.net>\r\n"
    "DATA\r\nsmuggled\r\n.\r\n";

TEST(ServerViolations, LfDotLfEndsDataAndSmugglesASecondMessage) {  // D3
  Session s(violating("lf-dot-lf-ends-data"));
  s.ehlo();
  s.envelope();
  ASSERT_EQ(s.code("DATA"), 354);
  std::size_t consumed = 0;
  EXPECT_EQ(s.data(smuggled, &consumed), "250 2.0.0 Ok: queued as Q1\r\n");
  const auto first_end = smuggled.find("\n.\n") + 3;
  EXPECT_EQ(consumed, first_end);  // the rest is read as commands
  ASSERT_EQ(s.delivered.size(), 1u);
  EXPECT_EQ(s.delivered[0].content, "Subject: a\r\n\r\nfirst\n");
  EXPECT_EQ(s.delivered[0].size, s.delivered[0].content.size());
  // The smuggled transaction is carried out: a second message.
  EXPECT_EQ(s.code("MAIL FROM:<evil@example.com>"), 250);
  EXPECT_EQ(s.code("RCPT TO:<v@example.net>"), 250);
  EXPECT_EQ(s.code("DATA"), 354);
  EXPECT_EQ(s.data("smuggled\r\n.\r\n").substr(0, 3), "250");
  EXPECT_EQ(s.delivered.size(), 2u);
}

TEST(ServerViolations, LfDotLfCorrectServerReadsOneMessage) {  // D3, the default
  Session s;
  s.ehlo();
  s.envelope();
  ASSERT_EQ(s.code("DATA"), 354);
  std::size_t consumed = 0;
  EXPECT_EQ(s.data(smuggled, &consumed).substr(0, 9), "550 5.6.0");
  EXPECT_EQ(consumed, smuggled.size());
  EXPECT_TRUE(s.delivered.empty());
}

TEST(ServerViolations, LfDotLfLeavesTheOtherVariantsAlone) {  // D3's neighbours
  for (int v = 0; v < static_cast<int>(FakeTerminator::none); ++v) {
    const auto variant = static_cast<FakeTerminator>(v);
    if (variant == FakeTerminator::lf_dot_lf) continue;
    SCOPED_TRACE(std::string(to_string(variant)));
    Session s(violating("lf-dot-lf-ends-data"));
    s.ehlo();
    s.envelope();
    ASSERT_EQ(s.code("DATA"), 354);
    std::string wire = "a";
    wire += bytes_of(variant);
    wire += "x\r\n.\r\n";
    std::size_t consumed = 0;
    EXPECT_EQ(s.data(wire, &consumed).substr(0, 9), "550 5.6.0");
    EXPECT_EQ(consumed, wire.size());
    EXPECT_TRUE(s.delivered.empty());
  }
}

TEST(ServerViolations, LfDotLfKeepsOtherBareLineFeedsSuspect) {  // D4 still holds
  Session s(violating("lf-dot-lf-ends-data"));
  s.ehlo();
  s.envelope();
  ASSERT_EQ(s.code("DATA"), 354);
  EXPECT_EQ(s.data("one\ntwo\n.\n").substr(0, 9), "550 5.6.0");
  EXPECT_TRUE(s.delivered.empty());
}

TEST(ServerViolations, LfDotLfUnstufferIsChunkingInvariant) {  // D3, split at every byte
  DotUnstuffer::Options options;
  options.lf_dot_lf_ends_data = true;
  const std::string_view wire = "..a\r\nb\n.\nrest";
  for (const auto& chunks : smtp::test::every_split(wire)) {
    SCOPED_TRACE(smtp::test::describe_split(chunks));
    DotUnstuffer unstuffer(options);
    std::string out;
    std::size_t consumed = 0;
    for (auto chunk : chunks) {
      if (unstuffer.complete()) break;
      consumed += unstuffer.feed(chunk, &out).consumed;
    }
    EXPECT_TRUE(unstuffer.complete());
    EXPECT_EQ(consumed, wire.size() - 4);
    EXPECT_EQ(out, ".a\r\nb\n");
    EXPECT_EQ(unstuffer.message_size(), out.size());
    EXPECT_EQ(unstuffer.count(DataAnomaly::bare_lf), 0u);  // its LF ended a line
    EXPECT_EQ(unstuffer.count(DataAnomaly::fake_terminator), 0u);
    EXPECT_TRUE(unstuffer.events().empty());
  }
}

TEST(ServerViolations, LfDotLfWhileDiscarding) {  // no output string (a latched error)
  DotUnstuffer::Options options;
  options.lf_dot_lf_ends_data = true;
  DotUnstuffer unstuffer(options);
  const auto progress = unstuffer.feed("abc\n.\n", nullptr);
  EXPECT_TRUE(progress.complete);
  EXPECT_EQ(progress.consumed, 6u);
  EXPECT_EQ(unstuffer.message_size(), 4u);  // "abc\n"
}

// --- S2: data-without-recipients ---------------------------------------------

TEST(ServerViolations, DataWithoutRecipientsGets354AndIsRefusedAtTheDot) {  // S2
  Session s(violating("data-without-recipients"));
  s.ehlo();
  ASSERT_EQ(s.code("MAIL FROM:<a@example.org>"), 250);
  EXPECT_EQ(s.say("DATA"), "354 End data with <CR><LF>.<CR><LF>\r\n");
  EXPECT_EQ(s.data("x\r\n.\r\n"), "554 5.5.1 No valid recipients\r\n");
  EXPECT_TRUE(s.delivered.empty());
  EXPECT_EQ(s.code("DATA"), 503);  // without MAIL it is still refused
}

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

// --- K3: data-after-bdat -------------------------------------------------------

TEST(ServerViolations, DataAfterBdatIsTaken) {  // K3
  Session s(violating("data-after-bdat"));
  s.ehlo();
  s.envelope();
  EXPECT_EQ(s.say("BDAT 3"), "");
  EXPECT_EQ(s.data("abc"), "250 2.0.0 3 octets received\r\n");
  EXPECT_EQ(s.code("DATA"), 354);
  EXPECT_EQ(s.data("body\r\n.\r\n").substr(0, 3), "250");
  ASSERT_EQ(s.delivered.size(), 1u);
  EXPECT_EQ(s.delivered[0].content, "body\r\n");  // the chunk is lost
  EXPECT_FALSE(s.delivered[0].via_bdat);
}

TEST(ServerViolations, DataAfterBdatStillRefusesBdatAfterLast) {  // K3's other half
  Session s(violating("data-after-bdat"));
  s.ehlo();
  s.envelope();
  EXPECT_EQ(s.say("BDAT 3 LAST"), "");
  EXPECT_EQ(s.data("abc").substr(0, 3), "250");
  EXPECT_EQ(s.say("BDAT 1 LAST"), "");
  EXPECT_EQ(code_of(s.data("x")), 503);
}

// --- X1: ignores-declared-size ---------------------------------------------------

TEST(ServerViolations, DeclaredSizeOverTheMaximumIsAccepted) {  // X1
  ServerConfig c = violating("ignores-declared-size");
  c.max_message_size = 1000;
  Session s(c);
  s.ehlo();
  EXPECT_EQ(s.say("MAIL FROM:<a@example.org> SIZE=1001 BODY=8BITMIME"), "250 2.1.0 Sender ok\r\n");
  EXPECT_EQ(s.dialogue().envelope().body, BodyType::eight_bit_mime);  // the rest still applies
}

TEST(ServerViolations, IgnoredSizeStillChecksSyntaxAndTheBody) {  // X1's other parts
  ServerConfig c = violating("ignores-declared-size");
  c.max_message_size = 10;
  Session s(c);
  s.ehlo();
  EXPECT_EQ(s.code("MAIL FROM:<a@example.org> SIZE=abc"), 501);
  EXPECT_EQ(s.code("MAIL FROM:<a@example.org> SIZE=5"), 250);
  ASSERT_EQ(s.code("RCPT TO:<b@example.org>"), 250);
  ASSERT_EQ(s.code("DATA"), 354);
  EXPECT_EQ(s.data("0123456789abcdef\r\n.\r\n").substr(0, 9), "552 5.3.4");
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

// --- K4: refused-chunk-not-read ----------------------------------------------------------

TEST(ServerViolations, RefusedChunkIsReadAsCommands) {  // K4
  Session s(violating("refused-chunk-not-read"));
  s.ehlo();
  ASSERT_EQ(s.code("MAIL FROM:<a@example.org>"), 250);
  EXPECT_EQ(s.code("BDAT 12"), 554);  // at once, before the octets
  EXPECT_EQ(s.dialogue().input_mode(), InputMode::line);
  EXPECT_EQ(s.code("RSET"), 250);  // the chunk's "RSET\r\n", executed
  EXPECT_EQ(s.code("QUIT"), 221);
}

TEST(ServerViolations, RefusedChunkNotReadLeavesOtherChunksAlone) {  // K2, K3 still hold
  Session s(violating("refused-chunk-not-read"));
  s.ehlo();
  EXPECT_EQ(s.say("BDAT 4"), "");  // without MAIL: read, then refused
  EXPECT_EQ(code_of(s.data("NOOP")), 503);
  s.envelope();
  EXPECT_EQ(s.say("BDAT 12 LAST"), "");
  EXPECT_EQ(s.data("RSET\r\nQUIT\r\n").substr(0, 3), "250");
  ASSERT_EQ(s.delivered.size(), 1u);
  EXPECT_EQ(s.delivered[0].content, "RSET\r\nQUIT\r\n");
}

TEST(ServerViolations, CorrectServerReadsARefusedChunk) {  // K4, the default
  Session s;
  s.ehlo();
  ASSERT_EQ(s.code("MAIL FROM:<a@example.org>"), 250);
  EXPECT_EQ(s.say("BDAT 12"), "");
  std::size_t used = 0;
  EXPECT_EQ(code_of(s.data("RSET\r\nQUIT\r\n", &used)), 554);
  EXPECT_EQ(used, 12u);
}

// --- K5: bdat-size-unchecked --------------------------------------------------------------

TEST(ServerViolations, BdatSizeThatIsNotANumberIsAnEmptyChunk) {  // K5
  Session s(violating("bdat-size-unchecked"));
  s.ehlo();
  s.envelope();
  EXPECT_EQ(code_of(s.say("BDAT abc")), 250);
  EXPECT_EQ(s.dialogue().input_mode(), InputMode::line);
  EXPECT_EQ(s.say("BDAT 3 LAST"), "");
  EXPECT_EQ(s.data("abc").substr(0, 3), "250");
  ASSERT_EQ(s.delivered.size(), 1u);
  EXPECT_EQ(s.delivered[0].content, "abc");
}

TEST(ServerViolations, CorrectServerRefusesBdatAbc) {  // K5, the default
  Session s;
  s.ehlo();
  s.envelope();
  EXPECT_EQ(s.code("BDAT abc"), 501);
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

// --- K1: chunking-refuses-data ----------------------------------------------------------------

TEST(ServerViolations, DataIsRefusedBesideChunking) {  // K1
  Session s(violating("chunking-refuses-data"));
  s.ehlo();
  s.envelope();
  EXPECT_EQ(s.say("DATA"), "502 5.5.1 Command not implemented\r\n");
  EXPECT_EQ(s.dialogue().input_mode(), InputMode::line);
  EXPECT_EQ(s.say("BDAT 5 LAST"), "");  // BDAT still takes the message
  EXPECT_EQ(s.data("x\r\ny\r\n").substr(0, 3), "250");
  EXPECT_EQ(s.delivered.size(), 1u);
}

TEST(ServerViolations, DataRefusalNeedsChunkingOffered) {  // K1 does not apply without CHUNKING
  ServerConfig c = violating("chunking-refuses-data");
  c.extensions.chunking = false;
  Session s(c);
  s.ehlo();
  s.envelope();
  EXPECT_EQ(s.code("DATA"), 354);
}

TEST(ServerViolations, CorrectServerTakesDataBesideChunking) {  // K1, the default
  Session s;
  s.ehlo();
  s.envelope();
  EXPECT_EQ(s.code("DATA"), 354);
}

// --- K2: bdat-chunk-scanned ------------------------------------------------------------------

constexpr std::string_view chunk_with_terminator =
    "Subject: k2\r\n\r\nbefore\r\n.\r\nMAIL FROM:<smuggled@example.org>\r\n"
    "RCPT TO:<v@example.net>\r\nDATA\r\nafter\r\n";

TEST(ServerViolations, ScannedChunkEndsAtCrlfDotCrlfAndSmugglesCommands) {  // K2
  Session s(violating("bdat-chunk-scanned"));
  s.ehlo();
  s.envelope();
  EXPECT_EQ(s.say("BDAT " + std::to_string(chunk_with_terminator.size())), "");
  std::size_t consumed = 0;
  EXPECT_EQ(s.data(chunk_with_terminator, &consumed), "250 2.0.0 Ok: queued as Q1\r\n");
  EXPECT_EQ(consumed, chunk_with_terminator.find("\r\n.\r\n") + 5);
  ASSERT_EQ(s.delivered.size(), 1u);
  EXPECT_EQ(s.delivered[0].content, "Subject: k2\r\n\r\nbefore\r\n");
  // The rest of the chunk is read as commands: a second transaction.
  EXPECT_EQ(s.dialogue().input_mode(), InputMode::line);
  EXPECT_EQ(s.code("MAIL FROM:<smuggled@example.org>"), 250);
  EXPECT_EQ(s.code("RCPT TO:<v@example.net>"), 250);
  EXPECT_EQ(s.code("DATA"), 354);
}

TEST(ServerViolations, ScannedChunksWithoutATerminatorAreStillCounted) {  // K3, K4 still hold
  Session s(violating("bdat-chunk-scanned"));
  s.ehlo();
  s.envelope();
  EXPECT_EQ(s.say("BDAT 7"), "");
  EXPECT_EQ(s.data("Hello\r\n"), "250 2.0.0 7 octets received\r\n");
  EXPECT_EQ(s.code("DATA"), 503);  // DATA after BDAT (K3)
  EXPECT_EQ(s.say("BDAT 6 LAST"), "");
  EXPECT_EQ(s.data("World\n").substr(0, 3), "250");
  ASSERT_EQ(s.delivered.size(), 1u);
  EXPECT_EQ(s.delivered[0].content, "Hello\r\nWorld\n");
  EXPECT_EQ(s.delivered[0].size, 13u);
  ASSERT_EQ(s.code("MAIL FROM:<a@example.org>"), 250);
  EXPECT_EQ(s.say("BDAT 12"), "");  // refused (no recipient), still read to its end (K4)
  EXPECT_EQ(code_of(s.data("RSET\r\nQUIT\r\n")), 554);
}

TEST(ServerViolations, CorrectServerKeepsCrlfDotCrlfInAChunk) {  // K2, the default
  Session s;
  s.ehlo();
  s.envelope();
  EXPECT_EQ(s.say("BDAT " + std::to_string(chunk_with_terminator.size()) + " LAST"), "");
  std::size_t consumed = 0;
  EXPECT_EQ(s.data(chunk_with_terminator, &consumed).substr(0, 3), "250");
  EXPECT_EQ(consumed, chunk_with_terminator.size());
  ASSERT_EQ(s.delivered.size(), 1u);
  EXPECT_EQ(s.delivered[0].content, chunk_with_terminator);
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

// --- L4: data-line-counts-dot ----------------------------------------------------------------

// A 1000-octet text line with its CRLF, and one that starts with a dot,
// stuffed: 1001 octets on the wire (RFC 5321 §4.5.3.1.6).
const std::string plain_line = std::string(998, 'x') + "\r\n";
const std::string stuffed_line = ".." + std::string(997, 'y') + "\r\n";

TEST(ServerViolations, StuffedDotCountsTowardsTheLineLimit) {  // L4
  Session s(violating("data-line-counts-dot"));
  s.ehlo();
  s.envelope();
  ASSERT_EQ(s.code("DATA"), 354);
  EXPECT_EQ(s.data("Subject: l4\r\n\r\n" + stuffed_line + ".\r\n"), "500 5.5.2 Line too long\r\n");
  EXPECT_TRUE(s.delivered.empty());
  EXPECT_EQ(s.dialogue().input_mode(), InputMode::line);  // read to its end
  EXPECT_EQ(s.code("NOOP"), 250);
}

TEST(ServerViolations, LineCountingDotStillTakesUnstuffedLinesOf1000) {  // the rest of L4
  Session s(violating("data-line-counts-dot"));
  s.ehlo();
  s.envelope();
  ASSERT_EQ(s.code("DATA"), 354);
  // In reads of 97 octets: the count carries over from one read to the next.
  const std::string body = "Subject: l4\r\n\r\n" + plain_line + plain_line + ".\r\n";
  std::string reply;
  for (std::size_t at = 0; at < body.size(); at += 97) reply += s.data(body.substr(at, 97));
  EXPECT_EQ(reply.substr(0, 3), "250");
  ASSERT_EQ(s.delivered.size(), 1u);
  ASSERT_EQ(s.code("MAIL FROM:<a@example.org>"), 250);  // a new message counts from zero
  ASSERT_EQ(s.code("RCPT TO:<b@example.net>"), 250);
  ASSERT_EQ(s.code("DATA"), 354);
  EXPECT_EQ(s.data(plain_line + ".\r\n").substr(0, 3), "250");
}

TEST(ServerViolations, CorrectServerTakesAStuffedLineOf1000) {  // L4, the default
  Session s;
  s.ehlo();
  s.envelope();
  ASSERT_EQ(s.code("DATA"), 354);
  EXPECT_EQ(s.data(plain_line + stuffed_line + ".\r\n").substr(0, 3), "250");
  ASSERT_EQ(s.delivered.size(), 1u);
  EXPECT_EQ(s.delivered[0].content, plain_line + stuffed_line.substr(1));
}

}  // namespace
}  // namespace smtp::proto
