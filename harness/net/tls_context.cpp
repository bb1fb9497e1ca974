#include "net/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/buffer.hpp>

#include <utility>

#include "net/openssl_util.hpp"

namespace smtp::net {
namespace {

namespace ssl = boost::asio::ssl;

static_assert(kMinTlsVersion == TLS1_2_VERSION);

// Settings shared by both roles.
void harden(ssl::context& ctx) {
  SSL_CTX* native = ctx.native_handle();
  if (SSL_CTX_set_min_proto_version(native, kMinTlsVersion) != 1) {
    throw TlsSetupError("cannot set the minimum TLS version: " + detail::take_openssl_errors());
  }
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_compression);
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  // A password callback that supplies nothing, so that an encrypted key fails
  // instead of OpenSSL prompting on the terminal.
  ctx.set_password_callback(
      [](std::size_t, ssl::context::password_purpose) { return std::string(); });
}

// Asio pops the first OpenSSL error into `ec`; anything OpenSSL queued after
// it adds detail.
std::string describe(const boost::system::error_code& ec) {
  std::string text = ec.message();
  const std::string more = detail::take_openssl_errors("");
  if (!more.empty()) text += "; " + more;
  return text;
}

}  // namespace

std::shared_ptr<ssl::context> make_server_tls(const TlsIdentity& identity) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  harden(*ctx);
  SSL_CTX_set_options(ctx->native_handle(), SSL_OP_CIPHER_SERVER_PREFERENCE);
  ERR_clear_error();
  boost::system::error_code ec;
  ctx->use_certificate_chain(boost::asio::buffer(identity.certificate_pem), ec);
  if (ec) {
    throw TlsSetupError("unusable server certificate: " + describe(ec));
  }
  ctx->use_private_key(boost::asio::buffer(identity.private_key_pem), ssl::context::pem, ec);
  if (ec) {
    throw TlsSetupError("unusable server private key: " + describe(ec));
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    throw TlsSetupError("the server private key does not match its certificate: " +
                        detail::take_openssl_errors());
  }
  return ctx;
}

std::shared_ptr<ssl::context> make_client_tls(bool verify, std::optional<std::string> ca_file) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  harden(*ctx);
  if (!verify) {
    ctx->set_verify_mode(ssl::verify_none);
    return ctx;
  }
  ctx->set_verify_mode(ssl::verify_peer);
  ERR_clear_error();
  boost::system::error_code ec;
  if (ca_file) {
    ctx->load_verify_file(*ca_file, ec);
    if (ec) {
      throw TlsSetupError("cannot load CA file '" + *ca_file + "': " + describe(ec));
    }
  } else {
    ctx->set_default_verify_paths(ec);
    if (ec) {
      throw TlsSetupError("cannot load the system trust store: " + describe(ec));
    }
  }
  return ctx;
}

}  // namespace smtp::net
