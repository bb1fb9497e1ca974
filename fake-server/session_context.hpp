#pragma once
// The state one fake-smtpd session works with, shared by the session loop
// (session.cpp), its behaviour decisions (session_behaviour.cpp) and the
// effects that carry them out (session_effects.cpp). Private to fake-server.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "fake-server/fake_server.hpp"
#include "fake-server/reply_label.hpp"
#include "fake-server/rules/rule_engine.hpp"
#include "net/transport.hpp"
#include "proto/line_framer.hpp"
#include "proto/server_dialogue.hpp"

namespace smtp::fake {

// An answer that cannot simply be queued: a rule or hook delays it, throttles
// it, breaks it, or replaces it with a close, a reset or silence.
struct Effect {
  rules::Action action;
  std::string output;      // the answer's bytes, before `action` shapes them
  bool close = false;      // end the session after the output
  bool start_tls = false;  // the answer was 220 to STARTTLS
};

// What processing buffered input led to.
enum class Outcome {
  need_more,  // all input used: read more
  close,      // write what is pending, then close
  effect,     // write what is pending, then carry out `effect`, then go on
  flush,      // write what is pending (it reached kReplyQueueLimit), then go on
};

// The replies a session queues before it writes them. A long pipelined
// group is answered in pieces of this size, still in order (RFC 2920 §3.2);
// a client that never reads them blocks the write, and so the reading.
// Input is read 8 KiB at a time and lines are at most max_line, so one
// session holds at most this plus one reply, and 8 KiB plus max_line of
// input (besides the message it receives).
inline constexpr std::size_t kReplyQueueLimit = 16 * 1024;

struct SessionContext {
  SessionContext(FakeServer& server_, boost::asio::ip::tcp::socket socket,
                 const proto::ServerConfig& config, bool implicit_tls, std::size_t max_line,
                 std::shared_ptr<SessionRecord> record_, std::string peer_ip_,
                 std::uint16_t peer_port_)
      : server(server_),
        transport(std::move(socket)),
        dialogue(config, implicit_tls),
        framer({max_line, false}),
        record(std::move(record_)),
        peer_ip(std::move(peer_ip_)),
        peer_port(peer_port_),
        random(server_.options().seed, record->id) {}

  FakeServer& server;
  net::Transport transport;
  proto::ServerDialogue dialogue;
  proto::LineFramer framer;
  std::shared_ptr<SessionRecord> record;
  std::string peer_ip;
  std::uint16_t peer_port;
  rules::SessionRandom random;
  std::string pending;  // replies not yet written (PIPELINING, RFC 2920 §3.2)
  std::optional<Effect> effect;
  std::optional<rules::Action> chunk_action;  // shapes the answer owed after a BDAT chunk
  std::uint64_t message_number = 0;

  // What the replies queued next answer (reply_label.hpp), for /metrics.
  std::string_view answering = kOtherLabel;

  void log(Direction d, std::string_view bytes) {
    record->record(d, transport.tls(), bytes, server.sessions().bytes_cap());
  }
  void count_replies(std::string_view output);  // by code, as written
  void count_answer(std::string_view output);   // by `answering` and code, as queued
};

// Behaviour (session_behaviour.cpp): what rules, hooks and greylisting say.
// Each returns the merged action; empty() when nothing fired. Fired rules
// and hook results are written to the transcript.
rules::Action decide_connect(SessionContext& s);
rules::Action decide_tls(SessionContext& s);
rules::Action decide_command(SessionContext& s, std::string_view verb, std::string_view arg,
                             std::string_view line);
rules::Action decide_message(SessionContext& s, const proto::Message& message);
// Greylisting of a well-formed RCPT inside a transaction: the deferral to
// send, or nullopt when the triplet passes (or greylisting is off).
std::optional<std::string> greylist_rcpt(SessionContext& s, const proto::Command& rcpt);
// A rule's reply in its RFC-correct wire form for this session.
enum class ReplyRole : std::uint8_t { greeting, answer };
std::string render_reply(const SessionContext& s, const rules::ReplySpec& reply,
                         ReplyRole role = ReplyRole::answer);
// True when rules or hooks look at commands at all (the fast path skips them).
bool watches_commands(SessionContext& s);

// Effects (session_effects.cpp). Each returns false when the session is over.
boost::asio::awaitable<bool> perform(SessionContext& s, Effect effect);
boost::asio::awaitable<bool> perform_tls_fault(SessionContext& s, const rules::Action& action);

}  // namespace smtp::fake
