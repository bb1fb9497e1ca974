#pragma once
// Errors the Transport itself raises (as opposed to the operating system's,
// Asio's or OpenSSL's, which it passes through unchanged). They are
// boost::system error codes so that callers classify every failure of an
// operation in one place.
#include <boost/system/error_code.hpp>

#include <type_traits>

namespace smtp::net {

enum class TransportError {
  tls_active = 1,     // a second handshake on a connection that already runs TLS
  tls_failed,         // I/O after a TLS handshake that failed or is still running
  no_host_to_verify,  // verification asked for without a host name to check
};

const boost::system::error_category& transport_category() noexcept;

inline boost::system::error_code make_error_code(TransportError e) noexcept {
  return {static_cast<int>(e), transport_category()};
}

}  // namespace smtp::net

template <>
struct boost::system::is_error_code_enum<smtp::net::TransportError> : std::true_type {};
