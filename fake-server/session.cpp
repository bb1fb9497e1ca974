// One SMTP session of fake-smtpd: the coroutine that owns the connection,
// frames input, asks the dialogue what to answer, stores mail and keeps the
// transcript (DESIGN §2, fake-smtpd steps 1-6).
#include <array>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <string>

#include "fake-server/fake_server.hpp"
#include "fake-server/received_header.hpp"
#include "net/listener.hpp"
#include "net/transport.hpp"
#include "proto/line_framer.hpp"
#include "proto/server_dialogue.hpp"

namespace smtp::fake {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// The pieces one session works with, so the steps below stay small.
struct SessionContext {
  SessionContext(FakeServer& server_, tcp::socket socket, const proto::ServerConfig& config,
                 bool implicit_tls, std::size_t max_line, std::shared_ptr<SessionRecord> record_,
                 std::string peer_ip_)
      : server(server_),
        transport(std::move(socket)),
        dialogue(config, implicit_tls),
        framer({max_line, false}),
        record(std::move(record_)),
        peer_ip(std::move(peer_ip_)) {}

  FakeServer& server;
  net::Transport transport;
  proto::ServerDialogue dialogue;
  proto::LineFramer framer;
  std::shared_ptr<SessionRecord> record;
  std::string peer_ip;
  std::string pending;  // replies not yet written (PIPELINING, RFC 2920 §3.2)
  std::uint64_t message_number = 0;

  void log(Direction d, std::string_view bytes) {
    record->record(d, transport.tls(), bytes, server.sessions().bytes_cap());
  }
  void count_replies(std::string_view output) {
    // Each reply's last line is "ddd " or "ddd\r\n"; count the code once.
    std::size_t at = 0;
    while (at + 3 <= output.size()) {
      const auto end = output.find("\r\n", at);
      if (end == std::string_view::npos) break;
      const bool last_line = end - at == 3 || output[at + 3] == ' ';
      if (last_line) {
        int code = 0;
        for (std::size_t i = at; i < at + 3; ++i) code = code * 10 + (output[i] - '0');
        ++server.stats().replies[code];
      }
      at = end + 2;
    }
  }
};

std::string queue_id(const SessionContext& s) {
  return std::to_string(s.record->id) + "." + std::to_string(s.message_number);
}

// Stores a complete message and returns the dialogue's answer to it.
proto::ServerStep deliver(SessionContext& s, proto::Message&& message) {
  ++s.message_number;
  const auto id = queue_id(s);
  StoredMessage stored;
  stored.session_id = s.record->id;
  stored.received_at = std::chrono::system_clock::now();
  stored.client_name = s.dialogue.client_name();
  stored.tls = s.transport.tls();
  stored.auth_user = s.dialogue.auth_user();
  stored.via_bdat = message.via_bdat;
  // With --store none nothing reads the content, so the Received: line is
  // not even built (it cost ~7% of the server's CPU per message).
  std::string raw;
  if (s.server.options().smtp.keep_content) {
    const auto& rcpts = message.envelope.recipients;
    const std::string for_rcpt = rcpts.size() == 1 ? rcpts.front().path.to_string() : "";
    raw = received_header({s.dialogue.client_name(), s.peer_ip, s.server.options().smtp.hostname,
                           s.dialogue.esmtp(), s.transport.tls(), s.dialogue.authenticated(), id,
                           for_rcpt, stored.received_at});
    raw.reserve(raw.size() + message.content.size());
    raw += message.content;
  }
  stored.size = s.server.options().smtp.keep_content ? raw.size() : message.size;
  stored.envelope = std::move(message.envelope);
  const bool ok = s.server.store().put(stored, std::move(raw));
  if (ok) {
    ++s.server.stats().messages_accepted;
    ++s.record->messages;
    s.server.message_stored();
  }
  return s.dialogue.finish_delivery(ok, id);
}

// Applies one dialogue step: queue its output, store its message. Returns
// false when the session must end after the output is written.
bool apply(SessionContext& s, proto::ServerStep&& step, bool& start_tls) {
  if (step.deliver) {
    auto answer = deliver(s, std::move(*step.deliver));
    step.output += answer.output;
    step.close = step.close || answer.close;
  }
  s.pending += step.output;
  start_tls = start_tls || step.start_tls;
  return !step.close;
}

// Feeds buffered input to the dialogue until it needs more bytes. Returns
// false when the session must close after writing `pending`.
bool process_input(SessionContext& s, bool& start_tls) {
  while (!start_tls) {
    switch (s.dialogue.input_mode()) {
      case proto::InputMode::line: {
        auto event = s.framer.next();
        if (event.kind == proto::LineFramer::Event::Kind::need_more) return true;
        if (event.kind == proto::LineFramer::Event::Kind::overflow) {
          s.log(Direction::event,
                "line too long: " + std::to_string(event.discarded) + " octets discarded");
          if (!apply(s, s.dialogue.on_line_too_long(), start_tls)) return false;
          break;
        }
        // Redact before the dialogue moves on (AUTH secrets, issue 3).
        s.log(Direction::client, s.dialogue.redact(event.line) + "\r\n");
        if (!apply(s, s.dialogue.on_line(event.line), start_tls)) return false;
        break;
      }
      case proto::InputMode::data:
      case proto::InputMode::chunk: {
        const auto buffered = s.framer.buffered();
        if (buffered.empty()) return true;
        auto result = s.dialogue.on_data(buffered);
        s.log(Direction::client, buffered.substr(0, result.consumed));
        s.framer.consume(result.consumed);
        const bool refused = !result.step.output.empty() && result.step.output[0] >= '4';
        if (refused) ++s.server.stats().messages_refused;
        if (!apply(s, std::move(result.step), start_tls)) return false;
        if (result.consumed == 0 && s.dialogue.input_mode() != proto::InputMode::line) return true;
        break;
      }
      case proto::InputMode::none:
        return true;
    }
  }
  return true;
}

asio::awaitable<bool> flush(SessionContext& s) {
  if (s.pending.empty()) co_return true;
  boost::system::error_code ec;
  s.log(Direction::server, s.pending);
  s.count_replies(s.pending);
  s.server.stats().bytes_out += s.pending.size();
  co_await s.transport.write(s.pending, ec);
  s.pending.clear();
  co_return !ec;
}

asio::awaitable<bool> handshake(SessionContext& s, asio::ssl::context& tls) {
  boost::system::error_code ec;
  s.transport.expires_after(std::chrono::seconds(30));
  co_await s.transport.server_handshake(tls, ec);
  s.transport.expires_never();
  if (ec) {
    ++s.server.stats().tls_failures;
    s.log(Direction::event, "TLS handshake failed: " + ec.message());
    co_return false;
  }
  ++s.server.stats().tls_handshakes;
  s.record->tls_version = s.transport.tls_version();
  s.record->tls_cipher = s.transport.tls_cipher();
  s.log(Direction::event, "TLS established: " + s.record->tls_version + " " + s.record->tls_cipher);
  co_return true;
}

}  // namespace

asio::awaitable<void> FakeServer::run_session(tcp::socket socket, bool implicit_tls) {
  boost::system::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  const auto local = socket.local_endpoint(ec);
  // GCC 12 miscompiles (ICE) aggregates of temporaries and co_await inside
  // && in coroutines, hence the constructor and the one-await statements below.
  auto record = sessions_.open(net::endpoint_text(peer), net::endpoint_text(local), implicit_tls);
  SessionContext s(*this, std::move(socket), options_.smtp, implicit_tls, options_.max_line,
                   std::move(record), peer.address().to_string());
  ++stats_.connections;
  stats_.peak_sessions = std::max(stats_.peak_sessions, ++stats_.active_sessions);

  bool open = true;
  if (implicit_tls) {
    const bool shaken = co_await handshake(s, *options_.tls);
    open = shaken;
  }
  if (open) {
    bool start_tls = false;
    const bool keep = apply(s, s.dialogue.greet(), start_tls);
    const bool written = co_await flush(s);
    open = keep && written;
  }
  // Lives in the coroutine frame of every session: 8 KiB keeps 10,000 idle
  // sessions cheap and is still several 1 KB messages per read.
  std::array<char, 8192> buffer;
  while (open) {
    s.transport.expires_after(options_.idle_timeout);
    const auto n = co_await s.transport.read_some(asio::buffer(buffer), ec);
    if (ec == asio::error::timed_out) {
      ++stats_.idle_timeouts;
      s.log(Direction::event, "idle timeout");
      // RFC 5321 §4.5.3.2.7 / §3.8: say 421 before closing on a timeout. The
      // expired deadline would fail the write too: give the 421 its own.
      s.transport.expires_after(std::chrono::seconds(10));
      s.pending += s.dialogue.encode(proto::ServerReply::idle_timeout);
      co_await flush(s);
      break;
    }
    if (ec) {
      s.log(Direction::event, "client closed: " + ec.message());
      break;  // a message in DATA is lost, as it must be (CONFORMANCE D7)
    }
    stats_.bytes_in += n;
    const std::string_view chunk(buffer.data(), n);
    s.framer.feed(chunk);
    bool start_tls = false;
    bool keep = true;
    if (s.framer.overflowing() && chunk.find('\0') != std::string_view::npos) {
      // Binary data where a command line should be: an over-long "line" with
      // NUL octets. Dropped unread, it would keep the session open for ever
      // (few CRLFs, so few errors), so the session ends here (RFC 5321 §7.8
      // lets a server close on abuse).
      s.log(Direction::event, "binary data in the command stream");
      keep = apply(s, s.dialogue.on_garbage(), start_tls);
    } else {
      keep = process_input(s, start_tls);
    }
    // The API shows live sessions, not only ended ones.
    if (s.record->client_name != s.dialogue.client_name()) {
      s.record->client_name = s.dialogue.client_name();
    }
    if (s.record->auth_user != s.dialogue.auth_user()) s.record->auth_user = s.dialogue.auth_user();
    const bool written = co_await flush(s);
    open = written && keep;
    if (open && start_tls) {
      // RFC 3207 §4.2 (CVE-2011-0411): plaintext pipelined behind STARTTLS is
      // discarded, never executed inside TLS.
      const auto dropped = s.framer.buffered().size();
      s.framer.consume(dropped);
      if (dropped > 0) {
        s.log(Direction::event,
              "discarded " + std::to_string(dropped) + " plaintext octets sent after STARTTLS");
      }
      const bool shaken = co_await handshake(s, *options_.tls);
      open = shaken;
      if (open) s.dialogue.on_tls_established();
    }
  }
  s.transport.close();
  s.record->ended = std::chrono::system_clock::now();
  --stats_.active_sessions;
}

}  // namespace smtp::fake
