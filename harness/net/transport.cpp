#include "net/transport.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>

#include <cstdint>
#include <optional>
#include <utility>

namespace smtp::net {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

// Completion token: results as (error_code, ...) tuples, no exceptions.
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// The first queued OpenSSL error as an error_code in Asio's ssl category (the
// category handshake failures use too); the queue is left empty.
error_code take_ssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return asio::error::invalid_argument;  // failed without saying why
  return {static_cast<int>(code), asio::error::get_ssl_category()};
}

bool is_ip_literal(const std::string& host) {
  error_code ec;
  (void)asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

struct Transport::Impl {
  explicit Impl(tcp::socket s) : socket(std::move(s)), timer(socket.get_executor()) {
    error_code ignored;
    remote = socket.remote_endpoint(ignored);
    local = socket.local_endpoint(ignored);
  }

  tcp::socket socket;
  // Engaged by the first handshake. It refers to `socket`, so the upgrade
  // happens in place and no byte is copied out of the kernel on the way.
  std::optional<ssl::stream<tcp::socket&>> stream;
  bool tls_up = false;          // the handshake completed
  bool tls_write_torn = false;  // a TLS write stopped midway (or is pending)

  // The deadline is a time, and the timer a lazy guard of it: re-arming
  // with a later deadline (every operation of a session that moves its
  // deadline forward) only stores the time, and the pending wait, when it
  // fires early, waits again for the rest. A load session re-arms before
  // every read and write; cancelling and restarting the timer each time cost
  // ~6% of its CPU.
  asio::steady_timer timer;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::uint64_t generation = 0;  // which wait on the timer is current
  bool waiting = false;          // the current wait is pending
  bool expired = false;
  bool closed = false;  // close() or reset() was called

  Endpoint remote;
  Endpoint local;

  // What every operation checks first: not closed, deadline not passed.
  bool usable(error_code& ec) const {
    if (closed) {
      ec = asio::error::bad_descriptor;
      return false;
    }
    if (expired) {
      ec = asio::error::timed_out;
      return false;
    }
    return true;
  }

  // Checks run before each read or write.
  bool can_transfer(error_code& ec) const {
    if (!usable(ec)) return false;
    if (stream && !tls_up) {
      ec = TransportError::tls_failed;
      return false;
    }
    return true;
  }

  bool can_handshake(error_code& ec) const {
    if (!usable(ec)) return false;
    if (stream) {
      ec = TransportError::tls_active;
      return false;
    }
    return true;
  }

  // What a finished operation reports. The timer cancels the socket, so an
  // operation it interrupts completes with operation_aborted: report it as
  // what it is. An operation that close() or reset() interrupted may see
  // various errors (under TLS, stream_truncated, as close() marked the
  // peer's close_notify as received); report it as aborted, which it is.
  error_code outcome(error_code ec) const {
    if (!ec) return ec;
    if (closed) return asio::error::operation_aborted;
    if (expired && ec == asio::error::operation_aborted) return asio::error::timed_out;
    return ec;
  }

  // No deadline; a pending wait ends without effect.
  void disarm() {
    ++generation;
    waiting = false;
    expired = false;
    deadline = std::chrono::steady_clock::time_point::max();
    timer.cancel();
  }

  // Starts a wait for `deadline`, superseding any pending one. The handler
  // may run after the Transport is gone (a completed wait is already queued
  // when the timer is destroyed), hence the weak_ptr; and after a newer
  // wait started, hence the generation.
  static void wait_for_deadline(const std::shared_ptr<Impl>& impl) {
    Impl& s = *impl;
    const std::uint64_t current = ++s.generation;
    s.waiting = true;
    s.timer.expires_at(s.deadline);  // cancels a pending wait (its generation is old)
    s.timer.async_wait([weak = std::weak_ptr<Impl>(impl), current](const error_code& ec) {
      const std::shared_ptr<Impl> self = weak.lock();
      if (!self || self->generation != current) return;
      self->waiting = false;
      if (ec) return;  // cancelled: cleared, closed or destroyed
      if (std::chrono::steady_clock::now() < self->deadline) {
        wait_for_deadline(self);  // the deadline moved on since this wait began
        return;
      }
      self->expired = true;
      error_code ignored;
      self->socket.cancel(ignored);
    });
  }

  SSL* ssl() { return stream ? stream->native_handle() : nullptr; }
};

Transport::Transport(tcp::socket socket) : impl_(std::make_shared<Impl>(std::move(socket))) {}
Transport::~Transport() = default;
Transport::Transport(Transport&&) noexcept = default;
Transport& Transport::operator=(Transport&&) noexcept = default;

asio::any_io_executor Transport::get_executor() const {
  return impl_->socket.get_executor();
}

asio::awaitable<std::size_t> Transport::read_some(asio::mutable_buffer buffer, error_code& ec) {
  Impl& s = *impl_;
  if (!s.can_transfer(ec)) co_return 0;
  error_code result;
  std::size_t n = 0;
  if (s.tls_up) {
    std::tie(result, n) = co_await s.stream->async_read_some(buffer, kTuple);
  } else {
    std::tie(result, n) = co_await s.socket.async_read_some(buffer, kTuple);
  }
  ec = s.outcome(result);
  co_return n;
}

asio::awaitable<void> Transport::write(std::string_view bytes, error_code& ec) {
  Impl& s = *impl_;
  if (!s.can_transfer(ec)) co_return;
  error_code result;
  if (s.tls_up) {
    s.tls_write_torn = true;
    std::tie(result, std::ignore) =
        co_await asio::async_write(*s.stream, asio::buffer(bytes), kTuple);
    s.tls_write_torn = static_cast<bool>(result);
  } else {
    std::tie(result, std::ignore) =
        co_await asio::async_write(s.socket, asio::buffer(bytes), kTuple);
  }
  ec = s.outcome(result);
}

asio::awaitable<void> Transport::server_handshake(ssl::context& context, error_code& ec) {
  Impl& s = *impl_;
  if (!s.can_handshake(ec)) co_return;
  s.stream.emplace(s.socket, context);
  auto [result] = co_await s.stream->async_handshake(ssl::stream_base::server, kTuple);
  ec = s.outcome(result);
  s.tls_up = !ec;
}

asio::awaitable<void> Transport::client_handshake(ssl::context& context, std::string_view sni_host,
                                                  bool verify, error_code& ec) {
  Impl& s = *impl_;
  if (!s.can_handshake(ec)) co_return;
  if (verify && sni_host.empty()) {
    ec = TransportError::no_host_to_verify;
    co_return;
  }
  if (sni_host.find('\0') != std::string_view::npos) {
    ec = asio::error::invalid_argument;  // a C string would silently cut it short
    co_return;
  }
  std::string host(sni_host);
  // "mx.example.org." (as MX lookups return it) is the same name; SNI carries
  // it without the dot (RFC 6066 §3) and OpenSSL's name check wants it so too.
  if (host.size() > 1 && host.back() == '.') host.pop_back();
  const bool literal = is_ip_literal(host);
  ERR_clear_error();
  s.stream.emplace(s.socket, context);
  SSL* ssl = s.stream->native_handle();
  // A setting OpenSSL refuses (e.g. a name too long for SNI) fails the call
  // before any byte is sent; the connection stays plaintext and usable.
  auto refuse = [&] {
    ec = take_ssl_error();
    s.stream.reset();
  };
  // RFC 6066 §3: HostName is a DNS name; address literals are not sent.
  if (!host.empty() && !literal && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) {
    refuse();
    co_return;
  }
  if (verify) {
    s.stream->set_verify_mode(ssl::verify_peer);
    // OpenSSL checks the name during the handshake (RFC 6125 §6): a mismatch
    // fails it with X509_V_ERR_HOSTNAME_MISMATCH / IP_ADDRESS_MISMATCH, which
    // tls_verify_error() then names. Wildcards only as a whole left label.
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    const int ok = literal ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                           : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
    if (ok != 1) {
      refuse();
      co_return;
    }
  } else {
    s.stream->set_verify_mode(ssl::verify_none);
  }
  auto [result] = co_await s.stream->async_handshake(ssl::stream_base::client, kTuple);
  ec = s.outcome(result);
  s.tls_up = !ec;
}

void Transport::expires_after(std::chrono::steady_clock::duration timeout) {
  Impl& s = *impl_;
  s.expired = false;
  s.deadline = std::chrono::steady_clock::now() + timeout;
  // A pending wait that ends no later than the new deadline re-arms itself
  // when it fires; only an earlier deadline needs a new wait now.
  if (s.waiting && s.timer.expiry() <= s.deadline) return;
  Impl::wait_for_deadline(impl_);
}

void Transport::expires_never() {
  impl_->disarm();
}

bool Transport::is_open() const {
  return impl_->socket.is_open();
}

bool Transport::tls() const {
  return impl_->tls_up;
}

std::string Transport::tls_version() const {
  if (!impl_->tls_up) return {};
  return SSL_get_version(impl_->ssl());
}

std::string Transport::tls_cipher() const {
  if (!impl_->tls_up) return {};
  const SSL_CIPHER* cipher = SSL_get_current_cipher(impl_->ssl());
  return cipher != nullptr ? SSL_CIPHER_get_name(cipher) : "";
}

std::string Transport::tls_verify_error() const {
  SSL* ssl = impl_->ssl();
  if (ssl == nullptr || SSL_is_server(ssl) == 1) return {};
  const long result = SSL_get_verify_result(ssl);
  if (result == X509_V_OK) return {};
  return X509_verify_cert_error_string(result);
}

std::string Transport::handshake_failure(std::string reason) const {
  const std::string verify_error = tls_verify_error();
  if (!verify_error.empty()) reason += " (" + verify_error + ")";
  return reason;
}

Transport::Endpoint Transport::remote_endpoint() const {
  return impl_->remote;
}
Transport::Endpoint Transport::local_endpoint() const {
  return impl_->local;
}

void Transport::close() {
  Impl& s = *impl_;
  s.disarm();
  s.closed = true;
  if (!s.socket.is_open()) return;
  error_code ignored;
  if (s.tls_up && !s.tls_write_torn) {
    // Send our close_notify but do not wait for the peer's (RFC 8446 §6.1
    // allows closing without it): marking the peer's as already received
    // makes SSL_shutdown finish after one write, and a non-blocking socket
    // makes that write fail rather than block if the peer stopped reading.
    SSL* ssl = s.ssl();
    SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_RECEIVED_SHUTDOWN);
    s.socket.non_blocking(true, ignored);
    s.stream->shutdown(ignored);
  }
  s.socket.shutdown(tcp::socket::shutdown_both, ignored);
  s.socket.close(ignored);
}

void Transport::reset() {
  Impl& s = *impl_;
  s.disarm();
  s.closed = true;
  if (!s.socket.is_open()) return;
  error_code ignored;
  // Linger on with a zero timeout: close() discards unsent data and sends RST.
  s.socket.set_option(tcp::socket::linger(true, 0), ignored);
  s.socket.close(ignored);
}

}  // namespace smtp::net
