#pragma once
// One TCP connection, plaintext or TLS, with a deadline. The same read and
// write calls work before and after the connection is upgraded in place
// (STARTTLS, RFC 3207) or when it starts with TLS (implicit TLS, RFC 8314 §3).
//
// Errors come back through an error_code, never as exceptions: on the hot path
// a failed read is an ordinary outcome that the caller classifies. Errors are
// the system's, Asio's (asio::error::eof, timed_out, connection_reset, ...),
// OpenSSL's (asio::ssl::error category, e.g. a failed verification) or
// TransportError.
//
// Not thread-safe: use it from one thread (one io_context per worker,
// ARCHITECTURE.md §2) or one strand. At most one read and one write may be pending
// at a time; a handshake must be the only pending operation.
//
// STARTTLS: the Transport never buffers plaintext across the upgrade. Every
// byte read before the handshake went into the caller's buffer, and whatever
// the caller still holds there (e.g. a command pipelined after STARTTLS) is
// its to discard: RFC 3207 §4.2 and CVE-2011-0411 require a server to drop it.
//
// Hostile peers: the Transport holds no buffer that a peer can grow. Reads
// fill the caller's buffer; TLS uses OpenSSL's record buffers (bounded by the
// maximum record size). A peer that stalls is handled by the deadline.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "net/transport_error.hpp"

namespace smtp::net {

class Transport {
 public:
  using Endpoint = boost::asio::ip::tcp::endpoint;

  // Takes a connected socket (from connect or accept).
  explicit Transport(boost::asio::ip::tcp::socket socket);
  ~Transport();
  Transport(Transport&&) noexcept;
  Transport& operator=(Transport&&) noexcept;
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;
  // A moved-from Transport may only be destroyed or assigned to.

  boost::asio::any_io_executor get_executor() const;

  // Reads at least one byte into `buffer` (unless it is empty) and returns the
  // count. The peer's orderly close is asio::error::eof: a TCP FIN in
  // plaintext, a close_notify under TLS. A TCP close without close_notify
  // under TLS is asio::ssl::error::stream_truncated.
  boost::asio::awaitable<std::size_t> read_some(boost::asio::mutable_buffer buffer,
                                                boost::system::error_code& ec);

  // Writes all of `bytes`, which must stay valid until this completes.
  boost::asio::awaitable<void> write(std::string_view bytes, boost::system::error_code& ec);

  // Upgrades to TLS as the server. Call it with no other operation pending.
  boost::asio::awaitable<void> server_handshake(boost::asio::ssl::context& context,
                                                boost::system::error_code& ec);

  // Upgrades to TLS as the client. `sni_host` goes into the server_name
  // extension unless it is an IP literal (RFC 6066 §3 forbids those); a
  // trailing dot is dropped (it names the same host). With
  // `verify`, the peer's chain must verify against the context's trust store
  // and the certificate must match `sni_host` (dNSName, or iPAddress for a
  // literal; RFC 6125 §6); without it, any certificate is accepted and
  // tls_verify_error() still tells what verification would have said.
  boost::asio::awaitable<void> client_handshake(boost::asio::ssl::context& context,
                                                std::string_view sni_host, bool verify,
                                                boost::system::error_code& ec);

  // A deadline for everything from now on, until re-armed or cleared: when it
  // passes, the pending operation and every later one fail with
  // asio::error::timed_out. For a per-operation timeout, re-arm before each
  // operation. After a timed-out read the connection stays usable (plaintext
  // or TLS) once the deadline is re-armed or cleared; after a timed-out write
  // or handshake the byte stream is in an unknown state: only close() or
  // reset() make sense then.
  void expires_after(std::chrono::steady_clock::duration timeout);
  void expires_never();

  bool is_open() const;

  // Whether a TLS handshake has completed on this connection.
  bool tls() const;
  // "TLSv1.3" and such; empty before TLS.
  std::string tls_version() const;
  // The negotiated cipher suite's OpenSSL name; empty before TLS.
  std::string tls_cipher() const;
  // Why the server's certificate did not verify (e.g. "hostname mismatch"),
  // empty when it did or no client handshake took place.
  std::string tls_verify_error() const;
  // Why a client handshake failed, as errors and transcripts say it: `reason`
  // (the caller's words for the error), then what verification found, in
  // parentheses: "certificate verify failed (hostname mismatch)".
  std::string handshake_failure(std::string reason) const;

  // Captured when the Transport is made, so that they are still known for the
  // transcript after close(); unspecified (default) if the socket was not
  // connected. Never throws.
  Endpoint remote_endpoint() const;
  Endpoint local_endpoint() const;

  // Graceful close: under TLS, sends close_notify (RFC 8446 §6.1) without
  // waiting for the peer's and without ever blocking; then TCP shutdown and
  // close. Pending operations complete with asio::error::operation_aborted;
  // later ones fail at once with asio::error::bad_descriptor.
  // Skips close_notify when a TLS write was interrupted, since the alert would
  // land inside a half-sent record. Idempotent.
  void close();

  // Abortive close: SO_LINGER {on, 0} then close, so the peer gets a TCP RST
  // (its reads fail with connection_reset). For fault injection. Pending and
  // later operations fail as after close(). Idempotent.
  void reset();

 private:
  struct Impl;
  // Shared so the deadline's timer handler can tell, through a weak_ptr,
  // whether the connection still exists when it runs.
  std::shared_ptr<Impl> impl_;
};

}  // namespace smtp::net
