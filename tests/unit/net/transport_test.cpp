// Transport over real loopback connections: plaintext, implicit TLS, STARTTLS
// upgrade, deadlines, close and reset, and peers that send garbage.
#include "net/transport.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "loopback.hpp"
#include "net/tls_context.hpp"
#include "net/tls_identity.hpp"

namespace smtp::net {
namespace {

using test::error_code;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace ssl = asio::ssl;

class TransportTest : public ::testing::Test {
 protected:
  asio::io_context io_;
  std::shared_ptr<ssl::context> server_ctx_ = make_server_tls(identity());
  std::shared_ptr<ssl::context> client_ctx_ = make_client_tls(false);

  static const TlsIdentity& identity() {
    static const TlsIdentity id = make_self_signed("mail.test");
    return id;
  }

  // Both sides handshake (implicit TLS); fails the test if either fails.
  void handshake(test::TransportPair& pair) {
    error_code server_ec;
    error_code client_ec;
    auto server = [&]() -> asio::awaitable<void> {
      co_await pair.server.server_handshake(*server_ctx_, server_ec);
    };
    auto client = [&]() -> asio::awaitable<void> {
      co_await pair.client.client_handshake(*client_ctx_, "localhost", false, client_ec);
    };
    ASSERT_TRUE(test::run_all(io_, server(), client()));
    ASSERT_FALSE(server_ec) << server_ec.message();
    ASSERT_FALSE(client_ec) << client_ec.message();
  }
};

bool is_modern_tls(const std::string& version) {
  return version == "TLSv1.2" || version == "TLSv1.3";
}

TEST_F(TransportTest, PlaintextExchangeAndEndpoints) {
  test::TransportPair pair = test::connected_transports(io_);
  EXPECT_EQ(pair.server.remote_endpoint(), pair.client.local_endpoint());
  EXPECT_EQ(pair.client.remote_endpoint(), pair.server.local_endpoint());
  EXPECT_EQ(pair.client.remote_endpoint().address().to_string(), "127.0.0.1");
  EXPECT_NE(pair.client.remote_endpoint().port(), 0);

  std::string server_got;
  std::string client_got;
  error_code server_ec;
  error_code client_ec;
  auto server = [&]() -> asio::awaitable<void> {
    co_await pair.server.write("220 mail.test ESMTP\r\n", server_ec);
    if (!server_ec) server_got = co_await test::read_exactly(pair.server, 13, server_ec);
  };
  auto client = [&]() -> asio::awaitable<void> {
    client_got = co_await test::read_exactly(pair.client, 21, client_ec);
    if (!client_ec) co_await pair.client.write("EHLO client\r\n", client_ec);
  };
  ASSERT_TRUE(test::run_all(io_, server(), client()));
  EXPECT_FALSE(server_ec) << server_ec.message();
  EXPECT_FALSE(client_ec) << client_ec.message();
  EXPECT_EQ(client_got, "220 mail.test ESMTP\r\n");
  EXPECT_EQ(server_got, "EHLO client\r\n");
  EXPECT_FALSE(pair.server.tls());
  EXPECT_EQ(pair.server.tls_version(), "");
  EXPECT_EQ(pair.server.tls_cipher(), "");
}

TEST_F(TransportTest, ImplicitTlsExchangesBytesBothWays) {
  test::TransportPair pair = test::connected_transports(io_);
  handshake(pair);
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_TRUE(pair.server.tls());
  EXPECT_TRUE(pair.client.tls());
  EXPECT_TRUE(is_modern_tls(pair.server.tls_version())) << pair.server.tls_version();
  EXPECT_EQ(pair.client.tls_version(), pair.server.tls_version());
  EXPECT_NE(pair.client.tls_cipher(), "");
  EXPECT_EQ(pair.client.tls_cipher(), pair.server.tls_cipher());

  std::string server_got;
  std::string client_got;
  error_code server_ec;
  error_code client_ec;
  auto server = [&]() -> asio::awaitable<void> {
    co_await pair.server.write("220 mail.test ESMTP\r\n", server_ec);
    if (!server_ec) server_got = co_await test::read_exactly(pair.server, 13, server_ec);
  };
  auto client = [&]() -> asio::awaitable<void> {
    client_got = co_await test::read_exactly(pair.client, 21, client_ec);
    if (!client_ec) co_await pair.client.write("EHLO client\r\n", client_ec);
  };
  ASSERT_TRUE(test::run_all(io_, server(), client()));
  EXPECT_FALSE(server_ec) << server_ec.message();
  EXPECT_FALSE(client_ec) << client_ec.message();
  EXPECT_EQ(client_got, "220 mail.test ESMTP\r\n");
  EXPECT_EQ(server_got, "EHLO client\r\n");
}

// One read and one write pending at once on each side, through TLS, with far
// more data than any socket buffer: write() must send everything, and the
// two directions must not block each other.
TEST_F(TransportTest, TlsCarriesAMebibyteEachWayAtOnce) {
  test::TransportPair pair = test::connected_transports(io_);
  handshake(pair);
  ASSERT_FALSE(HasFatalFailure());
  std::string up(1 << 20, '\0');
  std::string down(1 << 20, '\0');
  for (std::size_t i = 0; i < up.size(); ++i) {
    up[i] = static_cast<char>(i * 7 + i / 4096);
    down[i] = static_cast<char>(i * 13 + 1);
  }
  error_code ec[4];
  std::string server_got;
  std::string client_got;
  auto server_write = [&]() -> asio::awaitable<void> { co_await pair.server.write(down, ec[0]); };
  auto server_read = [&]() -> asio::awaitable<void> {
    server_got = co_await test::read_exactly(pair.server, up.size(), ec[1]);
  };
  auto client_write = [&]() -> asio::awaitable<void> { co_await pair.client.write(up, ec[2]); };
  auto client_read = [&]() -> asio::awaitable<void> {
    client_got = co_await test::read_exactly(pair.client, down.size(), ec[3]);
  };
  ASSERT_TRUE(test::run_all(io_, server_write(), server_read(), client_write(), client_read()));
  for (const auto& e : ec) EXPECT_FALSE(e) << e.message();
  EXPECT_TRUE(server_got == up);
  EXPECT_TRUE(client_got == down);
}

// RFC 3207: plaintext, then both sides upgrade the same connection in place.
TEST_F(TransportTest, StartTlsUpgradesInPlace) {
  test::TransportPair pair = test::connected_transports(io_);
  const auto remote_before = pair.client.remote_endpoint();
  std::string server_plain;
  std::string client_plain;
  std::string server_tls;
  std::string client_tls;
  error_code server_ec;
  error_code client_ec;
  auto server = [&]() -> asio::awaitable<void> {
    server_plain = co_await test::read_exactly(pair.server, 10, server_ec);
    if (server_ec) co_return;
    co_await pair.server.write("220 2.0.0 Ready to start TLS\r\n", server_ec);
    if (server_ec) co_return;
    co_await pair.server.server_handshake(*server_ctx_, server_ec);
    if (server_ec) co_return;
    server_tls = co_await test::read_exactly(pair.server, 13, server_ec);
    if (server_ec) co_return;
    co_await pair.server.write("250 mail.test\r\n", server_ec);
  };
  auto client = [&]() -> asio::awaitable<void> {
    co_await pair.client.write("STARTTLS\r\n", client_ec);
    if (client_ec) co_return;
    client_plain = co_await test::read_exactly(pair.client, 30, client_ec);
    if (client_ec) co_return;
    co_await pair.client.client_handshake(*client_ctx_, "localhost", false, client_ec);
    if (client_ec) co_return;
    co_await pair.client.write("EHLO client\r\n", client_ec);
    if (client_ec) co_return;
    client_tls = co_await test::read_exactly(pair.client, 15, client_ec);
  };
  ASSERT_TRUE(test::run_all(io_, server(), client()));
  EXPECT_FALSE(server_ec) << server_ec.message();
  EXPECT_FALSE(client_ec) << client_ec.message();
  EXPECT_EQ(server_plain, "STARTTLS\r\n");
  EXPECT_EQ(client_plain, "220 2.0.0 Ready to start TLS\r\n");
  EXPECT_EQ(server_tls, "EHLO client\r\n");
  EXPECT_EQ(client_tls, "250 mail.test\r\n");
  EXPECT_TRUE(pair.server.tls());
  EXPECT_TRUE(is_modern_tls(pair.client.tls_version())) << pair.client.tls_version();
  EXPECT_EQ(pair.client.remote_endpoint(), remote_before);
}

// CVE-2011-0411 (RFC 3207 §4.2): plaintext pipelined after STARTTLS lands in
// the caller's buffer, which the caller drops; the Transport never hands it
// to the TLS layer or replays it as if it came through TLS.
TEST_F(TransportTest, PlaintextPipelinedAfterStartTlsNeverAppearsInsideTls) {
  test::TransportPair pair = test::connected_transports(io_);
  std::string server_plain;
  std::string server_tls;
  error_code server_ec;
  error_code client_ec;
  auto server = [&]() -> asio::awaitable<void> {
    char buffer[512];
    const std::size_t n = co_await pair.server.read_some(asio::buffer(buffer), server_ec);
    server_plain.assign(buffer, n);  // the caller's buffer, discarded here
    if (server_ec) co_return;
    co_await pair.server.write("220 Ready\r\n", server_ec);
    if (server_ec) co_return;
    co_await pair.server.server_handshake(*server_ctx_, server_ec);
    if (server_ec) co_return;
    server_tls = co_await test::read_exactly(pair.server, 13, server_ec);
  };
  auto client = [&]() -> asio::awaitable<void> {
    co_await pair.client.write("STARTTLS\r\nNOOP\r\n", client_ec);
    if (client_ec) co_return;
    (void)co_await test::read_exactly(pair.client, 11, client_ec);
    if (client_ec) co_return;
    co_await pair.client.client_handshake(*client_ctx_, "localhost", false, client_ec);
    if (client_ec) co_return;
    co_await pair.client.write("EHLO client\r\n", client_ec);
  };
  ASSERT_TRUE(test::run_all(io_, server(), client()));
  ASSERT_EQ(server_plain, "STARTTLS\r\nNOOP\r\n");  // one segment on loopback
  EXPECT_FALSE(server_ec) << server_ec.message();
  EXPECT_FALSE(client_ec) << client_ec.message();
  EXPECT_EQ(server_tls, "EHLO client\r\n");
}

TEST_F(TransportTest, SecondHandshakeIsRefused) {
  test::TransportPair pair = test::connected_transports(io_);
  handshake(pair);
  ASSERT_FALSE(HasFatalFailure());
  error_code ec;
  auto again = [&]() -> asio::awaitable<void> {
    co_await pair.client.client_handshake(*client_ctx_, "localhost", false, ec);
  };
  ASSERT_TRUE(test::run_all(io_, again()));
  EXPECT_EQ(ec, TransportError::tls_active);
  EXPECT_TRUE(pair.client.tls());  // still usable
}

// A host name OpenSSL will not put into SNI (over 255 bytes) or one with a NUL
// fails the handshake call before any byte is sent; the connection is still
// plaintext and usable.
TEST_F(TransportTest, UnusableSniHostFailsBeforeSendingAndKeepsPlaintext) {
  test::TransportPair pair = test::connected_transports(io_);
  const std::string too_long = std::string(300, 'a') + ".test";
  error_code long_ec;
  error_code nul_ec;
  error_code write_ec;
  error_code read_ec;
  std::string got;
  auto client = [&]() -> asio::awaitable<void> {
    co_await pair.client.client_handshake(*client_ctx_, too_long, false, long_ec);
    co_await pair.client.client_handshake(*client_ctx_, std::string("a\0b", 3), false, nul_ec);
    co_await pair.client.write("QUIT\r\n", write_ec);
  };
  auto server = [&]() -> asio::awaitable<void> {
    got = co_await test::read_exactly(pair.server, 6, read_ec);
  };
  ASSERT_TRUE(test::run_all(io_, client(), server()));
  EXPECT_TRUE(long_ec);
  EXPECT_EQ(long_ec.category(), asio::error::get_ssl_category()) << long_ec.message();
  EXPECT_EQ(nul_ec, asio::error::invalid_argument) << nul_ec.message();
  EXPECT_FALSE(write_ec) << write_ec.message();
  EXPECT_FALSE(read_ec) << read_ec.message();
  EXPECT_EQ(got, "QUIT\r\n");  // plaintext: nothing of a ClientHello came first
  EXPECT_FALSE(pair.client.tls());
}

TEST_F(TransportTest, MovedTransportKeepsItsConnectionAndTls) {
  test::TransportPair pair = test::connected_transports(io_);
  handshake(pair);
  ASSERT_FALSE(HasFatalFailure());
  Transport moved = std::move(pair.client);
  EXPECT_TRUE(moved.tls());
  std::string got;
  error_code write_ec;
  error_code read_ec;
  auto writer = [&]() -> asio::awaitable<void> { co_await moved.write("QUIT\r\n", write_ec); };
  auto reader = [&]() -> asio::awaitable<void> {
    got = co_await test::read_exactly(pair.server, 6, read_ec);
  };
  ASSERT_TRUE(test::run_all(io_, writer(), reader()));
  EXPECT_FALSE(write_ec) << write_ec.message();
  EXPECT_FALSE(read_ec) << read_ec.message();
  EXPECT_EQ(got, "QUIT\r\n");
}

// ---- deadlines -------------------------------------------------------------

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

TEST_F(TransportTest, CloseGivesPeerEndOfStream) {
  test::TransportPair pair = test::connected_transports(io_);
  error_code ec;
  std::string got;
  auto server = [&]() -> asio::awaitable<void> {
    error_code write_ec;
    co_await pair.server.write("221 bye\r\n", write_ec);
    pair.server.close();
    pair.server.close();  // idempotent
  };
  auto client = [&]() -> asio::awaitable<void> {
    got = co_await test::read_until_error(pair.client, ec);
  };
  ASSERT_TRUE(test::run_all(io_, server(), client()));
  EXPECT_EQ(ec, asio::error::eof) << ec.message();
  EXPECT_EQ(got, "221 bye\r\n");
  EXPECT_FALSE(pair.server.is_open());
  // Still known after close, for the transcript.
  EXPECT_EQ(pair.server.remote_endpoint(), pair.client.local_endpoint());
}

// close() sends close_notify, so the peer sees a clean end of the TLS stream
// (eof), not a truncation, even though close() never waits for the peer.
TEST_F(TransportTest, TlsCloseSendsCloseNotify) {
  test::TransportPair pair = test::connected_transports(io_);
  handshake(pair);
  ASSERT_FALSE(HasFatalFailure());
  error_code ec;
  std::string got;
  auto server = [&]() -> asio::awaitable<void> {
    error_code write_ec;
    co_await pair.server.write("221 bye\r\n", write_ec);
    pair.server.close();
  };
  auto client = [&]() -> asio::awaitable<void> {
    got = co_await test::read_until_error(pair.client, ec);
  };
  ASSERT_TRUE(test::run_all(io_, server(), client()));
  EXPECT_EQ(ec, asio::error::eof) << ec.message();
  EXPECT_EQ(got, "221 bye\r\n");
}

// The counterpart: dropping the TCP connection without close_notify is a
// truncation, which a client must not take for a clean end (RFC 8446 §6.1).
TEST_F(TransportTest, TlsDropWithoutCloseNotifyIsTruncation) {
  test::TransportPair pair = test::connected_transports(io_);
  handshake(pair);
  ASSERT_FALSE(HasFatalFailure());
  std::optional<Transport> server(std::move(pair.server));
  error_code ec;
  auto client = [&]() -> asio::awaitable<void> {
    server.reset();  // destroyed: the socket closes, no alert sent
    (void)co_await test::read_until_error(pair.client, ec);
  };
  ASSERT_TRUE(test::run_all(io_, client()));
  EXPECT_EQ(ec, ssl::error::stream_truncated) << ec.message();
}

TEST_F(TransportTest, ResetGivesPeerConnectionReset) {
  test::TransportPair pair = test::connected_transports(io_);
  error_code ec;
  auto server = [&]() -> asio::awaitable<void> {
    char buffer[64];
    (void)co_await pair.server.read_some(asio::buffer(buffer), ec);
  };
  auto client = [&]() -> asio::awaitable<void> {
    pair.client.reset();
    pair.client.reset();  // idempotent
    co_return;
  };
  ASSERT_TRUE(test::run_all(io_, server(), client()));
  EXPECT_EQ(ec, asio::error::connection_reset) << ec.message();
  EXPECT_FALSE(pair.client.is_open());
}

TEST_F(TransportTest, CloseAbortsPendingReadWithOperationAborted) {
  test::TransportPair pair = test::connected_transports(io_);
  error_code ec;
  auto reader = [&]() -> asio::awaitable<void> {
    char buffer[64];
    (void)co_await pair.client.read_some(asio::buffer(buffer), ec);
  };
  auto closer = [&]() -> asio::awaitable<void> {
    pair.client.close();
    co_return;
  };
  ASSERT_TRUE(test::run_all(io_, reader(), closer()));
  EXPECT_EQ(ec, asio::error::operation_aborted) << ec.message();

  error_code later;
  auto again = [&]() -> asio::awaitable<void> { co_await pair.client.write("x", later); };
  ASSERT_TRUE(test::run_all(io_, again()));
  EXPECT_EQ(later, asio::error::bad_descriptor) << later.message();
}

// close() with a TLS read pending on the same Transport: the read is aborted,
// the peer still gets a clean close_notify.
TEST_F(TransportTest, TlsCloseWithReadPending) {
  test::TransportPair pair = test::connected_transports(io_);
  handshake(pair);
  ASSERT_FALSE(HasFatalFailure());
  error_code client_ec;
  error_code server_ec;
  auto client_read = [&]() -> asio::awaitable<void> {
    char buffer[64];
    (void)co_await pair.client.read_some(asio::buffer(buffer), client_ec);
  };
  auto client_close = [&]() -> asio::awaitable<void> {
    pair.client.close();
    co_return;
  };
  auto server_read = [&]() -> asio::awaitable<void> {
    (void)co_await test::read_until_error(pair.server, server_ec);
  };
  ASSERT_TRUE(test::run_all(io_, client_read(), client_close(), server_read()));
  EXPECT_EQ(client_ec, asio::error::operation_aborted) << client_ec.message();
  EXPECT_EQ(server_ec, asio::error::eof) << server_ec.message();
}

TEST_F(TransportTest, UnconnectedSocketHasDefaultEndpointsAndNoThrow) {
  Transport t{asio::ip::tcp::socket(io_)};
  EXPECT_EQ(t.remote_endpoint(), Transport::Endpoint());
  EXPECT_EQ(t.local_endpoint(), Transport::Endpoint());
  EXPECT_FALSE(t.is_open());
  t.close();
  t.reset();
}

// ---- hostile peers -----------------------------------------------------------

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
}  // namespace smtp::net
