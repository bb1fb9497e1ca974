// The server dialogue against the RFC behaviour the compliance catalogue
// expects (CONFORMANCE ids in the test names' comments).
#include "proto/server_dialogue.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "proto/base64.hpp"

namespace smtp::proto {
namespace {

int code_of(const std::string& output) {
  return output.size() >= 3 ? std::stoi(output.substr(0, 3)) : 0;
}

// Drives one session: lines in, replies out, deliveries answered at once.
class Session {
 public:
  explicit Session(ServerConfig config = {}, bool tls = false) : config_(std::move(config)) {
    dialogue_ = std::make_unique<ServerDialogue>(config_, tls);
    greeting = dialogue_->greet().output;
  }

  ServerStep step(std::string_view line) { return settle(dialogue_->on_line(line)); }
  std::string say(std::string_view line) { return step(line).output; }
  int code(std::string_view line) { return code_of(say(line)); }

  // Sends DATA bytes (content after the 354); returns the reply and how much
  // was consumed.
  std::string data(std::string_view bytes, std::size_t* consumed = nullptr) {
    std::string out;
    std::size_t used = 0;
    // Bounded: every round consumes input or produces a reply, else stops.
    for (int round = 0; round < 1000 && used < bytes.size(); ++round) {
      const auto mode = dialogue_->input_mode();
      if (mode != InputMode::data && mode != InputMode::chunk) break;
      auto r = dialogue_->on_data(bytes.substr(used));
      used += r.consumed;
      const std::string reply = settle(std::move(r.step)).output;
      out += reply;
      if (r.consumed == 0 && reply.empty()) break;
    }
    if (consumed) *consumed = used;
    return out;
  }

  void ehlo() { ASSERT_EQ(code("EHLO client.example"), 250); }
  void envelope(std::string_view rcpt = "RCPT TO:<bob@example.net>") {
    ASSERT_EQ(code("MAIL FROM:<alice@example.org>"), 250);
    ASSERT_EQ(code(rcpt), 250);
  }

  ServerDialogue& dialogue() { return *dialogue_; }
  std::string greeting;
  std::vector<Message> delivered;
  bool store_ok = true;

 private:
  ServerStep settle(ServerStep s) {
    if (s.deliver) {
      delivered.push_back(std::move(*s.deliver));
      s.deliver.reset();
      auto fin = dialogue_->finish_delivery(store_ok, "Q" + std::to_string(delivered.size()));
      s.output += fin.output;
      s.last_reply = fin.last_reply;
    }
    return s;
  }
  ServerConfig config_;
  std::unique_ptr<ServerDialogue> dialogue_;
};

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

TEST(ServerDialogue, SmtputfNeedsEightBitMime) {  // RFC 6531 §3.1
  ServerConfig c;
  c.extensions.eight_bit_mime = false;
  Session s(c);
  EXPECT_EQ(s.say("EHLO c").find("SMTPUTF8"), std::string::npos);
}

TEST(ServerDialogue, HeloIsOneLineAndSelectsNoEnhancedCodes) {  // E2
  Session s;
  EXPECT_EQ(s.say("HELO client.example"), "250 fake-smtpd.test\r\n");
  EXPECT_EQ(s.say("MAIL FROM:<a@example.org>"), "250 Sender ok\r\n");
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

TEST(ServerDialogue, DataIsUnstuffedAndQueued) {  // D1, D2
  Session s;
  s.ehlo();
  s.envelope();
  ASSERT_EQ(s.code("DATA"), 354);
  std::size_t consumed = 0;
  const std::string wire = "Subject: t\r\n\r\n..\r\n..x\r\n.x\r\n.\r\nNOOP\r\n";
  EXPECT_EQ(s.data(wire, &consumed), "250 2.0.0 Ok: queued as Q1\r\n");
  EXPECT_EQ(consumed, wire.size() - 6);  // the pipelined NOOP is not data (P4)
  ASSERT_EQ(s.delivered.size(), 1u);
  EXPECT_EQ(s.delivered[0].content, "Subject: t\r\n\r\n.\r\n.x\r\nx\r\n");
  EXPECT_EQ(s.delivered[0].size, s.delivered[0].content.size());
  EXPECT_EQ(s.dialogue().messages_accepted(), 1u);
  EXPECT_EQ(s.code("NOOP"), 250);
}

TEST(ServerDialogue, FailedStoreIs451) {
  Session s;
  s.store_ok = false;
  s.ehlo();
  s.envelope();
  ASSERT_EQ(s.code("DATA"), 354);
  EXPECT_EQ(s.data("x\r\n.\r\n").substr(0, 9), "451 4.3.0");
  EXPECT_EQ(s.dialogue().messages_accepted(), 0u);
}

TEST(ServerDialogue, EachSmugglingVariantIsRefusedAsOneMessage) {  // D3
  for (int v = 0; v < static_cast<int>(FakeTerminator::none); ++v) {
    const auto variant = static_cast<FakeTerminator>(v);
    SCOPED_TRACE(std::string(to_string(variant)));
    Session s;
    s.ehlo();
    s.envelope();
    ASSERT_EQ(s.code("DATA"), 354);
    std::string wire = "a";
    wire += bytes_of(variant);
    wire += "MAIL FROM:<evil@example.com>\r\nRCPT TO:<v@example.net>\r\nDATA\r\nx\r\n.\r\n";
    std::size_t consumed = 0;
    const auto out = s.data(wire, &consumed);
    EXPECT_EQ(consumed, wire.size()) << "data ended early";
    EXPECT_EQ(out.substr(0, 9), "550 5.6.0");
    EXPECT_TRUE(s.delivered.empty());
  }
}

TEST(ServerDialogue, BareLineEndingsKeptWhenConfigured) {  // D4, "keep as data"
  ServerConfig c;
  c.reject_bare_line_endings = false;
  Session s(c);
  s.ehlo();
  s.envelope();
  ASSERT_EQ(s.code("DATA"), 354);
  EXPECT_EQ(code_of(s.data("a\n.\nb\r\n.\r\n")), 250);
  ASSERT_EQ(s.delivered.size(), 1u);
  EXPECT_EQ(s.delivered[0].content, "a\n.\nb\r\n");
}

TEST(ServerDialogue, OversizedDataIsDrainedThen552) {  // X1, DESIGN §5 latch
  ServerConfig c;
  c.max_message_size = 10;
  Session s(c);
  s.ehlo();
  s.envelope();
  ASSERT_EQ(s.code("DATA"), 354);
  std::size_t consumed = 0;
  const std::string wire = "0123456789ABCDEF\r\nmore\r\n.\r\nNOOP\r\n";
  EXPECT_EQ(s.data(wire, &consumed).substr(0, 9), "552 5.3.4");
  EXPECT_EQ(consumed, wire.size() - 6);
  EXPECT_TRUE(s.delivered.empty());
  EXPECT_EQ(s.code("NOOP"), 250);  // in step with the client
}

TEST(ServerDialogue, ContentNotKeptWhenStoreIsNone) {
  ServerConfig c;
  c.keep_content = false;
  Session s(c);
  s.ehlo();
  s.envelope();
  ASSERT_EQ(s.code("DATA"), 354);
  s.data("hello\r\n.\r\n");
  ASSERT_EQ(s.delivered.size(), 1u);
  EXPECT_TRUE(s.delivered[0].content.empty());
  EXPECT_EQ(s.delivered[0].size, 7u);
}

TEST(ServerDialogue, BdatChunksAreStoredByteForByte) {  // K1, K2
  Session s;
  s.ehlo();
  s.envelope();
  const std::string payload = "a\r\n.\r\nMAIL FROM:<x@y.example>\r\n";
  ASSERT_EQ(s.say("BDAT " + std::to_string(payload.size())), "");
  EXPECT_EQ(s.dialogue().input_mode(), InputMode::chunk);
  EXPECT_EQ(s.data(payload),
            "250 2.0.0 " + std::to_string(payload.size()) + " octets received\r\n");
  EXPECT_EQ(s.say("BDAT 0 LAST"), "250 2.0.0 Ok: queued as Q1\r\n");
  ASSERT_EQ(s.delivered.size(), 1u);
  EXPECT_EQ(s.delivered[0].content, payload);
  EXPECT_TRUE(s.delivered[0].via_bdat);
  EXPECT_EQ(s.delivered[0].size, payload.size());
}

TEST(ServerDialogue, DataAfterBdatAndBdatAfterLastAre503) {  // K3
  Session s;
  s.ehlo();
  s.envelope();
  s.say("BDAT 3");
  s.data("abc");
  EXPECT_EQ(s.code("DATA"), 503);
  s.say("BDAT 1 LAST");
  EXPECT_EQ(code_of(s.data("d")), 250);
  s.say("BDAT 4 LAST");
  EXPECT_EQ(code_of(s.data("RSET")), 503);  // consumed, not executed
}

TEST(ServerDialogue, RefusedChunkIsConsumedNotExecuted) {  // K4
  Session s;
  s.ehlo();
  ASSERT_EQ(s.code("MAIL FROM:<a@example.org>"), 250);
  const std::string payload = "RSET\r\nQUIT\r\n";
  s.say("BDAT " + std::to_string(payload.size()));
  std::size_t consumed = 0;
  EXPECT_EQ(code_of(s.data(payload, &consumed)), 554);
  EXPECT_EQ(consumed, payload.size());
  EXPECT_EQ(s.code("NOOP"), 250);                     // QUIT was not executed
  EXPECT_EQ(s.code("RCPT TO:<b@example.org>"), 250);  // MAIL still stands
}

TEST(ServerDialogue, BdatSyntaxErrorIs501) {  // K5
  Session s;
  s.ehlo();
  s.envelope();
  EXPECT_EQ(s.code("BDAT abc"), 501);
  EXPECT_EQ(s.dialogue().input_mode(), InputMode::line);
}

TEST(ServerDialogue, OversizedBdatLatchesUntilChunkEnds) {
  ServerConfig c;
  c.max_message_size = 4;
  Session s(c);
  s.ehlo();
  s.envelope();
  s.say("BDAT 6 LAST");
  std::size_t consumed = 0;
  EXPECT_EQ(s.data("abcdefNOOP\r\n", &consumed).substr(0, 9), "552 5.3.4");
  EXPECT_EQ(consumed, 6u);
  EXPECT_TRUE(s.delivered.empty());
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
  Session s;
  EXPECT_EQ(s.dialogue().encode(ServerReply::idle_timeout),
            "421 fake-smtpd.test Idle timeout, closing\r\n");
  s.ehlo();
  EXPECT_EQ(s.dialogue().encode(ServerReply::idle_timeout),
            "421 4.4.2 fake-smtpd.test Idle timeout, closing\r\n");
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
}  // namespace smtp::proto
