// make_server_tls / make_client_tls, checked both by what the contexts say
// and by real handshakes through Transport on loopback.
#include "net/tls_context.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/error.hpp>

#include <string>

#include "loopback.hpp"
#include "net/tls_identity.hpp"
#include "net/transport.hpp"
#include "temp_dir.hpp"

namespace smtp::net::tls_context_test {
namespace {

using test::error_code;
namespace asio = boost::asio;
namespace ssl = asio::ssl;

// OpenSSL's reason code from an error in Asio's ssl category.
int ssl_reason(const error_code& ec) {
  if (ec.category() != asio::error::get_ssl_category()) return -1;
  return ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
}

class TlsContextTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { identity_ = new TlsIdentity(make_self_signed("mail.test")); }
  static void TearDownTestSuite() {
    delete identity_;
    identity_ = nullptr;
  }
  static const TlsIdentity& identity() { return *identity_; }

  // Handshakes a server Transport against a client Transport; returns both
  // sides' errors.
  struct Outcome {
    error_code server;
    error_code client;
    std::string client_verify_error;
    std::string client_failure;  // handshake_failure("reason")
    std::string server_version;
  };
  Outcome handshake(ssl::context& server_ctx, ssl::context& client_ctx, const std::string& host,
                    bool verify) {
    test::TransportPair pair = test::connected_transports(io_);
    Outcome out;
    auto server = [&]() -> asio::awaitable<void> {
      pair.server.expires_after(std::chrono::seconds(10));
      co_await pair.server.server_handshake(server_ctx, out.server);
      out.server_version = pair.server.tls_version();
      // Unblocks a client still waiting for the server's reply.
      if (out.server) pair.server.close();
    };
    auto client = [&]() -> asio::awaitable<void> {
      pair.client.expires_after(std::chrono::seconds(10));
      co_await pair.client.client_handshake(client_ctx, host, verify, out.client);
      out.client_verify_error = pair.client.tls_verify_error();
      out.client_failure = pair.client.handshake_failure("reason");
      if (out.client) pair.client.close();
    };
    EXPECT_TRUE(test::run_all(io_, server(), client()));
    return out;
  }

  asio::io_context io_;

 private:
  static inline TlsIdentity* identity_ = nullptr;
};

// ---- settings ------------------------------------------------------------

TEST_F(TlsContextTest, BothRolesRequireTls12) {
  const auto server = make_server_tls(identity());
  const auto client = make_client_tls(false);
  EXPECT_EQ(SSL_CTX_get_min_proto_version(server->native_handle()), TLS1_2_VERSION);
  EXPECT_EQ(SSL_CTX_get_min_proto_version(client->native_handle()), TLS1_2_VERSION);
  EXPECT_NE(SSL_CTX_get_options(server->native_handle()) & SSL_OP_NO_COMPRESSION, 0u);
  EXPECT_NE(SSL_CTX_get_options(server->native_handle()) & SSL_OP_NO_RENEGOTIATION, 0u);
}

TEST_F(TlsContextTest, ClientVerifyModeFollowsTheFlag) {
  EXPECT_EQ(SSL_CTX_get_verify_mode(make_client_tls(false)->native_handle()), SSL_VERIFY_NONE);
  const test::TempDir dir;
  const auto ca = dir.write("ca.pem", identity().certificate_pem);
  EXPECT_EQ(SSL_CTX_get_verify_mode(make_client_tls(true, ca.string())->native_handle()),
            SSL_VERIFY_PEER);
  EXPECT_EQ(SSL_CTX_get_verify_mode(make_client_tls(true)->native_handle()), SSL_VERIFY_PEER);
}

TEST_F(TlsContextTest, UnreadableCaFileIsNamed) {
  try {
    (void)make_client_tls(true, "/nonexistent/ca.pem");
    FAIL() << "no exception";
  } catch (const TlsSetupError& e) {
    EXPECT_NE(std::string(e.what()).find("'/nonexistent/ca.pem'"), std::string::npos) << e.what();
  }
}

TEST_F(TlsContextTest, CaFileWithoutCertificatesIsNamed) {
  const test::TempDir dir;
  const auto ca = dir.write("ca.pem", "no certificates here\n");
  try {
    (void)make_client_tls(true, ca.string());
    FAIL() << "no exception";
  } catch (const TlsSetupError& e) {
    EXPECT_NE(std::string(e.what()).find("'" + ca.string() + "'"), std::string::npos) << e.what();
  }
}

TEST_F(TlsContextTest, ServerRefusesMismatchedOrBrokenIdentity) {
  const TlsIdentity other = make_self_signed("other.test");
  EXPECT_THROW(make_server_tls({identity().certificate_pem, other.private_key_pem}), TlsSetupError);
  EXPECT_THROW(make_server_tls({"garbage", identity().private_key_pem}), TlsSetupError);
  EXPECT_THROW(make_server_tls({identity().certificate_pem, "garbage"}), TlsSetupError);
}

// ---- protocol versions (RFC 8996) -----------------------------------------

// A client that offers at most TLS 1.1. Security level 0, because OpenSSL 3
// refuses TLS 1.0/1.1 by itself at level 1 and above: the client must really
// send its ClientHello for the test to be about our server.
std::shared_ptr<ssl::context> legacy_client() {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_security_level(native, 0);
  EXPECT_EQ(SSL_CTX_set_cipher_list(native, "DEFAULT:@SECLEVEL=0"), 1);
  EXPECT_EQ(SSL_CTX_set_min_proto_version(native, TLS1_VERSION), 1);
  EXPECT_EQ(SSL_CTX_set_max_proto_version(native, TLS1_1_VERSION), 1);
  ctx->set_verify_mode(ssl::verify_none);
  return ctx;
}

TEST_F(TlsContextTest, ServerRefusesTls11Client) {
  const auto server_ctx = make_server_tls(identity());
  // Take the security level out of the picture too: only our minimum
  // version may be what refuses the client.
  SSL_CTX_set_security_level(server_ctx->native_handle(), 0);
  const auto client_ctx = legacy_client();
  const Outcome out = handshake(*server_ctx, *client_ctx, "localhost", false);
  EXPECT_EQ(ssl_reason(out.server), SSL_R_UNSUPPORTED_PROTOCOL) << out.server.message();
  EXPECT_TRUE(out.client) << "the client completed a handshake";
  EXPECT_EQ(out.server_version, "");
}

// The control for the test above: the same client and server get through
// once the server's minimum is lowered, so what refused it was the minimum.
TEST_F(TlsContextTest, Tls11ClientWouldConnectWithoutTheMinimum) {
  const auto server_ctx = make_server_tls(identity());
  SSL_CTX_set_security_level(server_ctx->native_handle(), 0);
  ASSERT_EQ(SSL_CTX_set_min_proto_version(server_ctx->native_handle(), TLS1_VERSION), 1);
  const auto client_ctx = legacy_client();
  const Outcome out = handshake(*server_ctx, *client_ctx, "localhost", false);
  EXPECT_FALSE(out.server) << out.server.message();
  EXPECT_FALSE(out.client) << out.client.message();
  EXPECT_EQ(out.server_version, "TLSv1.1");
}

TEST_F(TlsContextTest, OurClientRefusesTls11Server) {
  auto server_ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = server_ctx->native_handle();
  SSL_CTX_set_security_level(native, 0);
  ASSERT_EQ(SSL_CTX_set_cipher_list(native, "DEFAULT:@SECLEVEL=0"), 1);
  ASSERT_EQ(SSL_CTX_set_max_proto_version(native, TLS1_1_VERSION), 1);
  server_ctx->use_certificate_chain(asio::buffer(identity().certificate_pem));
  server_ctx->use_private_key(asio::buffer(identity().private_key_pem), ssl::context::pem);
  const auto client_ctx = make_client_tls(false);
  SSL_CTX_set_security_level(client_ctx->native_handle(), 0);
  const Outcome out = handshake(*server_ctx, *client_ctx, "localhost", false);
  EXPECT_TRUE(out.client) << "the client accepted TLS 1.1";
  EXPECT_TRUE(out.server);
}

// ---- verification (RFC 6125) ----------------------------------------------

class TlsVerifyTest : public TlsContextTest {
 protected:
  void SetUp() override {
    server_ctx_ = make_server_tls(identity());
    ca_file_ = dir_.write("ca.pem", identity().certificate_pem);
    // Records the SNI the server receives.
    SSL_CTX_set_tlsext_servername_callback(server_ctx_->native_handle(), &record_sni);
    SSL_CTX_set_tlsext_servername_arg(server_ctx_->native_handle(), &sni_);
  }

  static int record_sni(SSL* ssl, int* /*alert*/, void* arg) {
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    *static_cast<std::string*>(arg) = name != nullptr ? name : "(none)";
    return SSL_TLSEXT_ERR_OK;
  }

  test::TempDir dir_;
  std::filesystem::path ca_file_;
  std::shared_ptr<ssl::context> server_ctx_;
  std::string sni_ = "(callback not called)";
};

TEST_F(TlsVerifyTest, CaFileVerifiesLocalhost) {
  const auto client_ctx = make_client_tls(true, ca_file_.string());
  const Outcome out = handshake(*server_ctx_, *client_ctx, "localhost", true);
  EXPECT_FALSE(out.client) << out.client.message();
  EXPECT_FALSE(out.server) << out.server.message();
  EXPECT_EQ(out.client_verify_error, "");
  EXPECT_EQ(out.client_failure, "reason");  // nothing to add
  EXPECT_EQ(sni_, "localhost");
}

TEST_F(TlsVerifyTest, CaFileVerifiesTheConfiguredHostName) {
  const auto client_ctx = make_client_tls(true, ca_file_.string());
  const Outcome out = handshake(*server_ctx_, *client_ctx, "mail.test", true);
  EXPECT_FALSE(out.client) << out.client.message();
  EXPECT_EQ(sni_, "mail.test");
}

TEST_F(TlsVerifyTest, WrongHostNameFails) {
  const auto client_ctx = make_client_tls(true, ca_file_.string());
  const Outcome out = handshake(*server_ctx_, *client_ctx, "wrong.test", true);
  EXPECT_EQ(ssl_reason(out.client), SSL_R_CERTIFICATE_VERIFY_FAILED) << out.client.message();
  EXPECT_EQ(out.client_verify_error, "hostname mismatch");
  EXPECT_TRUE(out.server);  // the client's alert ends the server's handshake
  // What load and check report: their words for the error, then why
  // verification failed.
  EXPECT_EQ(out.client_failure, "reason (hostname mismatch)");
}

TEST_F(TlsVerifyTest, TrailingDotMatchesButSubdomainDoesNot) {
  const auto client_ctx = make_client_tls(true, ca_file_.string());
  const Outcome out = handshake(*server_ctx_, *client_ctx, "mail.test.", true);
  // A trailing dot is the same name: still fine, and not sent in SNI ...
  EXPECT_FALSE(out.client) << out.client.message();
  EXPECT_EQ(sni_, "mail.test");
  // ... but a sub-domain is not.
  const Outcome sub = handshake(*server_ctx_, *client_ctx, "x.mail.test", true);
  EXPECT_EQ(sub.client_verify_error, "hostname mismatch");
}

TEST_F(TlsVerifyTest, AddressLiteralIsCheckedAgainstIpNamesWithoutSni) {
  const auto client_ctx = make_client_tls(true, ca_file_.string());
  const Outcome ok = handshake(*server_ctx_, *client_ctx, "127.0.0.1", true);
  EXPECT_FALSE(ok.client) << ok.client.message();
  EXPECT_EQ(sni_, "(none)");  // RFC 6066 §3: no literals in server_name
  const Outcome wrong = handshake(*server_ctx_, *client_ctx, "127.0.0.2", true);
  EXPECT_EQ(wrong.client_verify_error, "IP address mismatch");
}

TEST_F(TlsVerifyTest, SelfSignedFailsAgainstTheSystemStore) {
  const auto client_ctx = make_client_tls(true);
  const Outcome out = handshake(*server_ctx_, *client_ctx, "localhost", true);
  EXPECT_EQ(ssl_reason(out.client), SSL_R_CERTIFICATE_VERIFY_FAILED) << out.client.message();
  EXPECT_EQ(out.client_verify_error, "self-signed certificate");
}

TEST_F(TlsVerifyTest, WithoutVerifyAnythingGoesButTheVerdictIsKept) {
  const auto client_ctx = make_client_tls(false);
  const Outcome out = handshake(*server_ctx_, *client_ctx, "wrong.test", false);
  EXPECT_FALSE(out.client) << out.client.message();
  EXPECT_EQ(out.client_verify_error, "self-signed certificate");
  EXPECT_EQ(sni_, "wrong.test");
}

TEST_F(TlsVerifyTest, VerifyWithoutHostNameIsRefusedBeforeAnyByte) {
  const auto client_ctx = make_client_tls(true, ca_file_.string());
  test::TransportPair pair = test::connected_transports(io_);
  error_code ec;
  auto client = [&]() -> asio::awaitable<void> {
    co_await pair.client.client_handshake(*client_ctx, "", true, ec);
  };
  ASSERT_TRUE(test::run_all(io_, client()));
  EXPECT_EQ(ec, TransportError::no_host_to_verify);
  EXPECT_FALSE(pair.client.tls());
}

}  // namespace
}  // namespace smtp::net::tls_context_test
