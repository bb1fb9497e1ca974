// Carrying out what a rule or hook asked for: delays and throttling are
// timers on the server's one io_context, never sleeps (ARCHITECTURE.md §5); a stall
// keeps reading so the client's bytes do not pile up in the kernel, and ends
// at the idle timeout like any quiet session.
#include <array>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>

#include "fake-server/rules/malformation.hpp"
#include "fake-server/session_context.hpp"

namespace smtp::fake {
namespace {

namespace asio = boost::asio;

asio::awaitable<void> wait(SessionContext& s, std::chrono::steady_clock::duration d) {
  if (d <= std::chrono::steady_clock::duration::zero()) co_return;
  asio::steady_timer timer(s.transport.get_executor(), d);
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

// The pacing of a throttled write: `slice` octets, then `pause`.
struct Pace {
  std::size_t slice;
  std::chrono::milliseconds pause;
};
Pace pace_of(std::uint64_t bandwidth) {
  if (bandwidth >= 10)
    return {static_cast<std::size_t>(bandwidth / 10), std::chrono::milliseconds(100)};
  return {1, std::chrono::milliseconds(1000 / bandwidth)};
}

// Writes and logs `bytes`, throttled to `bandwidth` octets per second when
// set: a slice, then a pause, so that back-to-back writes keep the rate too.
asio::awaitable<bool> write(SessionContext& s, std::string_view bytes, std::uint64_t bandwidth) {
  s.log(Direction::server, bytes);
  s.count_replies(bytes);
  s.server.stats().bytes_out += bytes.size();
  boost::system::error_code ec;
  s.transport.expires_after(s.server.options().idle_timeout);
  if (bandwidth == 0) {
    co_await s.transport.write(bytes, ec);
    s.transport.expires_never();
    co_return !ec;
  }
  const auto pace = pace_of(bandwidth);
  for (std::size_t at = 0; at < bytes.size() && !ec; at += pace.slice) {
    s.transport.expires_after(s.server.options().idle_timeout);
    co_await s.transport.write(bytes.substr(at, pace.slice), ec);
    if (!ec) co_await wait(s, pace.pause);
  }
  s.transport.expires_never();
  co_return !ec;
}

// Never answers again: reads and discards until the client gives up, or the
// idle timeout passes without a byte.
asio::awaitable<void> stall(SessionContext& s) {
  std::array<char, 4096> sink;
  std::uint64_t discarded = 0;
  for (;;) {
    boost::system::error_code ec;
    s.transport.expires_after(s.server.options().idle_timeout);
    const auto n = co_await s.transport.read_some(asio::buffer(sink), ec);
    if (ec) break;
    discarded += n;
    s.server.stats().bytes_in += n;
  }
  s.log(Direction::event, "stall over: " + std::to_string(discarded) + " octets discarded");
}

// The never-ending multi-line reply: continuation lines until the client
// closes or stops reading for the idle timeout. Unthrottled, 64 lines go
// per write (a syscall per 15-octet line would burn the server's one
// thread); throttled, as many lines as one slice holds.
asio::awaitable<void> endless(SessionContext& s, std::string_view reply, std::uint64_t bandwidth) {
  const auto line = rules::endless_line(reply);
  const std::size_t lines =
      bandwidth == 0 ? 64 : std::max<std::size_t>(1, pace_of(bandwidth).slice / line.size());
  std::string batch;
  for (std::size_t i = 0; i < lines; ++i) batch += line;
  std::uint64_t sent = 0;
  for (;;) {
    const bool ok = co_await write(s, batch, bandwidth);
    if (!ok) break;
    sent += batch.size();
  }
  s.log(Direction::event, "endless reply over: " + std::to_string(sent) + " more octets sent");
}

// The delay, then the actions that end the connection without a word:
// reset, close, stall. Returns true when the connection is over.
asio::awaitable<bool> delay_then_end(SessionContext& s, const rules::Action& a,
                                     std::string_view instead_of) {
  if (a.delay.count() > 0) co_await wait(s, a.delay);
  if (a.reset) {
    s.log(Direction::event, "connection reset (RST) instead of " + std::string(instead_of));
    s.transport.reset();
    co_return true;
  }
  if (a.close) {
    s.log(Direction::event, "connection closed instead of " + std::string(instead_of));
    co_return true;
  }
  if (a.stall) {
    co_await stall(s);
    co_return true;
  }
  co_return false;
}

}  // namespace

asio::awaitable<bool> perform(SessionContext& s, Effect effect) {
  const auto& a = effect.action;
  const bool ended = co_await delay_then_end(s, a, "a reply");
  if (ended) co_return false;
  std::string output = a.raw ? *a.raw : std::move(effect.output);
  if (a.malformed == rules::Malformation::endless) {
    const bool ok = co_await write(s, rules::malform(output, *a.malformed), a.bandwidth);
    if (ok) co_await endless(s, output, a.bandwidth);
    co_return false;
  }
  if (a.malformed) output = rules::malform(output, *a.malformed);
  if (a.partial) {
    output.resize(std::min(output.size(), *a.partial));
    const bool ok = co_await write(s, output, a.bandwidth);
    if (ok) co_await stall(s);
    co_return false;
  }
  const bool ok = co_await write(s, output, a.bandwidth);
  co_return ok && !effect.close;
}

asio::awaitable<bool> perform_tls_fault(SessionContext& s, const rules::Action& a) {
  const bool ended = co_await delay_then_end(s, a, "the TLS handshake");
  if (ended) co_return false;
  if (!a.fail_tls) co_return true;  // only a delay: the handshake goes on
  // Read the ClientHello first, so the client is inside its handshake when
  // it fails (and the kernel does not turn our close into an RST).
  std::array<char, 4096> hello;
  boost::system::error_code ec;
  s.transport.expires_after(std::chrono::seconds(10));
  const auto n = co_await s.transport.read_some(asio::buffer(hello), ec);
  s.server.stats().bytes_in += n;
  if (!ec && *a.fail_tls == rules::TlsFault::alert) {
    // RFC 8446 §6 / RFC 5246 §7.2: an alert record, fatal (2),
    // handshake_failure (40), in a TLS 1.2 record header as every version
    // accepts before the versions are agreed.
    static constexpr char alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
    co_await s.transport.write(std::string_view(alert, sizeof alert), ec);
  }
  s.transport.expires_never();
  ++s.server.stats().tls_failures;
  s.log(Direction::event, *a.fail_tls == rules::TlsFault::alert
                              ? "TLS handshake failed on purpose: handshake_failure alert sent"
                              : "TLS handshake failed on purpose: closed after the ClientHello");
  co_return false;
}

}  // namespace smtp::fake
