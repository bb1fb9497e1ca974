#pragma once
// One connection's SMTP conversation in a load session: from the banner (or
// the implicit-TLS handshake) to QUIT or the connection's end. It writes what
// the ClientDialogue asks for, frames replies with the shared ReplyParser,
// and records (ARCHITECTURE.md §4):
//   - each request's latency, from the write of its step to its reply (under
//     PIPELINING, every command of a batch counts from the batch's write);
//   - each reply in the phase × code matrix;
//   - each transaction's response time from its intended start and its
//     service time from its first write;
//   - errors by kind, with the target and the reply as a sample.
//
// Hostile servers: each reply must be complete within reply_timeout of when
// the wait for it began (one deadline per reply, not per read, so a server
// that drips a byte a second is cut off too), and the parser bounds a reply's
// size; the read buffer is fixed.
#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "load/session.hpp"
#include "proto/client_dialogue.hpp"
#include "proto/reply_parser.hpp"

namespace smtp::net {
class Transport;
}

namespace smtp::load {

class Conversation {
 public:
  // `settled`: the session's flag for WorkerEnvironment::settle, set when
  // the conversation first becomes ready for mail. `pacing`: the session
  // holds a ConnectPacer slot; released (and cleared) at the banner.
  Conversation(WorkerEnvironment& env, net::Transport& transport, std::uint64_t connection,
               bool& settled, bool& pacing);

  // false when the connection ended in a failure (421, lost, timeout,
  // protocol error, setup refused): the session then pauses before it
  // reconnects.
  boost::asio::awaitable<bool> run();

 private:
  struct InFlight {
    Clock::time_point intended;
    Clock::time_point started;
    script::MessageContext context;
    // With --sink (env.ledger): what the ledger is told when the relay
    // accepts the message.
    std::uint64_t seq = 0;
    std::vector<std::string> recipients;
    std::vector<bool> recipient_accepted;  // RCPT replies so far, in order
    Fingerprint fingerprint;
  };
  struct Received {
    std::optional<proto::Reply> reply;
    std::optional<std::string> malformed;  // the parser's reason
    boost::system::error_code error;       // the transport's, when neither came
  };

  boost::asio::awaitable<bool> handshake();
  // Records the step and writes its output; runs the STARTTLS handshake when
  // it asks for one. A failed write ends the dialogue (connection lost).
  boost::asio::awaitable<void> perform(proto::ClientStep step);
  boost::asio::awaitable<Received> read_reply();
  // nullopt: QUIT now (the run stops, or the connection's quota is reached).
  boost::asio::awaitable<std::optional<proto::ClientStep>> start_transaction();
  std::optional<proto::OutgoingMessage> build_message(const Ticket& ticket);
  // With --sink: the token in the sender and the header, and the digest.
  void stamp(proto::OutgoingMessage& message, std::uint64_t seq, InFlight& flight);

  void record(const proto::ClientStep& step);
  void record_reply(const proto::ReplyEvent& event);
  void record_outcome(const proto::TransactionOutcome& outcome);
  void record_failure(const proto::ClientFailure& failure);
  void submit(InFlight& flight, Clock::time_point accepted);
  void connection_lost(const boost::system::error_code& error, std::string_view during);
  void call_reply_hook(const proto::ReplyEvent& event);

  WorkerEnvironment& env_;
  net::Transport& transport_;
  proto::ClientDialogue dialogue_;
  proto::ReplyParser parser_;
  struct Sent {
    std::uint64_t serial;
    proto::Phase phase;
    Clock::time_point at;
  };
  std::deque<Sent> sent_;  // written, not yet answered
  std::optional<InFlight> in_flight_;
  script::MessageContext context_;  // the connection's, for hooks between messages
  std::uint64_t messages_ = 0;      // started on this connection
  bool failed_ = false;
  // The connection's end was already counted as an error (a timeout, a
  // failed handshake): the dialogue's connection_lost is not a second one.
  bool loss_counted_ = false;
  std::string lost_reason_;                   // the transport's error when the connection ended
  Clock::time_point read_at_ = Clock::now();  // when the last read returned
  bool ready_once_ = false;
  bool& settled_;
  bool& pacing_;
  std::array<char, 4096> buffer_{};
};

}  // namespace smtp::load
