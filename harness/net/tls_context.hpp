#pragma once
// TLS contexts for both roles. One context serves many connections; each
// Transport handshake creates its own SSL object from it, so a context may be
// shared by every session of a worker (or of all workers: OpenSSL contexts are
// thread-safe once configured).
#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <optional>
#include <string>

#include "net/tls_identity.hpp"

namespace smtp::net {

// The lowest protocol either side negotiates: TLS 1.2. RFC 8996 deprecates
// TLS 1.0 and 1.1; docs/CONFORMANCE.md T1 expects 1.2 or above.
inline constexpr int kMinTlsVersion = 0x0303;  // TLS1_2_VERSION

// A server context presenting `identity`, TLS 1.2 minimum, no compression
// (CRIME), no renegotiation (a peer-driven CPU sink), server cipher order.
// Throws TlsSetupError when the certificate or key is unusable or they do not
// match.
std::shared_ptr<boost::asio::ssl::context> make_server_tls(const TlsIdentity& identity);

// A client context, TLS 1.2 minimum. With `verify`, peers are checked against
// `ca_file` when given (PEM, one or more trust anchors; a self-signed server
// certificate works) and otherwise against the system store; the host name is
// checked per connection by Transport::client_handshake. Throws TlsSetupError
// naming `ca_file` when it cannot be loaded.
std::shared_ptr<boost::asio::ssl::context> make_client_tls(
    bool verify, std::optional<std::string> ca_file = std::nullopt);

}  // namespace smtp::net
