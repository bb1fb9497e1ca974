// run_checks: the probe before the checks (check/target_probe.hpp) and what
// it finds: a target it cannot reach ends the run with one error; one that
// answers anything is judged, its greeting and EHLO reply name the server,
// and the runner adds the table's hints to the verdicts.
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "check/remediation_hints.hpp"
#include "runner_fixture.hpp"

namespace smtp::check::test {
namespace {

namespace asio = boost::asio;

// The lines a scripted server received, written on its thread and read by
// the test once the run is over.
struct Received {
  std::mutex mutex;
  std::vector<std::string> lines;

  void add(std::string line) {
    std::lock_guard lock(mutex);
    lines.push_back(std::move(line));
  }
  std::vector<std::string> all() {
    std::lock_guard lock(mutex);
    return lines;
  }
};

// Greets with `greeting`, answers EHLO with `ehlo`, QUIT with 221 and a
// close, anything else with 250; records every line.
ScriptedServer::Session recording(std::shared_ptr<Received> received, std::string greeting,
                                  std::string ehlo) {
  return [received, greeting, ehlo](net::Transport& transport) -> asio::awaitable<void> {
    co_await send(transport, greeting);
    LineReader lines(transport);
    while (auto line = co_await lines.next()) {
      received->add(*line);
      if (line->rfind("EHLO ", 0) == 0) {
        co_await send(transport, ehlo);
      } else if (*line == "QUIT") {
        co_await send(transport, "221 2.0.0 Bye\r\n");
        co_return;
      } else {
        co_await send(transport, "250 2.0.0 Ok\r\n");
      }
    }
  };
}

const std::string kNoop = "    local c = t:connect()\n    c:send(\"NOOP\")";

TEST_F(RunnerTest, TheProbeSaysEhloAndQuitAndNamesTheServer) {
  auto received = std::make_shared<Received>();
  ScriptedServer server(recording(received, "220 mx.test ESMTP Postfix (Debian/GNU)\r\n",
                                  "250-mx.test\r\n250-PIPELINING\r\n250 SMTPUTF8\r\n"));
  std::optional<ServerIdentity> reached;
  auto run = this->run(check("C1", kNoop), config(server.port()), {},
                       [&reached](const ServerIdentity& identity) { reached = identity; });
  ASSERT_TRUE(run.server.has_value());
  EXPECT_EQ(run.server->software, "Postfix");
  EXPECT_EQ(run.server->version, "unknown");
  EXPECT_EQ(run.server->banner, "220 mx.test ESMTP Postfix (Debian/GNU)");
  EXPECT_EQ(run.server->ehlo, "250-mx.test");
  EXPECT_EQ(reached, run.server);
  // The probe's session, then the check's.
  const auto lines = received->all();
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0], "EHLO client.example");
  EXPECT_EQ(lines[1], "QUIT");
  EXPECT_EQ(lines[2], "NOOP");
  ASSERT_EQ(run.results.size(), 1u);
  EXPECT_EQ(run.results[0].verdict, Verdict::pass) << describe(run.results[0]);
}

TEST_F(RunnerTest, A554GreetingIsReachableAndGetsQuitWithoutEhlo) {
  // RFC 5321 §3.1: after a 554 greeting the server waits for QUIT.
  auto received = std::make_shared<Received>();
  ScriptedServer server(recording(received, "554 mx.test no service here\r\n", ""));
  auto run = this->run(check("G1", "    t:connect().banner:expect(554)"), config(server.port()));
  ASSERT_TRUE(run.server.has_value());
  EXPECT_EQ(run.server->banner, "554 mx.test no service here");
  EXPECT_EQ(run.server->ehlo, "");
  EXPECT_EQ(run.server->software, "unknown");
  const auto lines = received->all();
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "QUIT");
  ASSERT_EQ(run.results.size(), 1u);
  EXPECT_EQ(run.results[0].verdict, Verdict::pass) << describe(run.results[0]);
}

// Sends a line that is no reply, then waits for the client's close.
asio::awaitable<void> garbage(net::Transport& transport) {
  co_await send(transport, "hello, I am not SMTP\r\n");
  LineReader lines(transport);
  while (co_await lines.next()) {
  }
}

TEST_F(RunnerTest, GarbageIsReachableForTheChecksToJudge) {
  ScriptedServer server(garbage);
  auto run = this->run(check("G2", "    t:connect().banner:expect(220)"), config(server.port()));
  ASSERT_TRUE(run.server.has_value());
  EXPECT_EQ(run.server->banner, "hello, I am not SMTP");
  EXPECT_EQ(run.server->software, "unknown");
  ASSERT_EQ(run.results.size(), 1u);
  EXPECT_EQ(run.results[0].verdict, Verdict::error) << describe(run.results[0]);
  EXPECT_NE(run.results[0].reason.find("invalid_code"), std::string::npos) << run.results[0].reason;
}

TEST_F(RunnerTest, ARefusedConnectionEndsTheRunWithOneError) {
  const auto port = closed_port();
  const std::string error = unreachable(check("G1", "    t:connect()"), config(port));
  const std::string prefix = "127.0.0.1:" + std::to_string(port) + ": connect: ";
  EXPECT_EQ(error.rfind(prefix, 0), 0u) << error;
  EXPECT_NE(error.find("refused"), std::string::npos) << error;
}

TEST_F(RunnerTest, NoGreetingWithinTheReplyTimeoutEndsTheRunWithOneError) {
  ScriptedServer server(silent);
  auto cfg = config(server.port());
  cfg.target.reply_timeout = std::chrono::milliseconds(200);
  const std::string error = unreachable(check("G1", "    t:connect()"), cfg);
  EXPECT_EQ(error, "127.0.0.1:" + std::to_string(server.port()) + ": no greeting within 0.2s");
  EXPECT_EQ(server.sessions(), 1);
}

TEST_F(RunnerTest, ACloseBeforeAnyByteEndsTheRunWithOneError) {
  ScriptedServer server([](net::Transport&) -> asio::awaitable<void> { co_return; });
  const std::string error = unreachable(check("G1", "    t:connect()"), config(server.port()));
  EXPECT_EQ(error,
            "127.0.0.1:" + std::to_string(server.port()) + ": no greeting: closed by the peer");
}

TEST_F(RunnerTest, APartialGreetingIsReachable) {
  ScriptedServer server([](net::Transport& transport) -> asio::awaitable<void> {
    co_await send(transport, "220-first line\r\n220 sec");
  });
  auto run = this->run(check("G1", "    t:require(t:connect().banner.closed, 'not closed')"),
                       config(server.port()));
  ASSERT_TRUE(run.server.has_value());
  EXPECT_EQ(run.server->banner, "220-first line");
  ASSERT_EQ(run.results.size(), 1u);
  EXPECT_EQ(run.results[0].verdict, Verdict::pass) << describe(run.results[0]);
}

TEST_F(RunnerTest, HintsAreAddedAfterTheVerdictsForTheServerNamed) {
  std::vector<std::string> seen;
  // A FAIL of D3 and a PASS of D5 on a server whose greeting names it.
  const auto failing_d3 = [this, &seen](const std::string& greeting) {
    ScriptedServer server(recording(std::make_shared<Received>(), greeting, "250 mx.test\r\n"));
    return run(
        check("D3", "    t:fail('a look-alike ended the data')") + check("D5", "    t:pass()"),
        config(server.port()), [&seen](const CheckResult& result, std::size_t, std::size_t) {
          seen.push_back(result.hint);
        });
  };
  auto run = failing_d3("220 mx.test ESMTP Postfix\r\n");
  ASSERT_EQ(run.results.size(), 2u);
  EXPECT_EQ(run.results[0].verdict, Verdict::fail) << describe(run.results[0]);
  EXPECT_EQ(run.results[0].hint, remediation_hint("Postfix", "D3", Verdict::fail));
  EXPECT_NE(run.results[0].hint.find("smtpd_forbid_bare_newline = normalize"), std::string::npos);
  EXPECT_EQ(run.results[1].verdict, Verdict::pass) << describe(run.results[1]);
  EXPECT_EQ(run.results[1].hint, "");  // a PASS has nothing to fix
  // The progress callback sees them already (the text output prints them).
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen[0] == run.results[0].hint || seen[1] == run.results[0].hint);

  seen.clear();
  auto exim = failing_d3("220 mx.test ESMTP Exim 4.96\r\n");
  ASSERT_TRUE(exim.server.has_value());
  EXPECT_EQ(exim.server->software, "Exim");
  EXPECT_EQ(exim.server->version, "4.96");
  ASSERT_EQ(exim.results.size(), 2u);
  EXPECT_EQ(exim.results[0].verdict, Verdict::fail);
  EXPECT_EQ(exim.results[0].hint, "");
}

}  // namespace
}  // namespace smtp::check::test
