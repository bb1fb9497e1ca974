// Transport over real loopback connections: plaintext, implicit TLS, the
// STARTTLS upgrade, close and reset.
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

#include "transport_fixture.hpp"

namespace smtp::net::transport_test {
namespace {

using test::error_code;
using test::is_modern_tls;
using test::TransportTest;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace ssl = asio::ssl;

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

}  // namespace
}  // namespace smtp::net::transport_test
