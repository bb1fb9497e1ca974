// run_checks: verdicts, skips, the check deadline and the concurrency bound.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "runner_fixture.hpp"

namespace smtp::check::test::runner_test {
namespace {

namespace asio = boost::asio;
using Kind = TranscriptEntry::Kind;

TEST_F(RunnerTest, PassesWhenTheServerAnswersAsRequired) {
  ScriptedServer server(plain_smtp);
  auto run = this->run(check("E1", R"(
    local c = t:connect()
    c.banner:expect(220)
    c:ehlo():expect(250)
    t:require(c:has("PIPELINING"), "PIPELINING not advertised")
    c:send("NOOP"):expect(250)
    c:quit():expect(221))"),
                       config(server.port()));
  EXPECT_EQ(run.target, "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(run.profile, "mx");
  ASSERT_EQ(run.results.size(), 1u);
  const auto& result = run.results[0];
  EXPECT_EQ(result.verdict, Verdict::pass) << describe(result);
  EXPECT_EQ(result.reason, "");
  EXPECT_EQ(result.id, "E1");
  EXPECT_EQ(result.area, "demo");
  EXPECT_EQ(result.level, Level::must);
  EXPECT_NE(result.source.find("demo.lua:1"), std::string::npos) << result.source;
  EXPECT_GT(result.seconds, 0);
  EXPECT_GE(run.elapsed_seconds, result.seconds);
}

TEST_F(RunnerTest, WrongCodeFailsAMustCheck) {
  ScriptedServer server(plain_smtp);
  auto run = this->run(check("C6", R"(
    local c = t:connect()
    c:send("VRFY nobody"):expect(252, "VRFY"))"),
                       config(server.port()));
  ASSERT_EQ(run.results.size(), 1u);
  EXPECT_EQ(run.results[0].verdict, Verdict::fail) << describe(run.results[0]);
  EXPECT_EQ(run.results[0].reason, "VRFY: expected 252, got 500 5.5.2 Unknown command");
}

TEST_F(RunnerTest, RefusedConnectDuringTheRunIsAnErrorNamingTheTarget) {
  // The probe reaches the target, which is gone when the check connects.
  std::optional<ScriptedServer> server(std::in_place, plain_smtp);
  const auto port = server->port();
  auto run = this->run(check("G1", "    t:connect()"), config(port), {},
                       [&server](const ServerIdentity&) { server.reset(); });
  ASSERT_EQ(run.results.size(), 1u);
  const auto& result = run.results[0];
  EXPECT_EQ(result.verdict, Verdict::error);
  const std::string prefix = "connect 127.0.0.1:" + std::to_string(port) + ": ";
  EXPECT_EQ(result.reason.rfind(prefix, 0), 0u) << result.reason;
  EXPECT_NE(result.reason.find("refused"), std::string::npos) << result.reason;
  EXPECT_NE(find(result, Kind::event, "failed"), nullptr) << describe(result);
}

TEST_F(RunnerTest, ServerThatStopsGreetingIsAnErrorAfterTheReplyTimeout) {
  ScriptedServer server(after_the_probe(silent));
  auto cfg = config(server.port());
  cfg.target.reply_timeout = std::chrono::milliseconds(200);
  auto run = this->run(check("G1", "    t:connect().banner:expect(220)") +
                           check("G1b", "    t:require(t:connect().banner.timeout)"),
                       cfg);
  ASSERT_EQ(run.results.size(), 2u);
  const auto& hung = run.results[0];
  EXPECT_EQ(hung.verdict, Verdict::error) << describe(hung);
  EXPECT_NE(hung.reason.find("expected 220"), std::string::npos) << hung.reason;
  EXPECT_NE(find(hung, Kind::event, "no complete reply within 0.2s"), nullptr) << describe(hung);
  // A check that asks about the timeout sees it as r.timeout.
  EXPECT_EQ(run.results[1].verdict, Verdict::pass) << describe(run.results[1]);
}

// Sends a line that is not a reply, then a good one.
asio::awaitable<void> garbage_then_reply(net::Transport& transport) {
  co_await send(transport, "HELLO I am not SMTP\r\n220 now a greeting\r\n");
  co_await silent(transport);
}

TEST_F(RunnerTest, GarbageIsMalformedAndTheNextReplyStillReads) {
  ScriptedServer server(garbage_then_reply);
  auto run = this->run(check("G2", "    t:connect().banner:expect(220)") + check("G2b", R"(
    local c = t:connect()
    t:require(c.banner.malformed ~= nil, "not malformed")
    t:require(c.banner.malformed:find("invalid_code", 1, true), c.banner.malformed)
    t:require(c.banner.raw == "HELLO I am not SMTP\r\n", "raw: " .. tostring(c.banner.raw))
    c:expect(220))"),
                       config(server.port()));
  ASSERT_EQ(run.results.size(), 2u);
  EXPECT_EQ(run.results[0].verdict, Verdict::error) << describe(run.results[0]);
  EXPECT_NE(run.results[0].reason.find("invalid_code"), std::string::npos) << run.results[0].reason;
  EXPECT_NE(find(run.results[0], Kind::event, "malformed reply"), nullptr);
  EXPECT_EQ(run.results[1].verdict, Verdict::pass) << describe(run.results[1]);
}

TEST_F(RunnerTest, ReplyLinesAreJudgedAtTheRfcLimit) {
  // RFC 5321 §4.5.3.1.5: 512 octets with the CRLF. 510 + CRLF passes, 511 does not.
  static const auto session = [](net::Transport& transport) -> asio::awaitable<void> {
    co_await send(transport, "220 " + std::string(506, 'a') + "\r\n");
    co_await send(transport, "250 " + std::string(507, 'b') + "\r\n");
    co_await silent(transport);
  };
  ScriptedServer server(session);
  auto run = this->run(check("G2", R"(
    local c = t:connect()
    c.banner:expect(220)
    local r = c:read()
    t:require(r.malformed and r.malformed:find("line_too_long", 1, true), tostring(r)))"),
                       config(server.port()));
  ASSERT_EQ(run.results.size(), 1u);
  EXPECT_EQ(run.results[0].verdict, Verdict::pass) << describe(run.results[0]);
}

TEST_F(RunnerTest, OtherProfilesAndOracleChecksAreSkippedWithoutRunning) {
  ScriptedServer server(plain_smtp);
  auto run = this->run(check("A1", "    t:connect()", "profiles = { \"submission\", \"relay\" },") +
                           check("D2", "    t:connect()", "oracle = true,") +
                           check("C1", "    t:connect()", "profiles = { \"mx\" },"),
                       config(server.port()));
  ASSERT_EQ(run.results.size(), 3u);
  EXPECT_EQ(run.results[0].verdict, Verdict::skip);
  EXPECT_EQ(run.results[0].reason, "applies to submission, relay; the profile is mx");
  EXPECT_EQ(run.results[1].verdict, Verdict::skip);
  EXPECT_EQ(run.results[1].reason, "needs the delivery oracle (--oracle HOST:PORT, not given)");
  EXPECT_TRUE(run.results[0].transcript.empty());
  EXPECT_EQ(run.results[2].verdict, Verdict::pass) << describe(run.results[2]);
  EXPECT_EQ(server.sessions(), 2);  // the probe, and C1: the others did not connect
}

// The oracle the runner sees (delivery_oracle.hpp): messages handed in by
// the test, as a capture server would have received them.
class StoredOracle final : public DeliveryOracle {
 public:
  std::vector<std::string> messages;
  int asked = 0;
  std::optional<std::string> find(std::string_view token) override {
    ++asked;
    for (const auto& m : messages) {
      if (holds_token(m, token)) return m;
    }
    return std::nullopt;
  }
  std::string where() const override { return "127.0.0.1:2526"; }
};

TEST_F(RunnerTest, OracleChecksRunAndFindTheirMessageByToken) {
  StoredOracle oracle;
  oracle.messages = {"Subject: other tok12\r\n\r\nno\r\n", "Subject: mine tok1\r\n\r\nbody\r\n"};
  ScriptedServer server(plain_smtp);
  auto cfg = config(server.port());
  cfg.oracle = &oracle;
  cfg.target.oracle = true;
  auto run = this->run(check("D2", R"(
    local got = t:delivered("tok1", 1)
    t:require(got and got:find("mine", 1, true), "got " .. tostring(got)))",
                             "oracle = true,") +
                           check("D7", R"(
    local got = t:delivered("tok3", 0.2)
    t:require(got == nil, "a message arrived: " .. tostring(got))
    t:pass("nothing arrived"))",
                                 "oracle = true,"),
                       cfg);
  ASSERT_EQ(run.results.size(), 2u);
  EXPECT_EQ(run.results[0].verdict, Verdict::pass) << describe(run.results[0]);
  EXPECT_NE(find(run.results[0], Kind::event, "oracle: a message of"), nullptr);
  EXPECT_EQ(run.results[1].verdict, Verdict::pass) << describe(run.results[1]);
  EXPECT_EQ(run.results[1].reason, "nothing arrived");
  EXPECT_NE(find(run.results[1], Kind::event, "oracle: no message holding tok3"), nullptr);
  // Asked again while waiting, not once: a relay delivers after a moment.
  EXPECT_GT(oracle.asked, 2);
}

TEST_F(RunnerTest, DeliveredWithoutAnOracleIsASkip) {
  // A user's own check that calls t:delivered without declaring oracle = true.
  ScriptedServer server(plain_smtp);
  auto run = this->run(check("U1", "    t:delivered(\"x1\", 1)"), config(server.port()));
  ASSERT_EQ(run.results.size(), 1u);
  EXPECT_EQ(run.results[0].verdict, Verdict::skip) << describe(run.results[0]);
  EXPECT_EQ(run.results[0].reason, "needs the delivery oracle (--oracle)");
}

TEST(HoldsToken, MatchesWholeTokensOnly) {
  EXPECT_TRUE(holds_token("To: <d2-h1x51@example.com>", "h1x51"));
  EXPECT_TRUE(holds_token("h1x51", "h1x51"));
  EXPECT_FALSE(holds_token("To: <d2-h1x512@example.com>", "h1x51"));
  EXPECT_FALSE(holds_token("Xh1x51", "h1x51"));
  EXPECT_TRUE(holds_token("h1x512 and h1x51.", "h1x51"));  // the second one
  EXPECT_FALSE(holds_token("anything", ""));
}

TEST_F(RunnerTest, LuaErrorIsAnErrorWithFileAndLine) {
  ScriptedServer server(plain_smtp);
  auto run = this->run(check("X1", "    local x = nil\n    x.field = 1"), config(server.port()));
  ASSERT_EQ(run.results.size(), 1u);
  EXPECT_EQ(run.results[0].verdict, Verdict::error);
  EXPECT_NE(run.results[0].reason.find("demo.lua:"), std::string::npos) << run.results[0].reason;
}

TEST_F(RunnerTest, CheckTimeoutEndsAWaitingCheck) {
  ScriptedServer server(after_the_probe(silent));
  auto cfg = config(server.port());
  cfg.target.reply_timeout = std::chrono::milliseconds(20000);
  cfg.check_timeout = std::chrono::milliseconds(300);
  auto run = this->run(
      check("L7", "    local c = t:connect()\n    c:read(30)") + check("S1", "    t:sleep(30)"),
      cfg);
  ASSERT_EQ(run.results.size(), 2u);
  for (const auto& result : run.results) {
    EXPECT_EQ(result.verdict, Verdict::error) << describe(result);
    EXPECT_EQ(result.reason, "the check did not finish within 0.3s");
    EXPECT_LT(result.seconds, 5.0);
    EXPECT_NE(find(result, Kind::event, "stopped: the check did not finish"), nullptr);
  }
  // The waiting check's connection was closed by the harness.
  EXPECT_NE(find(run.results[0], Kind::event, "closed by the harness"), nullptr)
      << describe(run.results[0]);
}

// Counts the sessions that are between their greeting and QUIT; the count
// drops before the 221 goes out, so a client that has read its 221 is no
// longer counted when it starts its next check.
struct Occupancy {
  std::atomic<int> now{0};
  std::atomic<int> most{0};
};

TEST_F(RunnerTest, RunsAtMostConcurrencyChecksAtOnceInSuiteOrder) {
  Occupancy occupancy;
  ScriptedServer server([&occupancy](net::Transport& transport) -> asio::awaitable<void> {
    const int now = ++occupancy.now;
    int most = occupancy.most.load();
    while (now > most && !occupancy.most.compare_exchange_weak(most, now)) {
    }
    co_await send(transport, "220 ready\r\n");
    LineReader lines(transport);
    while (auto line = co_await lines.next()) {
      if (*line == "QUIT") {
        --occupancy.now;
        co_await send(transport, "221 bye\r\n");
        co_return;
      }
    }
    --occupancy.now;
  });
  const std::string body = R"(
    local c = t:connect()
    c.banner:expect(220)
    t:sleep(0.1)
    c:quit():expect(221))";
  std::string suite;
  for (int i = 1; i <= 6; ++i) suite += check("P" + std::to_string(i), body);
  auto cfg = config(server.port());
  cfg.concurrency = 2;
  std::vector<std::size_t> done_counts;
  auto run =
      this->run(suite, cfg, [&](const CheckResult& result, std::size_t done, std::size_t total) {
        EXPECT_EQ(total, 6u);
        EXPECT_EQ(result.verdict, Verdict::pass) << describe(result);
        done_counts.push_back(done);
      });
  ASSERT_EQ(run.results.size(), 6u);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(run.results[i].id, "P" + std::to_string(i + 1));
  EXPECT_EQ(done_counts, (std::vector<std::size_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(occupancy.most.load(), 2);
  EXPECT_EQ(server.sessions(), 7);  // the probe's, then the checks
}

TEST_F(RunnerTest, UnresolvableHostThrowsNamingTheTarget) {
  auto cfg = config(25);
  cfg.host = "no-such-host.invalid";
  cfg.target.target = "no-such-host.invalid:25";
  EXPECT_EQ(unreachable(check("G1", "    t:connect()"), cfg)
                .rfind("no-such-host.invalid:25: cannot resolve", 0),
            0u);
}

}  // namespace
}  // namespace smtp::check::test::runner_test
