// run_checks: how requests are performed on a connection (buffered replies,
// closes, the transcript).
#include <gtest/gtest.h>

#include "runner_fixture.hpp"

namespace smtp::check::test::runner_io_test {
namespace {

namespace asio = boost::asio;
using Kind = TranscriptEntry::Kind;

// Greets, then answers the first line with three replies in one write
// (RFC 2920 §3.2: a pipelining server may send replies in one batch).
asio::awaitable<void> batched_replies(net::Transport& transport) {
  co_await send(transport, "220 ready\r\n");
  LineReader lines(transport);
  if (!co_await lines.next()) co_return;
  co_await send(transport, "250 one\r\n251 two\r\n252-three\r\n252 three, last line\r\n");
  while (co_await lines.next()) {
  }
}

TEST_F(RunnerTest, PipelinedRepliesAreReadOneByOneFromTheBuffer) {
  ScriptedServer server(batched_replies);
  auto run = this->run(check("P1", R"(
    local c = t:connect()
    c.banner:expect(220)
    c:write("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n")
    local first, second, third = c:read(), c:read(), c:read()
    first:expect(250)
    t:require(first.text == "one", first.text)
    second:expect(251)
    third:expect(252)
    t:require(#third.lines == 2 and third.lines[2] == "three, last line", third.text)
    -- nothing more is buffered: a fourth read waits and times out
    t:require(c:read(0.1).timeout, "a fourth reply"))"),
                       config(server.port()));
  ASSERT_EQ(run.results.size(), 1u);
  EXPECT_EQ(run.results[0].verdict, Verdict::pass) << describe(run.results[0]);
}

TEST_F(RunnerTest, TranscriptRecordsBothDirectionsEventsAndNotesAndRedactsSecrets) {
  ScriptedServer server(plain_smtp);
  auto run = this->run(check("A5", R"(
    local c = t:connect()
    c:write("AUTH PLAIN AHVzZXIAc2VjcmV0\r\n", { secret = true })
    c:read()
    t:note("a note from the check")
    c:quit()
    t:require(c:closed(), "QUIT did not close"))"),
                       config(server.port()));
  ASSERT_EQ(run.results.size(), 1u);
  const auto& result = run.results[0];
  EXPECT_EQ(result.verdict, Verdict::pass) << describe(result);
  EXPECT_FALSE(result.transcript_truncated);

  const auto* connected = find(result, Kind::event, "connected to 127.0.0.1:");
  ASSERT_NE(connected, nullptr) << describe(result);
  EXPECT_EQ(connected->connection, 1);
  EXPECT_NE(find(result, Kind::server, "220 test.example ESMTP\r\n"), nullptr);
  EXPECT_NE(find(result, Kind::client, "<redacted 29 octets>"), nullptr) << describe(result);
  EXPECT_NE(find(result, Kind::client, "QUIT\r\n"), nullptr);
  EXPECT_NE(find(result, Kind::server, "221 2.0.0 Bye"), nullptr);
  EXPECT_NE(find(result, Kind::event, "closed by the peer"), nullptr) << describe(result);
  const auto* note = find(result, Kind::note, "a note from the check");
  ASSERT_NE(note, nullptr);
  EXPECT_EQ(note->connection, 0);
  for (const auto& entry : result.transcript) {
    EXPECT_EQ(entry.text.find("c2VjcmV0"), std::string::npos) << "secret in: " << entry.text;
  }
  for (std::size_t i = 1; i < result.transcript.size(); ++i) {
    EXPECT_GE(result.transcript[i].at_seconds, result.transcript[i - 1].at_seconds);
  }
}

// Answers "LATE" with a reply but stays open; QUIT closes.
asio::awaitable<void> late_reply(net::Transport& transport) {
  co_await send(transport, "220 ready\r\n");
  LineReader lines(transport);
  while (auto line = co_await lines.next()) {
    if (*line == "LATE") co_await send(transport, "250 late\r\n");
  }
}

TEST_F(RunnerTest, WaitingForACloseKeepsTheBytesThatCameInstead) {
  ScriptedServer server(late_reply);
  auto run = this->run(check("C3", R"(
    local c = t:connect()
    c:write("LATE\r\n")
    t:require(not c:closed(0.2), "reported closed")
    c:expect(250))"),
                       config(server.port()));
  ASSERT_EQ(run.results.size(), 1u);
  EXPECT_EQ(run.results[0].verdict, Verdict::pass) << describe(run.results[0]);
  EXPECT_NE(find(run.results[0], Kind::event, "still open after 0.2s"), nullptr)
      << describe(run.results[0]);
}

// Greets with half a reply and hangs up.
asio::awaitable<void> greet_partly_and_close(net::Transport& transport) {
  co_await send(transport, "220-first line\r\n220 sec");
}

TEST_F(RunnerTest, PeerCloseBeforeACompleteReplyIsClosedWithThePartialBytes) {
  ScriptedServer server(greet_partly_and_close);
  auto run = this->run(check("G1", R"(
    local c = t:connect()
    local r = c.banner
    t:require(r.closed, "not closed: " .. tostring(r))
    t:require(r.raw == "220-first line\r\n220 sec", "raw: " .. tostring(r.raw))
    t:require(c:closed(0.1), "closed() is false")
    t:require(c:read().closed, "a second read is not closed")
    local ok = c:write("NOOP\r\n")
    c:close())"),
                       config(server.port()));
  ASSERT_EQ(run.results.size(), 1u);
  EXPECT_EQ(run.results[0].verdict, Verdict::pass) << describe(run.results[0]);
}

TEST_F(RunnerTest, RequestsOnAClosedConnectionFail) {
  ScriptedServer server(plain_smtp);
  auto run = this->run(check("C3", R"(
    local c = t:connect()
    c:close()
    local r = c:read()
    t:require(r.failed == "connection 1 is closed", tostring(r.failed)))"),
                       config(server.port()));
  ASSERT_EQ(run.results.size(), 1u);
  EXPECT_EQ(run.results[0].verdict, Verdict::pass) << describe(run.results[0]);
}

// Reads everything the client sends, answering each line with 500.
asio::awaitable<void> sink(net::Transport& transport) {
  co_await send(transport, "220 ready\r\n");
  LineReader lines(transport);
  while (co_await lines.next()) co_await send(transport, "500 too long\r\n");
}

TEST_F(RunnerTest, TranscriptIsCappedForHugeWrites) {
  ScriptedServer server(sink);
  auto run = this->run(check("L2", R"(
    local c = t:connect()
    c:write(string.rep("x", 300000) .. "\r\n")
    c:expect(500))"),
                       config(server.port()));
  ASSERT_EQ(run.results.size(), 1u);
  const auto& result = run.results[0];
  EXPECT_EQ(result.verdict, Verdict::pass) << result.reason;
  EXPECT_TRUE(result.transcript_truncated);
  std::size_t traffic = 0;
  for (const auto& entry : result.transcript) {
    if (entry.kind == Kind::client || entry.kind == Kind::server) traffic += entry.text.size();
  }
  EXPECT_LE(traffic, kMaxTranscriptOctets);
  EXPECT_NE(find(result, Kind::event, "transcript truncated"), nullptr);
}

}  // namespace
}  // namespace smtp::check::test::runner_io_test
