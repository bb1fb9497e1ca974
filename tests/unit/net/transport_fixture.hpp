#pragma once
// The fixture the Transport tests share: an io_context, TLS contexts with a
// self-signed identity, and a helper that handshakes both ends.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "loopback.hpp"
#include "net/tls_context.hpp"
#include "net/tls_identity.hpp"
#include "net/transport.hpp"

namespace smtp::net::test {

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
  void handshake(TransportPair& pair) {
    error_code server_ec;
    error_code client_ec;
    auto server = [&]() -> asio::awaitable<void> {
      co_await pair.server.server_handshake(*server_ctx_, server_ec);
    };
    auto client = [&]() -> asio::awaitable<void> {
      co_await pair.client.client_handshake(*client_ctx_, "localhost", false, client_ec);
    };
    ASSERT_TRUE(run_all(io_, server(), client()));
    ASSERT_FALSE(server_ec) << server_ec.message();
    ASSERT_FALSE(client_ec) << client_ec.message();
  }
};

inline bool is_modern_tls(const std::string& version) {
  return version == "TLSv1.2" || version == "TLSv1.3";
}

}  // namespace smtp::net::test
