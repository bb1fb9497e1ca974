// Transport when things go wrong: deadlines on silent peers, and peers that
// send garbage instead of a TLS ClientHello.
#include <gtest/gtest.h>

#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "transport_fixture.hpp"

namespace smtp::net::transport_failure_test {
namespace {

using test::error_code;
using test::is_modern_tls;
using test::TransportTest;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace ssl = asio::ssl;

TEST_F(TransportTest, DeadlineFailsReadOnSilentPeerWithTimedOut) {
  test::TransportPair pair = test::connected_transports(io_);
  error_code first;
  error_code second;
  std::size_t n = 99;
  auto reader = [&]() -> asio::awaitable<void> {
    pair.client.expires_after(50ms);
    char buffer[64];
    n = co_await pair.client.read_some(asio::buffer(buffer), first);
    // The deadline has passed: a later operation fails at once.
    (void)co_await pair.client.read_some(asio::buffer(buffer), second);
  };
  ASSERT_TRUE(test::run_all(io_, reader()));
  EXPECT_EQ(first, asio::error::timed_out) << first.message();
  EXPECT_EQ(second, asio::error::timed_out) << second.message();
  EXPECT_EQ(n, 0u);
  EXPECT_TRUE(pair.client.is_open());
}

TEST_F(TransportTest, ClearedDeadlineLetsThePlaintextConnectionContinue) {
  test::TransportPair pair = test::connected_transports(io_);
  error_code timed;
  error_code later;
  std::string got;
  auto reader = [&]() -> asio::awaitable<void> {
    pair.client.expires_after(20ms);
    char buffer[64];
    (void)co_await pair.client.read_some(asio::buffer(buffer), timed);
    pair.client.expires_never();
    error_code write_ec;
    co_await pair.server.write("220 late\r\n", write_ec);
    got = co_await test::read_exactly(pair.client, 10, later);
  };
  ASSERT_TRUE(test::run_all(io_, reader()));
  EXPECT_EQ(timed, asio::error::timed_out);
  EXPECT_FALSE(later) << later.message();
  EXPECT_EQ(got, "220 late\r\n");
}

TEST_F(TransportTest, ReArmedDeadlineDoesNotFireEarly) {
  test::TransportPair pair = test::connected_transports(io_);
  error_code ec;
  std::string got;
  auto reader = [&]() -> asio::awaitable<void> {
    pair.client.expires_after(1ms);
    pair.client.expires_after(1h);  // replaces the first
    got = co_await test::read_exactly(pair.client, 4, ec);
  };
  auto writer = [&]() -> asio::awaitable<void> {
    // Let the first deadline pass before the data comes.
    asio::steady_timer wait(io_, 30ms);
    co_await wait.async_wait(asio::use_awaitable);
    error_code write_ec;
    co_await pair.server.write("221\n", write_ec);
  };
  ASSERT_TRUE(test::run_all(io_, reader(), writer()));
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(got, "221\n");
}

TEST_F(TransportTest, EarlierDeadlineReplacesAPendingLaterOne) {
  test::TransportPair pair = test::connected_transports(io_);
  error_code ec;
  auto reader = [&]() -> asio::awaitable<void> {
    pair.client.expires_after(1h);
    pair.client.expires_after(20ms);  // earlier: must not wait for the hour
    char buffer[8];
    (void)co_await pair.client.read_some(asio::buffer(buffer), ec);
  };
  ASSERT_TRUE(test::run_all(io_, reader()));
  EXPECT_EQ(ec, asio::error::timed_out) << ec.message();
}

// The lazy timer: a deadline moved forward while the first wait is pending
// is honoured when that wait fires (it waits again for the rest).
TEST_F(TransportTest, DeadlineMovedForwardWhileWaitingIsHonoured) {
  test::TransportPair pair = test::connected_transports(io_);
  error_code ec;
  std::string got;
  auto reader = [&]() -> asio::awaitable<void> {
    pair.client.expires_after(40ms);
    got = co_await test::read_exactly(pair.client, 4, ec);
  };
  auto mover = [&]() -> asio::awaitable<void> {
    asio::steady_timer wait(io_, 20ms);
    co_await wait.async_wait(asio::use_awaitable);
    pair.client.expires_after(1h);  // the pending 40 ms wait now only re-arms
    wait.expires_after(60ms);       // past the first deadline
    co_await wait.async_wait(asio::use_awaitable);
    error_code write_ec;
    co_await pair.server.write("250\n", write_ec);
  };
  ASSERT_TRUE(test::run_all(io_, reader(), mover()));
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(got, "250\n");
}

TEST_F(TransportTest, DeadlineFailsWriteToPeerThatNeverReads) {
  test::TransportPair pair = test::connected_transports(io_);
  const std::string big(64 << 20, 'x');  // far beyond the socket buffers
  error_code ec;
  auto writer = [&]() -> asio::awaitable<void> {
    pair.client.expires_after(200ms);
    co_await pair.client.write(big, ec);
  };
  ASSERT_TRUE(test::run_all(io_, writer()));
  EXPECT_EQ(ec, asio::error::timed_out) << ec.message();
}

TEST_F(TransportTest, DeadlineFailsTlsHandshakeWithSilentServer) {
  test::TransportPair pair = test::connected_transports(io_);
  error_code ec;
  auto client = [&]() -> asio::awaitable<void> {
    pair.client.expires_after(100ms);
    co_await pair.client.client_handshake(*client_ctx_, "localhost", false, ec);
  };
  ASSERT_TRUE(test::run_all(io_, client()));
  EXPECT_EQ(ec, asio::error::timed_out) << ec.message();
  EXPECT_FALSE(pair.client.tls());
}

TEST_F(TransportTest, DeadlineFailsTlsReadWithTimedOut) {
  test::TransportPair pair = test::connected_transports(io_);
  handshake(pair);
  ASSERT_FALSE(HasFatalFailure());
  error_code ec;
  auto reader = [&]() -> asio::awaitable<void> {
    pair.server.expires_after(50ms);
    char buffer[64];
    (void)co_await pair.server.read_some(asio::buffer(buffer), ec);
  };
  ASSERT_TRUE(test::run_all(io_, reader()));
  EXPECT_EQ(ec, asio::error::timed_out) << ec.message();
}

// A timed-out read leaves no half-finished state behind: once the deadline
// is cleared, the same TLS connection carries data again.
TEST_F(TransportTest, TlsReadStaysUsableAfterTimeout) {
  test::TransportPair pair = test::connected_transports(io_);
  handshake(pair);
  ASSERT_FALSE(HasFatalFailure());
  error_code timed;
  error_code later;
  std::string got;
  auto reader = [&]() -> asio::awaitable<void> {
    pair.client.expires_after(30ms);
    char buffer[64];
    (void)co_await pair.client.read_some(asio::buffer(buffer), timed);
    pair.client.expires_never();
    error_code write_ec;
    co_await pair.server.write("250 still here\r\n", write_ec);
    got = co_await test::read_exactly(pair.client, 16, later);
  };
  ASSERT_TRUE(test::run_all(io_, reader()));
  EXPECT_EQ(timed, asio::error::timed_out) << timed.message();
  EXPECT_FALSE(later) << later.message();
  EXPECT_EQ(got, "250 still here\r\n");
}

// ---- closing ---------------------------------------------------------------

struct Garbage {
  const char* name;
  std::string bytes;
  bool then_close;  // the peer closes after sending
};

// Test names and failure messages show the case's name, not its bytes.
void PrintTo(const Garbage& g, std::ostream* os) {
  *os << g.name;
}

class GarbageHandshakeTest : public TransportTest, public ::testing::WithParamInterface<Garbage> {};

// A peer that sends anything but a ClientHello makes server_handshake fail
// with an error: no hang (a deadline would show as timed_out), no crash.
TEST_P(GarbageHandshakeTest, ServerHandshakeFails) {
  test::TransportPair pair = test::connected_transports(io_);
  error_code ec;
  auto server = [&]() -> asio::awaitable<void> {
    pair.server.expires_after(10s);
    co_await pair.server.server_handshake(*server_ctx_, ec);
  };
  auto peer = [&]() -> asio::awaitable<void> {
    error_code write_ec;
    co_await pair.client.write(GetParam().bytes, write_ec);
    if (GetParam().then_close) pair.client.close();
  };
  ASSERT_TRUE(test::run_all(io_, server(), peer()));
  EXPECT_TRUE(ec);
  EXPECT_NE(ec, asio::error::timed_out);
  EXPECT_FALSE(pair.server.tls());

  // Reads and writes after the failed handshake are refused, not attempted.
  error_code read_ec;
  error_code write_ec;
  auto after = [&]() -> asio::awaitable<void> {
    char buffer[16];
    (void)co_await pair.server.read_some(asio::buffer(buffer), read_ec);
    co_await pair.server.write("x", write_ec);
  };
  ASSERT_TRUE(test::run_all(io_, after()));
  EXPECT_EQ(read_ec, TransportError::tls_failed);
  EXPECT_EQ(write_ec, TransportError::tls_failed);
}

std::string pseudo_random_bytes(std::size_t n) {
  std::string out(n, '\0');
  std::uint32_t x = 2463534242u;
  for (auto& c : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x);
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(
    Peers, GarbageHandshakeTest,
    ::testing::Values(Garbage{"SmtpCommand", "EHLO client.example\r\n", false},
                      Garbage{"HttpRequest", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", false},
                      Garbage{"RandomBytes", pseudo_random_bytes(4096), false},
                      // A handshake record header announcing 16 KiB, then 3 bytes and EOF.
                      Garbage{"TruncatedRecord", std::string("\x16\x03\x01\x40\x00\x01\x00\x00", 8),
                              true},
                      // An SSLv2-style hello (long header), refused by TLS 1.2+ servers.
                      Garbage{"Sslv2Hello",
                              std::string("\x80\x2e\x01\x00\x02\x00\x15\x00\x00\x00\x10", 11) +
                                  std::string(0x2e, 'A'),
                              false},
                      Garbage{"ImmediateClose", "", true}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace smtp::net::transport_failure_test
