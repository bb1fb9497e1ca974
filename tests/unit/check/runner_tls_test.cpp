// run_checks: TLS, implicit (RFC 8314) and STARTTLS (RFC 3207).
#include <gtest/gtest.h>

#include "runner_fixture.hpp"

namespace smtp::check::test::runner_tls_test {
namespace {

namespace asio = boost::asio;
using Kind = TranscriptEntry::Kind;

// Answers STARTTLS with its 220 and, in the same write, a reply in clear
// text that the client must not take as part of the TLS session (RFC 3207
// §4.2); then runs the TLS handshake and answers EHLO inside it.
asio::awaitable<void> starttls_with_plaintext_after_220(net::Transport& transport,
                                                        asio::ssl::context& tls) {
  co_await send(transport, "220 ready\r\n");
  LineReader lines(transport);
  auto line = co_await lines.next();
  if (!line || *line != "STARTTLS") co_return;
  co_await send(transport, "220 go ahead\r\n250 injected\r\n");
  boost::system::error_code ec;
  co_await transport.server_handshake(tls, ec);
  if (ec) co_return;
  LineReader secured(transport);
  while (auto command = co_await secured.next()) {
    co_await send(transport, "250 secured " + *command + "\r\n");
  }
}

TEST_F(RunnerTest, StarttlsDiscardsPlaintextAfterThe220AndSaysSo) {
  ScriptedServer* self = nullptr;
  ScriptedServer server([&self](net::Transport& transport) -> asio::awaitable<void> {
    co_await starttls_with_plaintext_after_220(transport, self->tls());
  });
  self = &server;
  auto run = this->run(check("T4", R"(
    local c = t:connect()
    c:write("STARTTLS\r\n")
    c:expect(220)
    local ok, why = c:handshake()
    t:require(ok, "handshake: " .. tostring(why))
    t:require(c.tls, "c.tls is not set")
    local r = c:send("NOOP")
    t:require(r.text == "secured NOOP", "inside TLS: " .. tostring(r)))"),
                       config(server.port()));
  ASSERT_EQ(run.results.size(), 1u);
  const auto& result = run.results[0];
  EXPECT_EQ(result.verdict, Verdict::pass) << describe(result);
  EXPECT_NE(find(result, Kind::event, "14 octets of plaintext after the 220 were discarded"),
            nullptr)
      << describe(result);
  EXPECT_NE(find(result, Kind::event, "TLS established (TLSv1."), nullptr) << describe(result);
  // Verification is off by default, and the transcript says what it would find.
  EXPECT_NE(find(result, Kind::event, "the certificate would not verify"), nullptr)
      << describe(result);
}

TEST_F(RunnerTest, ImplicitTlsProfileConnectsWithTlsFromTheFirstByte) {
  ScriptedServer server(plain_smtp, /*implicit_tls=*/true);
  auto cfg = config(server.port());
  cfg.target.profile = "implicit-tls";
  auto run = this->run(check("T6", R"(
    local c = t:connect()
    t:require(c.tls, "not TLS")
    c.banner:expect(220)
    c:quit():expect(221))"),
                       cfg);
  ASSERT_EQ(run.results.size(), 1u);
  EXPECT_EQ(run.results[0].verdict, Verdict::pass) << describe(run.results[0]);
  EXPECT_NE(find(run.results[0], Kind::event, "TLS established"), nullptr);
}

TEST_F(RunnerTest, ImplicitTlsToAPlaintextServerIsAConnectError) {
  ScriptedServer server(plain_smtp);
  auto run = this->run(check("T6", "    t:connect({ tls = true })"), config(server.port()));
  ASSERT_EQ(run.results.size(), 1u);
  const auto& result = run.results[0];
  EXPECT_EQ(result.verdict, Verdict::error);
  const std::string prefix =
      "connect 127.0.0.1:" + std::to_string(server.port()) + ": TLS handshake: ";
  EXPECT_EQ(result.reason.rfind(prefix, 0), 0u) << result.reason;
  EXPECT_NE(find(result, Kind::event, "TLS handshake failed"), nullptr) << describe(result);
}

TEST_F(RunnerTest, VerificationFailsTheHandshakeWhenAsked) {
  // The probe's handshake fails too, but on what the server sent (its
  // certificate): the target is reached, and each check's connect says why.
  ScriptedServer server(plain_smtp, /*implicit_tls=*/true);
  auto cfg = config(server.port());
  cfg.target.profile = "implicit-tls";
  cfg.tls_verify = true;
  cfg.sni = "mail.test";
  auto run = this->run(check("T7", "    t:connect({ tls = true })"), cfg);
  ASSERT_TRUE(run.server.has_value());
  EXPECT_EQ(run.server->software, "unknown");
  ASSERT_EQ(run.results.size(), 1u);
  EXPECT_EQ(run.results[0].verdict, Verdict::error);
  EXPECT_NE(run.results[0].reason.find("TLS handshake"), std::string::npos)
      << run.results[0].reason;
  EXPECT_NE(run.results[0].reason.find("certificate verify failed"), std::string::npos)
      << run.results[0].reason;
}

TEST_F(RunnerTest, APlaintextServerOnTheImplicitTlsPortIsReachedForT6) {
  ScriptedServer server(plain_smtp);
  auto cfg = config(server.port());
  cfg.target.profile = "implicit-tls";
  auto run = this->run(check("T6", R"(
    local c = t:connect({ tls = false })
    t:require(c.banner.ok, tostring(c.banner)))"),
                       cfg);
  ASSERT_TRUE(run.server.has_value());
  EXPECT_EQ(run.server->banner, "");  // nothing was read in clear text
  ASSERT_EQ(run.results.size(), 1u);
  EXPECT_EQ(run.results[0].verdict, Verdict::pass) << describe(run.results[0]);
}

TEST_F(RunnerTest, AnImplicitTlsPortThatNeverAnswersTheHandshakeIsUnreachable) {
  ScriptedServer server(silent);
  auto cfg = config(server.port());
  cfg.target.profile = "implicit-tls";
  cfg.target.reply_timeout = std::chrono::milliseconds(200);
  const std::string error = unreachable(check("T6", "    t:connect()"), cfg);
  EXPECT_EQ(error,
            "127.0.0.1:" + std::to_string(server.port()) + ": TLS handshake: no handshake in time");
}

}  // namespace
}  // namespace smtp::check::test::runner_tls_test
