// The client dialogue against the real server dialogue (client_server_link.hpp).
#include "proto/client_dialogue.hpp"

#include <gtest/gtest.h>

#include "client_server_link.hpp"

namespace smtp::proto::client_dialogue_test {
namespace {

using namespace test;

TEST(ClientDialogue, DeliversOneMessageWithPipelining) {
  Link link({}, client_config());
  link.connect();
  ASSERT_TRUE(link.client.ready_for_message());
  EXPECT_TRUE(link.client.pipelining());
  const auto m = message(7, {"bob@example.net"});
  link.send(m);
  link.quit();

  EXPECT_EQ(link.events, (Events{"banner 220", "ehlo 250", "mail 250", "rcpt 250", "data 354",
                                 "end_of_data 250", "quit 221"}));
  const std::string size = std::to_string(m.content.size());
  // RFC 2920 §3.1: MAIL, RCPT and DATA in one write, DATA last.
  EXPECT_EQ(link.writes, (std::vector<std::string>{"EHLO client.test\r\n",
                                                   "MAIL FROM:<alice@example.org> SIZE=" + size +
                                                       "\r\nRCPT TO:<bob@example.net>\r\nDATA\r\n",
                                                   m.content + ".\r\n", "QUIT\r\n"}));
  ASSERT_EQ(link.outcomes.size(), 1u);
  const auto& o = link.outcomes[0];
  EXPECT_EQ(o.id, 7u);
  EXPECT_EQ(o.kind, OutcomeKind::delivered);
  EXPECT_EQ(o.accepted, 1u);
  EXPECT_EQ(o.recipients, 1u);
  EXPECT_EQ(o.phase, Phase::end_of_data);
  EXPECT_EQ(o.code, 250);
  EXPECT_EQ(o.enhanced, (EnhancedCode{2, 0, 0}));
  ASSERT_EQ(link.delivered.size(), 1u);
  EXPECT_EQ(link.delivered[0].content, m.content);
  EXPECT_EQ(link.delivered[0].envelope.declared_size, m.content.size());
  EXPECT_TRUE(link.failures.empty());
  EXPECT_TRUE(link.client.closed());
}

TEST(ClientDialogue, WithoutPipeliningEachCommandWaitsForItsReply) {
  for (const bool server_offers : {true, false}) {
    SCOPED_TRACE(server_offers ? "switched off in the client" : "not offered by the server");
    ServerConfig sc;
    sc.extensions.pipelining = server_offers;
    Link link(sc, client_config(!server_offers));
    link.connect();
    EXPECT_FALSE(link.client.pipelining());
    link.send(message(1, {"bob@example.net", "carol@example.net"}));
    link.quit();
    EXPECT_EQ(link.events, (Events{"banner 220", "ehlo 250", "mail 250", "rcpt 250", "rcpt 250",
                                   "data 354", "end_of_data 250", "quit 221"}));
    ASSERT_EQ(link.writes.size(), 7u);
    EXPECT_EQ(link.writes[1].rfind("MAIL FROM:<alice@example.org> SIZE=", 0), 0u);
    EXPECT_EQ(link.writes[2], "RCPT TO:<bob@example.net>\r\n");
    EXPECT_EQ(link.writes[3], "RCPT TO:<carol@example.net>\r\n");
    EXPECT_EQ(link.writes[4], "DATA\r\n");
    ASSERT_EQ(link.delivered.size(), 1u);
    EXPECT_EQ(link.delivered[0].envelope.recipients.size(), 2u);
  }
}

TEST(ClientDialogue, ARecipientOverTheLimitIsRefusedAndTheOthersGetTheMessage) {
  for (const bool pipelining : {true, false}) {
    SCOPED_TRACE(pipelining ? "pipelining" : "one at a time");
    ServerConfig sc;
    sc.max_recipients = 2;  // the third gets 452 4.5.3 (RFC 5321 §4.5.3.1.10)
    Link link(sc, client_config(pipelining));
    link.connect();
    link.send(message(1, {"a@example.net", "b@example.net", "c@example.net"}));
    EXPECT_EQ(link.events, (Events{"banner 220", "ehlo 250", "mail 250", "rcpt 250", "rcpt 250",
                                   "rcpt 452", "data 354", "end_of_data 250"}));
    ASSERT_EQ(link.outcomes.size(), 1u);
    EXPECT_EQ(link.outcomes[0].kind, OutcomeKind::delivered);
    EXPECT_EQ(link.outcomes[0].accepted, 2u);
    EXPECT_EQ(link.outcomes[0].recipients, 3u);
    ASSERT_EQ(link.delivered.size(), 1u);
    EXPECT_EQ(link.delivered[0].envelope.recipients.size(), 2u);
    EXPECT_TRUE(link.client.ready_for_message());  // no RSET after a delivery
  }
}

TEST(ClientDialogue, EveryRecipientRefusedWithPipeliningHandlesTheDataRefusalThenResets) {
  ServerConfig sc;
  sc.max_recipients = 0;
  Link link(sc, client_config());
  link.connect();
  link.send(message(3, {"a@example.net", "b@example.net"}));
  // RFC 2920 §3.1: the DATA in the batch is refused (554, §3.3), then RSET.
  EXPECT_EQ(link.events, (Events{"banner 220", "ehlo 250", "mail 250", "rcpt 452", "rcpt 452",
                                 "data 554", "rset 250"}));
  ASSERT_EQ(link.outcomes.size(), 1u);
  EXPECT_EQ(link.outcomes[0].kind, OutcomeKind::refused);
  EXPECT_EQ(link.outcomes[0].phase, Phase::rcpt);
  EXPECT_EQ(link.outcomes[0].code, 452);
  EXPECT_EQ(link.outcomes[0].enhanced, (EnhancedCode{4, 5, 3}));
  EXPECT_EQ(link.outcomes[0].accepted, 0u);
  EXPECT_TRUE(link.delivered.empty());
  EXPECT_EQ(link.writes.back(), "RSET\r\n");
  EXPECT_TRUE(link.client.ready_for_message());
}

TEST(ClientDialogue, EveryRecipientRefusedWithoutPipeliningSendsRsetInsteadOfData) {
  ServerConfig sc;
  sc.max_recipients = 0;
  Link link(sc, client_config(false));
  link.connect();
  link.send(message(3, {"a@example.net", "b@example.net"}));
  EXPECT_EQ(link.events,
            (Events{"banner 220", "ehlo 250", "mail 250", "rcpt 452", "rcpt 452", "rset 250"}));
  for (const auto& w : link.writes) EXPECT_NE(w, "DATA\r\n");
  ASSERT_EQ(link.outcomes.size(), 1u);
  EXPECT_EQ(link.outcomes[0].kind, OutcomeKind::refused);
  EXPECT_EQ(link.outcomes[0].phase, Phase::rcpt);
  EXPECT_TRUE(link.client.ready_for_message());
}

TEST(ClientDialogue, ARefusedMailDecidesTheOutcomeNotTheRefusalsBehindIt) {
  Link link({}, client_config());
  link.override_reply({"MAIL", 1, "550 5.7.1 Sender blocked\r\n"});
  link.connect();
  link.send(message(1, {"bob@example.net"}));
  EXPECT_EQ(link.events,
            (Events{"banner 220", "ehlo 250", "mail 550", "rcpt 503", "data 503", "rset 250"}));
  ASSERT_EQ(link.outcomes.size(), 1u);
  EXPECT_EQ(link.outcomes[0].kind, OutcomeKind::refused);
  EXPECT_EQ(link.outcomes[0].phase, Phase::mail);
  EXPECT_EQ(link.outcomes[0].code, 550);
  // The next message goes through on the same connection.
  link.send(message(2, {"bob@example.net"}));
  ASSERT_EQ(link.outcomes.size(), 2u);
  EXPECT_EQ(link.outcomes[1].kind, OutcomeKind::delivered);
  EXPECT_EQ(link.delivered.size(), 1u);
}

TEST(ClientDialogue, BdatSendsTheMessageRawAsOneLastChunk) {
  ClientConfig cc = client_config();
  cc.chunking = true;
  Link link({}, cc);
  link.connect();
  const auto m = message(1, {"bob@example.net"}, "Subject: x\r\n\r\n.starts with a dot\r\n");
  link.send(m);
  EXPECT_EQ(link.events, (Events{"banner 220", "ehlo 250", "mail 250", "rcpt 250", "bdat 250"}));
  ASSERT_EQ(link.writes.size(), 2u);
  const std::string size = std::to_string(m.content.size());
  EXPECT_EQ(link.writes[1], "MAIL FROM:<alice@example.org> SIZE=" + size +
                                "\r\nRCPT TO:<bob@example.net>\r\nBDAT " + size + " LAST\r\n" +
                                m.content);
  ASSERT_EQ(link.delivered.size(), 1u);
  EXPECT_TRUE(link.delivered[0].via_bdat);
  EXPECT_EQ(link.delivered[0].content, m.content);
  ASSERT_EQ(link.outcomes.size(), 1u);
  EXPECT_EQ(link.outcomes[0].kind, OutcomeKind::delivered);
  EXPECT_EQ(link.outcomes[0].phase, Phase::bdat);
}

TEST(ClientDialogue, BdatInChunksOneAtATimeWithoutPipelining) {
  ClientConfig cc = client_config(false);
  cc.chunking = true;
  cc.chunk_size = 10;
  Link link({}, cc);
  link.connect();
  const std::string content(25, 'x');
  link.send(message(1, {"bob@example.net"}, content));
  EXPECT_EQ(link.events, (Events{"banner 220", "ehlo 250", "mail 250", "rcpt 250", "bdat 250",
                                 "bdat 250", "bdat 250"}));
  ASSERT_EQ(link.writes.size(), 6u);
  EXPECT_EQ(link.writes[3], "BDAT 10\r\n" + content.substr(0, 10));
  EXPECT_EQ(link.writes[5], "BDAT 5 LAST\r\n" + content.substr(20));
  ASSERT_EQ(link.delivered.size(), 1u);
  EXPECT_EQ(link.delivered[0].content, content);
}

TEST(ClientDialogue, BdatIsNotUsedWhenTheServerDoesNotOfferChunking) {
  ServerConfig sc;
  sc.extensions.chunking = false;
  ClientConfig cc = client_config();
  cc.chunking = true;
  Link link(sc, cc);
  link.connect();
  link.send(message(1, {"bob@example.net"}));
  EXPECT_EQ(count(link.events, "end_of_data 250"), 1u);
  EXPECT_EQ(link.delivered.size(), 1u);
}

ServerConfig tls_server() {
  ServerConfig sc;
  sc.tls_available = true;
  sc.users = {{"alice", "secret"}};
  return sc;
}

ClientConfig tls_client(AuthMechanism mechanism, std::string password = "secret") {
  ClientConfig cc = client_config();
  cc.tls = TlsMode::starttls;
  cc.credentials = ClientCredentials{"alice", std::move(password)};
  cc.auth_mechanism = mechanism;
  return cc;
}

TEST(ClientDialogue, StarttlsThenEhloAgainThenAuthPlain) {
  Link link(tls_server(), tls_client(AuthMechanism::automatic));
  link.connect();
  // RFC 3207 §4.2: EHLO again after the handshake; AUTH is offered only then.
  EXPECT_EQ(link.events,
            (Events{"banner 220", "ehlo 250", "starttls 220", "ehlo 250", "auth 235"}));
  EXPECT_EQ(link.tls_handshakes, 1);
  EXPECT_TRUE(link.client.tls_active());
  EXPECT_TRUE(link.client.authenticated());
  EXPECT_EQ(link.server().auth_user(), "alice");
  ASSERT_GE(link.writes.size(), 4u);
  EXPECT_EQ(link.writes[3].rfind("AUTH PLAIN ", 0), 0u);
  EXPECT_TRUE(link.secret_writes[3]);
  link.send(message(1, {"bob@example.net"}));
  link.quit();
  EXPECT_EQ(link.delivered.size(), 1u);
  EXPECT_EQ(link.events.back(), "quit 221");
}

TEST(ClientDialogue, AuthLoginAnswersBothChallenges) {
  Link link(tls_server(), tls_client(AuthMechanism::login));
  link.connect();
  EXPECT_EQ(link.events, (Events{"banner 220", "ehlo 250", "starttls 220", "ehlo 250", "auth 334",
                                 "auth 334", "auth 235"}));
  ASSERT_EQ(link.writes.size(), 6u);
  EXPECT_EQ(link.writes[3], "AUTH LOGIN\r\n");
  EXPECT_EQ(link.writes[4], "YWxpY2U=\r\n");  // "alice"
  EXPECT_TRUE(link.secret_writes[4]);
  EXPECT_TRUE(link.secret_writes[5]);
  EXPECT_TRUE(link.client.ready_for_message());
}

TEST(ClientDialogue, AWrongPasswordIsAClassifiedAuthFailureAndQuits) {
  Link link(tls_server(), tls_client(AuthMechanism::plain, "wrong"));
  link.connect();
  EXPECT_EQ(link.events,
            (Events{"banner 220", "ehlo 250", "starttls 220", "ehlo 250", "auth 535", "quit 221"}));
  ASSERT_EQ(link.failures.size(), 1u);
  EXPECT_EQ(link.failures[0].kind, FailureKind::auth_failed);
  EXPECT_EQ(link.failures[0].phase, Phase::auth);
  EXPECT_EQ(link.failures[0].code, 535);
  EXPECT_TRUE(link.client.closed());
}

TEST(ClientDialogue, RequiredStarttlsThatIsNotOfferedFailsAndQuits) {
  ClientConfig cc = client_config();
  cc.tls = TlsMode::starttls;
  Link link({}, cc);  // no TLS context: STARTTLS is not advertised
  link.connect();
  EXPECT_EQ(link.events, (Events{"banner 220", "ehlo 250", "quit 221"}));
  ASSERT_EQ(link.failures.size(), 1u);
  EXPECT_EQ(link.failures[0].kind, FailureKind::starttls_unavailable);
}

TEST(ClientDialogue, OptionalStarttlsThatIsNotOfferedGoesOnInClearText) {
  ClientConfig cc = client_config();
  cc.tls = TlsMode::starttls;
  cc.starttls_required = false;
  Link link({}, cc);
  link.connect();
  EXPECT_TRUE(link.client.ready_for_message());
  EXPECT_FALSE(link.client.tls_active());
  link.send(message(1, {"bob@example.net"}));
  EXPECT_EQ(link.delivered.size(), 1u);
  EXPECT_TRUE(link.failures.empty());
}

TEST(ClientDialogue, AuthWaitsForTlsUnlessClearTextIsAllowed) {
  ServerConfig sc;
  sc.auth_cleartext = true;
  ClientConfig cc = client_config();
  cc.credentials = ClientCredentials{"alice", "secret"};
  {
    Link link(sc, cc);
    link.connect();
    EXPECT_EQ(link.events, (Events{"banner 220", "ehlo 250", "quit 221"}));
    ASSERT_EQ(link.failures.size(), 1u);
    EXPECT_EQ(link.failures[0].kind, FailureKind::auth_unavailable);
  }
  cc.auth_cleartext = true;
  Link link(sc, cc);
  link.connect();
  EXPECT_EQ(link.events, (Events{"banner 220", "ehlo 250", "auth 235"}));
  EXPECT_TRUE(link.client.ready_for_message());
}

TEST(ClientDialogue, ImplicitTlsSendsNoStarttls) {
  ServerConfig sc = tls_server();
  ClientConfig cc = tls_client(AuthMechanism::automatic);
  cc.tls = TlsMode::implicit;
  Link link(sc, cc, {}, /*implicit_tls=*/true);
  link.connect();
  EXPECT_EQ(link.events, (Events{"banner 220", "ehlo 250", "auth 235"}));
  EXPECT_EQ(link.tls_handshakes, 0);
}

TEST(ClientDialogue, A421MidTransactionEndsTheConnection) {
  for (const bool pipelining : {true, false}) {
    SCOPED_TRACE(pipelining ? "pipelining" : "one at a time");
    Link link({}, client_config(pipelining));
    link.override_reply({"RCPT", 2, "421 4.3.2 fake-smtpd.test Shutting down\r\n"});
    link.connect();
    link.send(message(1, {"a@example.net", "b@example.net"}));
    EXPECT_EQ(link.events, (Events{"banner 220", "ehlo 250", "mail 250", "rcpt 250", "rcpt 421"}));
    ASSERT_EQ(link.outcomes.size(), 1u);
    EXPECT_EQ(link.outcomes[0].kind, OutcomeKind::connection_lost);
    EXPECT_EQ(link.outcomes[0].phase, Phase::rcpt);
    EXPECT_EQ(link.outcomes[0].code, 421);
    EXPECT_EQ(link.outcomes[0].enhanced, (EnhancedCode{4, 3, 2}));
    ASSERT_EQ(link.failures.size(), 1u);
    EXPECT_EQ(link.failures[0].kind, FailureKind::service_closing);
    EXPECT_TRUE(link.client.closed());
    EXPECT_NE(link.writes.back(), "QUIT\r\n");  // §3.8: the server is gone
    EXPECT_TRUE(link.delivered.empty());
  }
}

TEST(ClientDialogue, A554BannerIsAFailureAnsweredWithQuit) {
  Link link({}, client_config());
  link.connect("554 5.7.1 No service for you\r\n");
  EXPECT_EQ(link.events, (Events{"banner 554", "quit 221"}));
  EXPECT_EQ(link.writes, (std::vector<std::string>{"QUIT\r\n"}));
  ASSERT_EQ(link.failures.size(), 1u);
  EXPECT_EQ(link.failures[0].kind, FailureKind::banner_refused);
  EXPECT_EQ(link.failures[0].code, 554);
  EXPECT_TRUE(link.client.closed());
  EXPECT_FALSE(link.client.ready_for_message());
}

TEST(ClientDialogue, FallsBackToHeloWhenEhloIsNotImplemented) {
  Link link({}, client_config());
  link.override_reply({"EHLO", 1, "502 5.5.1 Command not implemented\r\n"});
  link.connect();
  link.send(message(1, {"bob@example.net"}));
  EXPECT_EQ(link.events, (Events{"banner 220", "ehlo 502", "helo 250", "mail 250", "rcpt 250",
                                 "data 354", "end_of_data 250"}));
  EXPECT_FALSE(link.client.esmtp());
  // HELO selects no extension: no pipelining, no SIZE (RFC 5321 §4.1.1.1).
  ASSERT_EQ(link.writes.size(), 6u);
  EXPECT_EQ(link.writes[1], "HELO client.test\r\n");
  EXPECT_EQ(link.writes[2], "MAIL FROM:<alice@example.org>\r\n");
  EXPECT_EQ(link.delivered.size(), 1u);
}

TEST(ClientDialogue, ARefusedEhloOtherThanNotImplementedIsAFailure) {
  Link link({}, client_config());
  link.override_reply({"EHLO", 1, "550 5.7.1 Go away\r\n"});
  link.connect();
  EXPECT_EQ(link.events, (Events{"banner 220", "ehlo 550", "quit 221"}));
  ASSERT_EQ(link.failures.size(), 1u);
  EXPECT_EQ(link.failures[0].kind, FailureKind::hello_refused);
}

TEST(ClientDialogue, AnUnexpectedCodeIsAClassifiedFailureAndCloses) {
  Link link({}, client_config());
  link.override_reply({"MAIL", 1, "354 Go ahead\r\n"});
  link.connect();
  link.send(message(1, {"bob@example.net"}));
  ASSERT_FALSE(link.failures.empty());
  EXPECT_EQ(link.failures[0].kind, FailureKind::unexpected_reply);
  EXPECT_EQ(link.failures[0].phase, Phase::mail);
  ASSERT_EQ(link.outcomes.size(), 1u);
  EXPECT_EQ(link.outcomes[0].kind, OutcomeKind::connection_lost);
  EXPECT_TRUE(link.client.closed());
}

TEST(ClientDialogue, LinesStartingWithADotAreStuffedAndStoredAsTheyWere) {
  const std::string content =
      "Subject: dots\r\n\r\n.hidden\r\n..two\r\n.\r\nmiddle . dot\r\n. space\r\n";
  Link link({}, client_config());
  link.connect();
  link.send(message(1, {"bob@example.net"}, content));
  ASSERT_EQ(link.delivered.size(), 1u);
  EXPECT_EQ(link.delivered[0].content, content);
  EXPECT_EQ(link.writes[2],
            "Subject: dots\r\n\r\n..hidden\r\n...two\r\n..\r\nmiddle . dot\r\n.. space\r\n.\r\n");
}

TEST(ClientDialogue, ManyMessagesOverOneConnection) {
  constexpr std::size_t n = 5;
  Link link({}, client_config());
  link.connect();
  for (std::size_t i = 0; i < n; ++i) {
    link.send(message(i, {"a@example.net", "b@example.net"},
                      "Subject: " + std::to_string(i) + "\r\n\r\nbody\r\n"));
  }
  link.quit();
  EXPECT_EQ(count(link.events, "banner 220"), 1u);
  EXPECT_EQ(count(link.events, "ehlo 250"), 1u);
  EXPECT_EQ(count(link.events, "mail 250"), n);
  EXPECT_EQ(count(link.events, "rcpt 250"), 2 * n);
  EXPECT_EQ(count(link.events, "data 354"), n);
  EXPECT_EQ(count(link.events, "end_of_data 250"), n);
  EXPECT_EQ(count(link.events, "rset 250"), 0u);  // RSET only after a failure
  EXPECT_EQ(count(link.events, "quit 221"), 1u);
  EXPECT_EQ(link.events.size(), 3 + 5 * n);
  ASSERT_EQ(link.outcomes.size(), n);
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_EQ(link.outcomes[i].id, i);
    EXPECT_EQ(link.outcomes[i].kind, OutcomeKind::delivered);
    EXPECT_EQ(link.outcomes[i].accepted, 2u);
  }
  ASSERT_EQ(link.delivered.size(), n);
  EXPECT_EQ(link.delivered[4].content, "Subject: 4\r\n\r\nbody\r\n");
  EXPECT_EQ(link.server().messages_accepted(), n);
}

TEST(ClientDialogue, QuitDuringATransactionWaitsForItsOutcome) {
  for (const bool pipelining : {true, false}) {
    SCOPED_TRACE(pipelining ? "pipelining" : "one at a time");
    Link link({}, client_config(pipelining));
    link.connect();
    link.send_then_quit(message(1, {"bob@example.net"}));
    EXPECT_EQ(link.events, (Events{"banner 220", "ehlo 250", "mail 250", "rcpt 250", "data 354",
                                   "end_of_data 250", "quit 221"}));
    EXPECT_EQ(link.delivered.size(), 1u);
    EXPECT_TRUE(link.client.closed());
  }
}

TEST(ClientDialogue, AnAddressTheEncoderRefusesIsNotSent) {
  Link link({}, client_config());
  link.connect();
  const auto writes = link.writes.size();
  link.send(message(9, {"not an address"}));
  ASSERT_EQ(link.outcomes.size(), 1u);
  EXPECT_EQ(link.outcomes[0].kind, OutcomeKind::invalid);
  EXPECT_EQ(link.outcomes[0].id, 9u);
  EXPECT_EQ(link.writes.size(), writes);
  EXPECT_TRUE(link.client.ready_for_message());
}

TEST(ClientDialogue, LosingTheConnectionMidTransactionIsReported) {
  ClientDialogue client(client_config());
  client.start();
  Reply banner{220, {{"mx ESMTP", std::nullopt}}};
  client.on_reply(banner);
  Reply ehlo{250, {{"mx", std::nullopt}, {"PIPELINING", std::nullopt}}};
  client.on_reply(ehlo);
  ASSERT_TRUE(client.ready_for_message());
  const auto sent = client.send(message(4, {"bob@example.net"}));
  ASSERT_EQ(sent.requests.size(), 3u);
  const auto lost = client.on_connection_lost();
  ASSERT_TRUE(lost.outcome);
  EXPECT_EQ(lost.outcome->kind, OutcomeKind::connection_lost);
  EXPECT_EQ(lost.outcome->phase, Phase::mail);
  ASSERT_TRUE(lost.failure);
  EXPECT_EQ(lost.failure->kind, FailureKind::connection_lost);
  EXPECT_TRUE(lost.close);
}

// The same session whatever the cutting of every write in both directions:
// at each position, and one byte at a time.
struct SessionRecord {
  Events events;
  std::vector<std::string> contents;
  std::vector<OutcomeKind> outcomes;
  std::string sent;  // every client byte, concatenated
};

SessionRecord run_rich_session(Cutting cutting, bool chunking) {
  ServerConfig sc = tls_server();
  sc.max_recipients = 2;
  ClientConfig cc = tls_client(AuthMechanism::login);
  cc.chunking = chunking;
  Link link(sc, cc, cutting);
  link.connect();
  SessionRecord run;
  if (!link.client.ready_for_message()) return run;
  link.send(message(1, {"a@example.net", "b@example.net", "c@example.net"},
                    "Subject: one\r\n\r\n.dot\r\nline\r\n"));
  link.send(message(2, {"d@example.net"}, "Subject: two\r\n\r\n..\r\n"));
  link.quit();
  run.events = link.events;
  for (const auto& m : link.delivered) run.contents.push_back(m.content);
  for (const auto& o : link.outcomes) run.outcomes.push_back(o.kind);
  for (const auto& w : link.writes) run.sent += w;
  return run;
}

TEST(ClientDialogue, TheSessionDoesNotDependOnHowTheStreamsAreCut) {
  for (const bool chunking : {false, true}) {
    SCOPED_TRACE(chunking ? "BDAT" : "DATA");
    const SessionRecord whole = run_rich_session({}, chunking);
    ASSERT_EQ(whole.contents.size(), 2u);
    EXPECT_EQ(whole.contents[0], "Subject: one\r\n\r\n.dot\r\nline\r\n");
    EXPECT_EQ(whole.contents[1], "Subject: two\r\n\r\n..\r\n");
    EXPECT_EQ(count(whole.events, "rcpt 452"), 1u);
    // Every write and reply is shorter than all the client's bytes together.
    for (std::size_t at = 0; at <= whole.sent.size(); ++at) {
      const SessionRecord cut_run = run_rich_session({at, false}, chunking);
      ASSERT_EQ(cut_run.events, whole.events) << "cut at " << at;
      ASSERT_EQ(cut_run.contents, whole.contents) << "cut at " << at;
      ASSERT_EQ(cut_run.outcomes, whole.outcomes) << "cut at " << at;
      ASSERT_EQ(cut_run.sent, whole.sent) << "cut at " << at;
    }
    const SessionRecord bytes = run_rich_session({std::string::npos, true}, chunking);
    EXPECT_EQ(bytes.events, whole.events);
    EXPECT_EQ(bytes.contents, whole.contents);
    EXPECT_EQ(bytes.outcomes, whole.outcomes);
  }
}

}  // namespace
}  // namespace smtp::proto::client_dialogue_test
