// One SMTP session of fake-smtpd: the coroutine that owns the connection,
// frames input, asks the dialogue what to answer, lets rules and hooks
// override it, stores mail and keeps the transcript (ARCHITECTURE.md §2,
// fake-smtpd steps 1-6).
#include <algorithm>
#include <array>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <string>

#include "fake-server/received_header.hpp"
#include "fake-server/session_context.hpp"
#include "net/endpoint_text.hpp"
#include "proto/ascii.hpp"

namespace smtp::fake {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

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
  // With --store none nothing keeps the message, so the Received: line is
  // not even built (it cost ~7% of the server's CPU per message); an
  // observer gets the content without it. The line is kept beside the
  // content, not copied in front of it (message_store.hpp).
  if (s.server.store().kind() != "none") {
    const auto& rcpts = message.envelope.recipients;
    const std::string for_rcpt = rcpts.size() == 1 ? rcpts.front().path.to_string() : "";
    stored.trace = received_header(
        {s.dialogue.client_name(), s.peer_ip, s.server.options().smtp.hostname, s.dialogue.esmtp(),
         s.transport.tls(), s.dialogue.authenticated(), id, for_rcpt, stored.received_at});
  }
  stored.size = message.size;  // the store counts what it keeps
  stored.envelope = std::move(message.envelope);
  if (auto* observer = s.server.options().observer.get()) {
    observer->message(s.record->id, stored, message.content);
  }
  const bool ok = s.server.store().put(stored, std::move(message.content));
  if (ok) {
    ++s.server.stats().messages_accepted;
    ++s.record->messages;
    s.server.message_stored();
  }
  return s.dialogue.finish_delivery(ok, id);
}

// A whole message arrived: rules and on_message may refuse it (it is not
// stored), drop the connection (not stored either), or let it through, in
// which case a 2xx of theirs replaces the text of the 250 (ARCHITECTURE.md §6: a
// message answered 250 is in the store).
rules::Action end_of_message(SessionContext& s, proto::ServerStep& step) {
  auto action = decide_message(s, *step.deliver);
  const bool refused = action.terminal() && !(action.reply && action.reply->code / 100 == 2);
  if (refused) {
    step.deliver.reset();
    ++s.server.stats().messages_refused;
    if (action.reply) {
      step.output += render_reply(s, *action.reply);
      step.close = step.close || action.reply->code == 421;
      action.reply.reset();  // said; the effect must not say it again
    }
    return action;
  }
  auto answer = deliver(s, std::move(*step.deliver));
  step.deliver.reset();
  // The rule's 2xx only for a message really stored; a failed store keeps
  // its 451 (ARCHITECTURE.md §6: a 250 means it is in the store).
  const bool stored = !answer.output.empty() && answer.output[0] == '2';
  if (action.reply && stored) {
    step.output += render_reply(s, *action.reply);
  } else {
    step.output += answer.output;
  }
  action.reply.reset();  // said (or overruled); the effect must not say it
  step.close = step.close || answer.close;
  return action;
}

// Queues one step's answer, or stages it as an effect when `action` shapes
// it. Stores the step's message, if any.
Outcome stage(SessionContext& s, proto::ServerStep&& step, rules::Action&& action,
              bool& start_tls) {
  if (step.deliver) {
    auto decided = end_of_message(s, step);
    rules::merge(action, decided);
  }
  s.count_answer(step.output);
  if (action.empty()) {
    s.pending += step.output;
    start_tls = start_tls || step.start_tls;
    return step.close ? Outcome::close : Outcome::need_more;
  }
  // Field by field: GCC 12 at -O2 warns, wrongly, that a moved-from
  // disengaged optional<ReplySpec> "may be used uninitialized" when Effect
  // is built in one piece.
  auto& effect = s.effect.emplace();
  effect.action = std::move(action);
  effect.output = std::move(step.output);
  effect.close = step.close;
  effect.start_tls = step.start_tls;
  return Outcome::effect;
}

// "MAIL FROM:<a@b>" → ("MAIL", "FROM:<a@b>"), the verb upper-cased into `verb`.
std::string_view split_command(std::string_view line, std::string& verb) {
  const auto space = line.find(' ');
  const auto word = line.substr(0, space);
  verb = proto::to_upper_ascii(word);
  return space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
}

// The dialogue's answer to a command line, unless greylisting defers it.
proto::ServerStep dialogue_answer(SessionContext& s, std::string_view line) {
  auto parsed = s.dialogue.parse_line(line);
  if (auto* error = std::get_if<proto::CommandError>(&parsed)) {
    return s.dialogue.on_command_error(*error);
  }
  const auto& cmd = std::get<proto::Command>(parsed);
  if (cmd.verb == proto::Verb::rcpt && !s.dialogue.rcpt_refusal(cmd)) {
    if (auto deferral = greylist_rcpt(s, cmd)) {
      proto::ServerStep step;
      step.output = std::move(*deferral);
      return step;
    }
  }
  return s.dialogue.on_command(cmd);
}

// A rule or hook decided the answer to this command: it is not carried out.
proto::ServerStep decided_answer(SessionContext& s, rules::Action& action, std::string_view line,
                                 std::string_view verb) {
  proto::ServerStep step;
  const bool closes = action.reply && action.reply->code == 421;
  if (verb == "BDAT" && (action.reply || action.raw) && !closes) {
    // RFC 3030 §2: the chunk is read before it is answered, or its octets
    // would be taken for commands.
    auto parsed = s.dialogue.parse_line(line);
    if (const auto* cmd = std::get_if<proto::Command>(&parsed)) {
      auto answer = action.reply ? render_reply(s, *action.reply) : std::move(*action.raw);
      action.raw.reset();
      return s.dialogue.refuse_chunk(*cmd, std::move(answer));
    }
  }
  if (!action.reply) return step;  // raw, close, reset, stall: the effect says it all
  step.output = render_reply(s, *action.reply);
  step.close = closes;  // RFC 5321 §3.8
  return step;
}

Outcome on_command_line(SessionContext& s, std::string_view line, bool& start_tls) {
  // An AUTH exchange's lines answer AUTH (RFC 4954 §4).
  s.answering =
      s.dialogue.expecting_secret() ? proto::to_string(proto::Verb::auth) : reply_label(line);
  if (s.dialogue.expecting_secret() || !watches_commands(s)) {
    return stage(s, s.dialogue.on_line(line), {}, start_tls);
  }
  std::string verb;
  const auto arg = split_command(line, verb);
  // Anything but a word (".", a stray body line after a refused DATA) goes
  // straight to the dialogue: rules and hooks never see it.
  if (!rules::is_command_word(verb)) return stage(s, dialogue_answer(s, line), {}, start_tls);
  auto action = decide_command(s, verb, arg, line);
  auto step = action.terminal() ? decided_answer(s, action, line, verb) : dialogue_answer(s, line);
  // Rendered into the step already (or, for BDAT, owed after the chunk).
  action.reply.reset();
  if (s.dialogue.input_mode() == proto::InputMode::chunk && !action.empty()) {
    // RFC 3030 §2: the answer to BDAT comes after its chunk; so does
    // whatever shapes it.
    s.chunk_action = std::move(action);
    return stage(s, std::move(step), {}, start_tls);
  }
  return stage(s, std::move(step), std::move(action), start_tls);
}

// The reply queued for the command just processed, for the session's
// observer: what the dialogue or a rule queued, an effect's output, or the
// bytes a `raw` rule sends.
std::string_view observed_reply(const SessionContext& s, Outcome outcome, std::size_t queued) {
  if (outcome != Outcome::effect) return std::string_view(s.pending).substr(queued);
  if (s.effect->output.empty() && s.effect->action.raw) return *s.effect->action.raw;
  return s.effect->output;
}

// Feeds buffered input to the dialogue until it needs more bytes, the
// session must close, or an effect must be carried out first.
Outcome process_input(SessionContext& s, bool& start_tls) {
  while (!start_tls) {
    switch (s.dialogue.input_mode()) {
      case proto::InputMode::line: {
        auto event = s.framer.next();
        if (event.kind == proto::LineFramer::Event::Kind::need_more) return Outcome::need_more;
        if (event.kind == proto::LineFramer::Event::Kind::overflow) {
          s.log(Direction::event,
                "line too long: " + std::to_string(event.discarded) + " octets discarded");
          s.answering = kOtherLabel;
          const auto outcome = stage(s, s.dialogue.on_line_too_long(), {}, start_tls);
          if (outcome != Outcome::need_more) return outcome;
          break;
        }
        // Redact before the dialogue moves on (AUTH secrets, ARCHITECTURE.md §6).
        auto shown = s.dialogue.redact(event.line);
        s.log(Direction::client, shown + "\r\n");
        const bool more_input = !s.framer.buffered().empty();
        const auto queued = s.pending.size();
        const auto outcome = on_command_line(s, event.line, start_tls);
        if (auto* observer = s.server.options().observer.get()) {
          // The octets behind a BDAT line are its chunk (RFC 3030), not
          // pipelined commands (RFC 2920).
          const bool pipelined = more_input && s.dialogue.input_mode() != proto::InputMode::chunk;
          observer->command(s.record->id, shown, observed_reply(s, outcome, queued), pipelined);
        }
        if (outcome != Outcome::need_more) return outcome;
        if (s.server.options().smtp.violations.drops_pipelined_commands &&
            s.dialogue.input_mode() == proto::InputMode::line) {
          // Violation drops-pipelined-commands (docs/CONFORMANCE.md P1): RFC 2920
          // §3.2 wants every command of a group answered, in order; this
          // server answers the first and forgets what came with it.
          const auto dropped = s.framer.buffered().size();
          if (dropped > 0) {
            s.framer.consume(dropped);
            s.log(Direction::event, "violation drops-pipelined-commands: dropped " +
                                        std::to_string(dropped) + " pipelined octets");
          }
        }
        if (s.pending.size() >= kReplyQueueLimit) return Outcome::flush;
        break;
      }
      case proto::InputMode::data:
      case proto::InputMode::chunk: {
        const auto buffered = s.framer.buffered();
        if (buffered.empty()) return Outcome::need_more;
        s.answering = s.dialogue.input_mode() == proto::InputMode::chunk
                          ? proto::to_string(proto::Verb::bdat)
                          : kEndOfDataLabel;
        auto result = s.dialogue.on_data(buffered);
        s.log(Direction::client, buffered.substr(0, result.consumed));
        s.framer.consume(result.consumed);
        const bool refused = !result.step.output.empty() && result.step.output[0] >= '4';
        if (refused) ++s.server.stats().messages_refused;
        rules::Action owed;
        if (s.chunk_action && s.dialogue.input_mode() != proto::InputMode::chunk) {
          owed = std::move(*s.chunk_action);  // the chunk is read: now its answer
          s.chunk_action.reset();
        }
        const auto outcome = stage(s, std::move(result.step), std::move(owed), start_tls);
        if (outcome != Outcome::need_more) return outcome;
        if (result.consumed == 0 && s.dialogue.input_mode() != proto::InputMode::line) {
          return Outcome::need_more;
        }
        break;
      }
      case proto::InputMode::none:
        return Outcome::need_more;
    }
  }
  return Outcome::need_more;
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

// Writes what is pending, then carries out every staged effect, processing
// the input buffered behind each. Returns false when the session is over.
asio::awaitable<bool> settle(SessionContext& s, Outcome outcome, bool& start_tls) {
  while (outcome == Outcome::effect || outcome == Outcome::flush) {
    const bool written = co_await flush(s);
    if (!written) co_return false;
    if (outcome == Outcome::flush) {
      outcome = process_input(s, start_tls);
      continue;
    }
    auto effect = std::move(*s.effect);
    s.effect.reset();
    // The read's idle deadline must not cut a delay or a stall short; each
    // effect arms its own.
    s.transport.expires_never();
    const bool tls_next = effect.start_tls;
    const bool open = co_await perform(s, std::move(effect));
    if (!open) co_return false;
    start_tls = start_tls || tls_next;
    outcome = start_tls ? Outcome::need_more : process_input(s, start_tls);
  }
  const bool written = co_await flush(s);
  co_return written&& outcome != Outcome::close;
}

asio::awaitable<bool> handshake(SessionContext& s, asio::ssl::context& tls) {
  const auto fault = decide_tls(s);
  if (!fault.empty()) {
    const bool go_on = co_await perform_tls_fault(s, fault);
    if (!go_on) co_return false;
  }
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

// A session over max_sessions is turned away: RFC 5321 §3.8 lets a server
// close a connection only after a 421 (or a QUIT, or a timeout), so it gets
// "421 4.3.2" in place of the greeting. False when `s` was turned away.
asio::awaitable<bool> admitted(SessionContext& s) {
  const auto limit = s.server.options().max_sessions.value_or(0);
  if (limit == 0 || s.server.stats().active_sessions <= limit) co_return true;
  const auto open_now = std::to_string(s.server.stats().active_sessions - 1);
  if (s.server.options().smtp.violations.drops_sessions_over_limit) {
    // Violation drops-sessions-over-limit (docs/CONFORMANCE.md O1): the connection
    // is closed without a word, which §3.8 does not allow; the client cannot
    // tell a busy server from a broken one.
    s.log(Direction::event, "violation drops-sessions-over-limit: closed without a reply, " +
                                open_now + " sessions open");
    co_return false;
  }
  s.log(Direction::event, "over max_sessions: " + open_now + " sessions open");
  // The write gets its own deadline, as the idle timeout's 421 does.
  s.transport.expires_after(std::chrono::seconds(10));
  s.answering = kConnectLabel;
  s.pending += s.dialogue.encode(proto::ServerReply::too_many_sessions);
  s.count_answer(s.pending);
  co_await flush(s);
  co_return false;
}

// The greeting, or what a "connect" rule or on_connect says instead.
Outcome greet(SessionContext& s, bool& start_tls) {
  s.answering = kConnectLabel;
  auto action = decide_connect(s);
  if (!action.terminal()) return stage(s, s.dialogue.greet(), std::move(action), start_tls);
  proto::ServerStep step;
  if (action.reply) {
    step.output = render_reply(s, *action.reply, ReplyRole::greeting);
    step.close = action.reply->code == 421;
    // RFC 5321 §3.1: after a 554 greeting only QUIT is accepted.
    if (action.reply->code == 554) s.dialogue.refuse_session();
    action.reply.reset();
  }
  return stage(s, std::move(step), std::move(action), start_tls);
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
                   std::move(record), peer.address().to_string(), peer.port());
  if (options_.observer) options_.observer->session_opened(s.record->id);
  ++stats_.connections;
  stats_.peak_sessions = std::max(stats_.peak_sessions, ++stats_.active_sessions);
  // However the session ends, an exception included (a bug; fake_server.cpp
  // logs it), the counters and the record are settled. A session still
  // open at shutdown is destroyed with the io_context, after the server:
  // then there is nothing left to settle.
  struct Settle {
    Settle(FakeServer& server_, SessionContext& s_, std::weak_ptr<const void> alive_)
        : server(server_), s(s_), alive(std::move(alive_)) {}
    FakeServer& server;
    SessionContext& s;
    std::weak_ptr<const void> alive;
    std::chrono::steady_clock::time_point opened = std::chrono::steady_clock::now();
    ~Settle() {
      s.transport.close();
      s.record->ended = std::chrono::system_clock::now();
      if (alive.expired()) return;
      server.behaviour().rules.session_ended(s.record->id);
      if (auto* observer = server.options().observer.get()) observer->session_closed(s.record->id);
      --server.stats().active_sessions;
      server.stats().session_seconds.observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - opened).count());
    }
  } settle_at_end(*this, s, alive_);

  bool open = true;
  if (implicit_tls) {
    const bool shaken = co_await handshake(s, *options_.tls);
    open = shaken;
  }
  if (open) {
    const bool admit = co_await admitted(s);
    open = admit;
    if (admit) ++stats_.sessions;
  }
  if (open) {
    bool start_tls = false;
    const auto outcome = greet(s, start_tls);
    const bool settled = co_await settle(s, outcome, start_tls);
    open = settled;
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
      s.answering = kOtherLabel;
      s.pending += s.dialogue.encode(proto::ServerReply::idle_timeout);
      s.count_answer(s.pending);
      co_await flush(s);
      break;
    }
    if (ec) {
      s.log(Direction::event, "client closed: " + ec.message());
      break;  // a message in DATA is lost, as it must be (docs/CONFORMANCE.md D7)
    }
    stats_.bytes_in += n;
    const std::string_view chunk(buffer.data(), n);
    s.framer.feed(chunk);
    bool start_tls = false;
    Outcome outcome = Outcome::need_more;
    if (s.framer.overflowing() && chunk.find('\0') != std::string_view::npos) {
      // Binary data where a command line should be: an over-long "line" with
      // NUL octets. Dropped unread, it would keep the session open for ever
      // (few CRLFs, so few errors), so the session ends here (RFC 5321 §7.8
      // lets a server close on abuse).
      s.log(Direction::event, "binary data in the command stream");
      s.answering = kOtherLabel;
      outcome = stage(s, s.dialogue.on_garbage(), {}, start_tls);
    } else {
      outcome = process_input(s, start_tls);
    }
    // The API shows live sessions, not only ended ones.
    if (s.record->client_name != s.dialogue.client_name()) {
      s.record->client_name = s.dialogue.client_name();
    }
    if (s.record->auth_user != s.dialogue.auth_user()) s.record->auth_user = s.dialogue.auth_user();
    const bool settled = co_await settle(s, outcome, start_tls);
    open = settled;
    // Bounded: a second STARTTLS inside TLS (only under the violation
    // starttls-twice) fails its handshake and ends the session.
    while (open && start_tls) {
      start_tls = false;
      const auto plaintext = s.framer.buffered().size();
      // RFC 3207 §4.2 (CVE-2011-0411): plaintext pipelined behind STARTTLS is
      // discarded, never executed inside TLS. Violation starttls-keeps-plaintext
      // (docs/CONFORMANCE.md T4) keeps it and answers it inside TLS, as the CVE did.
      const bool keep = options_.smtp.violations.starttls_keeps_plaintext;
      if (!keep) s.framer.consume(plaintext);
      if (plaintext > 0) {
        s.log(Direction::event,
              (keep ? "violation starttls-keeps-plaintext: kept " : "discarded ") +
                  std::to_string(plaintext) + " plaintext octets sent after STARTTLS");
      }
      const bool shaken = co_await handshake(s, *options_.tls);
      open = shaken;
      if (!open) break;
      s.dialogue.on_tls_established();
      if (auto* observer = options_.observer.get()) observer->tls_started(s.record->id);
      if (keep && plaintext > 0) {
        const auto kept = process_input(s, start_tls);
        const bool answered = co_await settle(s, kept, start_tls);
        open = answered;
      }
    }
  }
}

}  // namespace smtp::fake
