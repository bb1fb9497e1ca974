// DATA and BDAT in the server dialogue (server_dialogue_data.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "proto/server_dialogue.hpp"
#include "server_session.hpp"

namespace smtp::proto::server_dialogue_data_test {
namespace {

using test::code_of;
using test::Session;

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

TEST(ServerDialogue, OversizedDataIsDrainedThen552) {  // X1, ARCHITECTURE.md §5 latch
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

// Feeds `total` octets of a chunk in 1 MiB pieces (nothing is kept: the
// caller's config says so or the message is latched) and returns the replies.
std::string feed_chunk(test::Session& s, std::uint64_t total) {
  const std::string piece(1 << 20, 'x');
  std::string out;
  for (std::uint64_t left = total; left > 0;) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, piece.size()));
    out += s.data(std::string_view(piece).substr(0, n));
    left -= n;
  }
  return out;
}

TEST(ServerDialogue, WithoutMaxSizeBdatStopsAtTheOneGibCeiling) {
  ServerConfig c;
  c.max_message_size = 0;  // "SIZE 0": no fixed maximum advertised
  c.keep_content = false;  // a GiB of octets counted, none kept
  const std::uint64_t ceiling = std::uint64_t{1} << 30;
  Session at(c);
  at.ehlo();
  at.envelope();
  at.say("BDAT " + std::to_string(ceiling) + " LAST");
  EXPECT_EQ(feed_chunk(at, ceiling).substr(0, 3), "250");
  Session over(c);
  over.ehlo();
  over.envelope();
  over.say("BDAT " + std::to_string(ceiling + 1) + " LAST");
  // RFC 3030 §2 (K4): the refusal comes after the chunk's octets, not before.
  EXPECT_EQ(feed_chunk(over, ceiling), "");
  EXPECT_EQ(feed_chunk(over, 1).substr(0, 9), "552 5.3.4");
  EXPECT_TRUE(over.delivered.empty());
}

}  // namespace
}  // namespace smtp::proto::server_dialogue_data_test
