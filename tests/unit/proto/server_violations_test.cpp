// The deliberate violations of the server dialogue (server_violations.hpp):
// the table, and the violations of message content (DATA, BDAT, SIZE); the
// command and session ones are in server_violations_session_test.cpp. Each
// breaks its one requirement, and the requirement next to it still holds. The
// default configuration is the correct server of server_dialogue_test.cpp;
// docs/CONFORMANCE.md ids in the test names' comments.
#include "proto/server_violations.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "proto/dot_unstuffer.hpp"
#include "proto/server_dialogue.hpp"
#include "server_session.hpp"
#include "support/split.hpp"

namespace smtp::proto::server_violations_test {
namespace {

using test::code_of;
using test::Session;
using test::violating;

TEST(ServerViolations, AllOffByDefault) {
  const ServerViolations none;
  for (const auto& v : violation_table) EXPECT_FALSE(none.*v.flag) << v.name;
  EXPECT_EQ(active_violations(ServerConfig{}.violations), "");
}

TEST(ServerViolations, EachNameSetsItsOwnFlag) {
  // A check may have two violations (T3: starttls-twice fails it,
  // starttls-again is only recorded), but each breaks its own requirement.
  std::set<std::string_view> names, requirements;
  for (const auto& v : violation_table) {
    SCOPED_TRACE(std::string(v.name));
    EXPECT_TRUE(names.insert(v.name).second) << "duplicate name";
    EXPECT_TRUE(requirements.insert(v.breaks).second) << "two violations break the same thing";
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
}  // namespace smtp::proto::server_violations_test
