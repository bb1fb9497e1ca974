#include "load/conversation.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <variant>

#include "load/delivery_token.hpp"
#include "net/transport.hpp"

namespace smtp::load {

namespace asio = boost::asio;

namespace {

MeasuredPhase measured(proto::Phase phase) {
  switch (phase) {
    case proto::Phase::banner:
      return MeasuredPhase::banner;
    case proto::Phase::ehlo:
      return MeasuredPhase::ehlo;
    case proto::Phase::helo:
      return MeasuredPhase::helo;
    case proto::Phase::starttls:
      return MeasuredPhase::starttls;
    case proto::Phase::auth:
      return MeasuredPhase::auth;
    case proto::Phase::mail:
      return MeasuredPhase::mail;
    case proto::Phase::rcpt:
      return MeasuredPhase::rcpt;
    case proto::Phase::data:
      return MeasuredPhase::data;
    case proto::Phase::end_of_data:
      return MeasuredPhase::end_of_data;
    case proto::Phase::bdat:
      return MeasuredPhase::bdat;
    case proto::Phase::rset:
      return MeasuredPhase::rset;
    case proto::Phase::quit:
      return MeasuredPhase::quit;
  }
  return MeasuredPhase::banner;
}

// Real servers' longest replies are EHLO's, a few dozen lines; 100 lines of
// at most 2048 octets bound what a hostile server can make each of 10,000
// sessions hold (the parser's default allows 512 lines).
proto::ReplyParser::Limits reply_limits() {
  proto::ReplyParser::Limits limits;
  limits.max_lines = 100;
  return limits;
}

int reply_class_of(int code) {
  return code >= 200 && code < 600 ? code / 100 : 5;
}

// ARCHITECTURE.md §4's error kinds for the dialogue's failures.
ErrorKind error_kind(proto::FailureKind kind) {
  switch (kind) {
    case proto::FailureKind::starttls_unavailable:
    case proto::FailureKind::starttls_refused:
      return ErrorKind::tls;
    case proto::FailureKind::auth_unavailable:
    case proto::FailureKind::auth_failed:
      return ErrorKind::auth;
    case proto::FailureKind::banner_refused:
    case proto::FailureKind::service_closing:
    case proto::FailureKind::connection_lost:
      return ErrorKind::closed;
    case proto::FailureKind::hello_refused:
    case proto::FailureKind::unexpected_reply:
    case proto::FailureKind::unsolicited_reply:
    case proto::FailureKind::malformed_reply:
    case proto::FailureKind::bad_configuration:
      return ErrorKind::protocol;
  }
  return ErrorKind::protocol;
}

}  // namespace

Conversation::Conversation(WorkerEnvironment& env, net::Transport& transport,
                           std::uint64_t connection, bool& settled, bool& pacing)
    : env_(env),
      transport_(transport),
      dialogue_(env.config.client),
      parser_(reply_limits()),
      settled_(settled),
      pacing_(pacing) {
  context_.worker = env.worker;
  context_.connection = connection;
}

asio::awaitable<bool> Conversation::run() {
  if (env_.config.client.tls == proto::TlsMode::implicit) {
    bool secured = co_await handshake();
    if (!secured) {
      env_.recorder.count(&Counters::connections_failed);
      co_return false;
    }
  }
  co_await perform(dialogue_.start());
  // Each turn either starts a transaction, or waits for one reply; both are
  // bounded (a ticket source that stops, a reply deadline), and the dialogue
  // closes on any failure, so the loop ends.
  while (!dialogue_.closed() && transport_.is_open()) {
    if (dialogue_.ready_for_message()) {
      ready_once_ = true;
      env_.settle(settled_);
      auto step = co_await start_transaction();
      if (step) {
        co_await perform(std::move(*step));
      } else {
        co_await perform(dialogue_.quit());
      }
      continue;
    }
    if (dialogue_.outstanding() == 0) {
      // Neither ready nor waiting for a reply: a dialogue bug. Give the
      // connection up as failed rather than spin on it.
      env_.recorder.error(ErrorKind::protocol,
                          env_.target_text + ": client dialogue stalled in stage " +
                              std::string(proto::to_string(dialogue_.stage())));
      failed_ = true;
      break;
    }
    Received received = co_await read_reply();
    if (received.reply) {
      co_await perform(dialogue_.on_reply(*received.reply));
    } else if (received.malformed) {
      co_await perform(dialogue_.on_malformed_reply(*received.malformed));
    } else {
      connection_lost(received.error, "reading a reply");
    }
  }
  if (!ready_once_) env_.recorder.count(&Counters::connections_failed);
  co_return !failed_;
}

asio::awaitable<bool> Conversation::handshake() {
  auto started = Clock::now();
  boost::system::error_code ec;
  transport_.expires_after(env_.config.reply_timeout);
  co_await transport_.client_handshake(*env_.tls, env_.sni, env_.config.tls.verify, ec);
  if (ec) {
    env_.recorder.error(ErrorKind::tls, env_.target_text + ": TLS handshake: " +
                                            transport_.handshake_failure(ec.message()));
    failed_ = true;
    co_return false;
  }
  env_.recorder.latency(MeasuredPhase::tls_handshake, 2, Clock::now() - started);
  co_return true;
}

asio::awaitable<void> Conversation::perform(proto::ClientStep step) {
  for (;;) {
    record(step);
    auto now = Clock::now();
    for (const auto& request : step.requests) sent_.push_back({request.serial, request.phase, now});
    if (!step.output.empty()) {
      boost::system::error_code ec;
      transport_.expires_after(env_.config.reply_timeout);
      co_await transport_.write(step.output, ec);
      if (ec) {
        connection_lost(ec, "writing");
        co_return;
      }
      env_.recorder.count(&Counters::bytes_written, step.output.size());
    }
    if (step.close) {
      transport_.close();
      co_return;
    }
    if (!step.start_tls) co_return;
    // RFC 3207 §4.2: nothing may follow the 220 to STARTTLS in clear text.
    auto trailing = parser_.expect_no_trailing_data();
    if (auto* error = std::get_if<proto::ReplyError>(&trailing)) {
      step = dialogue_.on_malformed_reply(error->detail);
      continue;
    }
    bool secured = co_await handshake();
    if (!secured) {
      failed_ = true;
      step = dialogue_.on_connection_lost();
      // The handshake's error is already counted (tls); the dialogue's
      // connection_lost is its consequence, not a second error.
      loss_counted_ = true;
      continue;
    }
    step = dialogue_.on_tls_established();
  }
}

asio::awaitable<Conversation::Received> Conversation::read_reply() {
  Received received;
  // One deadline for the whole reply (see the header).
  transport_.expires_after(env_.config.reply_timeout);
  for (;;) {
    auto next = parser_.next();
    if (auto* reply = std::get_if<proto::Reply>(&next)) {
      received.reply = std::move(*reply);
      co_return received;
    }
    // The time a reply is complete is the time of the read that completed
    // it; stamped here, before any processing (a Lua hook, the next write).
    if (auto* error = std::get_if<proto::ReplyError>(&next)) {
      received.malformed = proto::to_string(*error);
      co_return received;
    }
    boost::system::error_code ec;
    auto n = co_await transport_.read_some(asio::buffer(buffer_), ec);
    if (ec) {
      received.error = ec;
      co_return received;
    }
    env_.recorder.count(&Counters::bytes_read, n);
    read_at_ = Clock::now();
    parser_.feed(std::string_view(buffer_.data(), n));
  }
}

void Conversation::connection_lost(const boost::system::error_code& error,
                                   std::string_view during) {
  if (error == asio::error::timed_out) {
    std::string waiting = sent_.empty()
                              ? std::string("the server")
                              : std::string(proto::to_string(sent_.front().phase)) + " reply";
    env_.recorder.error(ErrorKind::timeout,
                        env_.target_text + ": no " + waiting + " within " +
                            std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                               env_.config.reply_timeout)
                                               .count()) +
                            " ms");
    loss_counted_ = true;
  } else if (error == asio::error::operation_aborted) {
    // The run's drain deadline closed the connection (Session::abort).
    std::string what =
        in_flight_
            ? std::string("transaction abandoned")
            : "connection closed while waiting for the " +
                  (sent_.empty() ? std::string("server")
                                 : std::string(proto::to_string(sent_.front().phase)) + " reply");
    env_.recorder.error(ErrorKind::timeout,
                        env_.target_text + ": " + what + " at the end of the run (drain timeout)");
    loss_counted_ = true;
  } else {
    lost_reason_ = std::string(during) + ": " + error.message();
  }
  // failed_ is set by the step's failure, if any: a server that hangs up
  // right after QUIT has not failed anyone.
  auto step = dialogue_.on_connection_lost();
  record(step);
}

asio::awaitable<std::optional<proto::ClientStep>> Conversation::start_transaction() {
  std::size_t quota = env_.config.messages_per_connection;
  if (quota != 0 && messages_ >= quota) co_return std::nullopt;
  auto ticket = co_await env_.tickets.next();
  if (!ticket) co_return std::nullopt;
  auto message = build_message(*ticket);
  if (!message) {
    // Skipped, or the hook failed: let the io_context breathe before the
    // next ticket, so a hook that always fails cannot starve the timers.
    auto executor = co_await asio::this_coro::executor;
    co_await asio::post(executor, asio::use_awaitable);
    co_return proto::ClientStep{};
  }
  ++messages_;
  InFlight flight;
  flight.intended = ticket->intended;
  flight.context = context_;
  if (env_.ledger != nullptr) stamp(*message, ticket->seq, flight);
  flight.started = Clock::now();
  in_flight_ = std::move(flight);
  env_.recorder.count(&Counters::transactions_started);
  co_return dialogue_.send(std::move(*message));
}

std::optional<proto::OutgoingMessage> Conversation::build_message(const Ticket& ticket) {
  context_.seq = ticket.seq;
  context_.in_connection = messages_ + 1;
  if (env_.script == nullptr || !env_.script->has_message_hook()) {
    return env_.messages.build(ticket.seq);
  }
  try {
    auto spec = env_.script->message(context_);
    if (spec.skip) return std::nullopt;
    return env_.messages.build(ticket.seq, spec);
  } catch (const std::exception& e) {
    env_.recorder.error(ErrorKind::script, e.what());
    return std::nullopt;
  }
}

void Conversation::stamp(proto::OutgoingMessage& message, std::uint64_t seq, InFlight& flight) {
  const auto token = delivery_token(env_.ledger->run_id(), seq);
  message.from = verp_sender(message.from, token);
  const auto body = stamp_message(message.content, token);
  flight.seq = seq;
  flight.recipients = message.to;
  flight.fingerprint = env_.ledger->fingerprint(message.content, body);
}

void Conversation::record(const proto::ClientStep& step) {
  if (step.reply) record_reply(*step.reply);
  if (step.outcome) record_outcome(*step.outcome);
  if (step.failure) record_failure(*step.failure);
  // The hook runs after the times were taken, so its run time never counts
  // as the server's.
  if (step.reply) call_reply_hook(*step.reply);
}

void Conversation::record_reply(const proto::ReplyEvent& event) {
  auto now = read_at_;
  while (!sent_.empty() && sent_.front().serial < event.request) sent_.pop_front();
  auto phase = measured(event.phase);
  if (event.phase == proto::Phase::banner && pacing_) {
    pacing_ = false;
    env_.pacer.release();
  }
  if (!sent_.empty() && sent_.front().serial == event.request) {
    env_.recorder.latency(phase, reply_class_of(event.reply.code), now - sent_.front().at);
    sent_.pop_front();
  }
  env_.recorder.reply(phase, event.reply);
  // RFC 5321 §4.1.1.3 / RFC 2920 §3.1: one reply per RCPT, in order.
  if (event.phase == proto::Phase::rcpt && in_flight_ && env_.ledger != nullptr) {
    in_flight_->recipient_accepted.push_back(event.reply.code / 100 == 2);
  }
}

void Conversation::call_reply_hook(const proto::ReplyEvent& event) {
  if (env_.script == nullptr || !env_.script->has_reply_hook()) return;
  std::string text;
  for (const auto& line : event.reply.lines) {
    if (!text.empty()) text += '\n';
    text += line.text;
  }
  std::string enhanced = event.reply.enhanced() ? event.reply.enhanced()->to_string() : "";
  script::ReplyInfo info;
  info.phase = to_string(measured(event.phase));
  info.code = event.reply.code;
  info.enhanced = enhanced;
  info.text = text;
  try {
    env_.script->reply(in_flight_ ? in_flight_->context : context_, info);
  } catch (const std::exception& e) {
    env_.recorder.error(ErrorKind::script, e.what());
  }
}

void Conversation::record_outcome(const proto::TransactionOutcome& outcome) {
  auto& recorder = env_.recorder;
  // Decided by the reply just read, or (connection lost) now.
  auto now = std::max(read_at_, in_flight_ ? in_flight_->started : read_at_);
  recorder.count(&Counters::recipients_accepted, outcome.accepted);
  recorder.count(&Counters::recipients_refused, outcome.recipients - outcome.accepted);
  switch (outcome.kind) {
    case proto::OutcomeKind::delivered:
    case proto::OutcomeKind::refused: {
      int cls = outcome.kind == proto::OutcomeKind::delivered ? 2 : reply_class_of(outcome.code);
      if (in_flight_) {
        recorder.latency(MeasuredPhase::transaction, cls, now - in_flight_->intended);
        recorder.latency(MeasuredPhase::service, cls, now - in_flight_->started);
      }
      if (cls == 2) {
        recorder.count(&Counters::delivered);
        if (env_.ledger != nullptr && in_flight_) submit(*in_flight_, now);
      } else {
        bool transient = cls == 4;
        recorder.count(transient ? &Counters::refused_4xx : &Counters::refused_5xx);
        std::string what = env_.target_text + ": " +
                           std::string(outcome.phase ? proto::to_string(*outcome.phase) : "?") +
                           " " + std::to_string(outcome.code);
        if (outcome.enhanced) what += " " + outcome.enhanced->to_string();
        recorder.error(transient ? ErrorKind::reply_4xx : ErrorKind::reply_5xx, what);
      }
      break;
    }
    case proto::OutcomeKind::connection_lost:
      recorder.count(&Counters::failed);
      break;
    case proto::OutcomeKind::invalid:
      recorder.count(&Counters::failed);
      recorder.error(ErrorKind::script, "message not sent: " + outcome.detail);
      break;
  }
  in_flight_.reset();
}

void Conversation::submit(InFlight& flight, Clock::time_point accepted) {
  std::vector<std::string> recipients;
  for (std::size_t i = 0; i < flight.recipients.size() && i < flight.recipient_accepted.size(); ++i)
    if (flight.recipient_accepted[i]) recipients.push_back(flight.recipients[i]);
  env_.ledger->submitted(flight.seq, recipients, std::move(flight.fingerprint), flight.intended,
                         accepted);
}

void Conversation::record_failure(const proto::ClientFailure& failure) {
  failed_ = true;
  if (failure.kind == proto::FailureKind::connection_lost && loss_counted_) return;  // counted
  std::string what = env_.target_text + ": ";
  if (failure.phase) what += std::string(proto::to_string(*failure.phase)) + ": ";
  if (failure.code != 0) what += std::to_string(failure.code) + " ";
  what += failure.detail;
  if (failure.kind == proto::FailureKind::connection_lost && !lost_reason_.empty())
    what += " (" + lost_reason_ + ")";
  env_.recorder.error(error_kind(failure.kind), what);
}

}  // namespace smtp::load
