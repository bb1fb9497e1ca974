#include "check/check_connection.hpp"

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <utility>
#include <variant>

#include "check/duration_text.hpp"
#include "proto/limits.hpp"
#include "proto/reply_parser.hpp"

namespace smtp::check {

namespace asio = boost::asio;
using script::IoResult;
using Status = script::IoResult::Status;

namespace {

// The RFC's reply line limit, CRLF included (RFC 5321 §4.5.3.1.5), and at
// most 100 lines: real EHLO replies have a few dozen.
proto::ReplyParser::Limits check_reply_limits() {
  proto::ReplyParser::Limits limits;
  limits.max_line = proto::limits::reply_line;
  limits.max_lines = 100;
  return limits;
}

IoResult with_status(Status status, std::string detail = {}, std::string raw = {}) {
  IoResult result;
  result.status = status;
  result.detail = std::move(detail);
  result.raw = std::move(raw);
  return result;
}

// Arms the transport's deadline; false when it has already passed.
bool arm(net::Transport& transport, CheckConnection::Clock::time_point deadline) {
  const auto now = CheckConnection::Clock::now();
  if (now >= deadline) return false;
  transport.expires_after(deadline - now);
  return true;
}

}  // namespace

CheckConnection::CheckConnection(int number, net::Transport transport,
                                 TranscriptRecorder& transcript)
    : number_(number), transport_(std::move(transport)), transcript_(transcript) {}

void CheckConnection::lost(std::string reason) {
  if (dead_) return;
  dead_ = true;
  dead_reason_ = std::move(reason);
  transcript_.event(number_, dead_reason_);
  transport_.close();
}

IoResult CheckConnection::unusable() const {
  return with_status(Status::closed, dead_reason_);
}

void CheckConnection::close() {
  if (!dead_) transcript_.event(number_, "closed by the harness");
  dead_ = true;
  dead_reason_ = "closed by the harness";
  transport_.close();
}

asio::awaitable<CheckConnection::ReadOutcome> CheckConnection::read_more(
    Clock::time_point deadline) {
  if (!arm(transport_, deadline)) co_return ReadOutcome::timeout;
  boost::system::error_code ec;
  const std::size_t n = co_await transport_.read_some(asio::buffer(chunk_), ec);
  transport_.expires_never();
  if (n > 0) {
    const std::string_view bytes(chunk_.data(), n);
    pending_.append(bytes);
    transcript_.server(number_, bytes);
  }
  if (!ec) co_return ReadOutcome::data;
  if (ec == asio::error::timed_out) co_return ReadOutcome::timeout;
  if (ec == asio::error::eof) {
    eof_ = true;
    transcript_.event(number_, "closed by the peer");
    co_return ReadOutcome::closed;
  }
  if (ec == asio::ssl::error::stream_truncated) {
    // A TCP close without TLS close_notify (RFC 8446 §6.1): still the
    // peer's close as far as SMTP is concerned.
    eof_ = true;
    transcript_.event(number_, "closed by the peer (without TLS close_notify)");
    co_return ReadOutcome::closed;
  }
  if (ec == asio::error::connection_reset) {
    lost("reset by the peer");
  } else {
    lost("read failed: " + ec.message());
  }
  co_return ReadOutcome::closed;
}

asio::awaitable<IoResult> CheckConnection::read_reply(Clock::time_point deadline,
                                                      std::chrono::milliseconds timeout) {
  // A fresh parser per reply over the bytes still buffered: a malformed
  // reply fails only itself (the parser's errors are sticky), and the bytes
  // after it are there for the check's next read.
  proto::ReplyParser parser(check_reply_limits());
  parser.feed(pending_);
  for (;;) {
    auto next = parser.next();
    if (auto* reply = std::get_if<proto::Reply>(&next)) {
      pending_.erase(0, parser.offset());
      IoResult result;
      result.reply = std::move(*reply);
      co_return result;
    }
    if (auto* error = std::get_if<proto::ReplyError>(&next)) {
      // The offending bytes go into raw and out of the buffer: up to the end
      // of the bad line, or all of an over-long line read so far.
      const std::size_t end = error->kind == proto::ReplyErrorKind::line_too_long
                                  ? pending_.size()
                                  : std::min(parser.offset(), pending_.size());
      std::string detail = proto::to_string(*error);
      transcript_.event(number_, "malformed reply: " + detail);
      IoResult result = with_status(Status::malformed, std::move(detail), pending_.substr(0, end));
      pending_.erase(0, end);
      co_return result;
    }
    // Need more. Whatever is buffered is the start of an incomplete reply.
    if (eof_ || dead_) {
      IoResult result = dead_ ? unusable() : with_status(Status::closed, "closed by the peer");
      result.raw = std::exchange(pending_, {});
      co_return result;
    }
    const std::size_t before = pending_.size();
    const ReadOutcome outcome = co_await read_more(deadline);
    if (outcome == ReadOutcome::timeout) {
      std::string detail = "no complete reply within " + seconds_text(timeout);
      if (!pending_.empty()) detail += " (" + std::to_string(pending_.size()) + " octets of it)";
      transcript_.event(number_, detail);
      // The partial reply stays buffered: a later read may complete it.
      co_return with_status(Status::timeout, std::move(detail), pending_);
    }
    parser.feed(std::string_view(pending_).substr(before));
  }
}

asio::awaitable<IoResult> CheckConnection::write(std::string_view bytes, bool secret,
                                                 Clock::time_point deadline) {
  if (dead_) co_return unusable();
  transcript_.client(number_, bytes, secret);
  if (!arm(transport_, deadline)) {
    co_return with_status(Status::timeout, "no time left to write");
  }
  boost::system::error_code ec;
  co_await transport_.write(bytes, ec);
  transport_.expires_never();
  if (!ec) {
    IoResult written;  // named: no aggregate temporaries in coroutines (GCC 12)
    co_return written;
  }
  if (ec == asio::error::timed_out) {
    // The peer stopped reading; the stream is now in an unknown state
    // (part of the bytes went out), so the connection is of no further use.
    lost("a write did not finish in time (the peer is not reading)");
    co_return with_status(Status::timeout, dead_reason_);
  }
  if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
      ec == asio::error::eof) {
    lost("write failed: the peer closed the connection (" + ec.message() + ")");
  } else {
    lost("write failed: " + ec.message());
  }
  co_return unusable();
}

asio::awaitable<IoResult> CheckConnection::handshake(const TlsSettings& tls,
                                                     Clock::time_point deadline) {
  if (dead_) co_return with_status(Status::failed, dead_reason_);
  if (eof_) co_return with_status(Status::failed, "the peer closed the connection");
  if (!pending_.empty()) {
    // RFC 3207 §4.2: nothing the server sent in plaintext after its 220 to
    // STARTTLS may be taken as part of the TLS session (CVE-2011-0411).
    transcript_.event(number_, std::to_string(pending_.size()) +
                                   " octets of plaintext after the 220 were discarded");
    pending_.clear();
  }
  if (!arm(transport_, deadline)) {
    co_return with_status(Status::timeout, "TLS handshake: no time left");
  }
  boost::system::error_code ec;
  co_await transport_.client_handshake(*tls.context, tls.sni, tls.verify, ec);
  transport_.expires_never();
  if (ec) {
    const std::string reason = transport_.handshake_failure(
        ec == asio::error::timed_out ? "no handshake in time" : ec.message());
    lost("TLS handshake failed: " + reason);
    // Whether the peer said anything: a timeout or a close is silence, any
    // other failure came from bytes it sent (plaintext, an alert, a
    // certificate that does not verify). The probe tells them apart.
    Status status = Status::failed;
    if (ec == asio::error::timed_out) status = Status::timeout;
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
        ec == asio::error::connection_reset) {
      status = Status::closed;
    }
    co_return with_status(status, "TLS handshake: " + reason);
  }
  std::string established =
      "TLS established (" + transport_.tls_version() + ", " + transport_.tls_cipher() + ")";
  // Not verifying is the default (the harness judges SMTP, and T7 reports the
  // certificate); the transcript still says what verification would find.
  const std::string verify_error = transport_.tls_verify_error();
  if (!verify_error.empty()) established += "; the certificate would not verify: " + verify_error;
  transcript_.event(number_, std::move(established));
  IoResult done;  // named: no aggregate temporaries in coroutines (GCC 12)
  co_return done;
}

asio::awaitable<IoResult> CheckConnection::wait_close(Clock::time_point deadline,
                                                      std::chrono::milliseconds timeout) {
  for (;;) {
    if (eof_ || dead_) {
      IoResult closed;  // named: no aggregate temporaries in coroutines (GCC 12)
      co_return closed;
    }
    if (pending_.size() >= kMaxBufferedOctets) {
      // The peer keeps talking; it is certainly still open. Reading on would
      // only grow the buffer.
      std::string detail = "still open, " + std::to_string(pending_.size()) + " octets unread";
      transcript_.event(number_, detail);
      co_return with_status(Status::timeout, std::move(detail));
    }
    const ReadOutcome outcome = co_await read_more(deadline);
    if (outcome == ReadOutcome::timeout) {
      std::string detail = "still open after " + seconds_text(timeout);
      transcript_.event(number_, detail);
      co_return with_status(Status::timeout, std::move(detail));
    }
  }
}

}  // namespace smtp::check
