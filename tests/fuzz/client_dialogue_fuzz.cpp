// Fuzzes the client dialogue driven as a load session drives it
// (harness/load/conversation.cpp): replies framed by the ReplyParser from an
// arbitrary server byte stream, fed in arbitrary pieces, one reply at a time
// while the dialogue waits for one; a message sent whenever it is ready, QUIT
// when the messages are done; the 220 to STARTTLS checked for trailing
// plaintext, then a (simulated) handshake; the end of the stream is a lost
// connection.
//
// Input: 4 bytes of setup (TLS mode, AUTH, pipelining, BDAT and chunk size,
// recipients 1..8, messages 1..4, the content, how the stream is cut), then
// the server's bytes. Traps when:
//  - the dialogue hangs: after a step it is neither closed, nor waiting for
//    a reply it asked for, nor ready for a message; or the session does not
//    end within a bounded number of steps, closed, once the stream ends;
//  - it writes before the greeting (RFC 5321 §3.1), after QUIT or after
//    closing, or more than STARTTLS and nothing after it (RFC 3207 §4.2);
//  - it pipelines without PIPELINING offered to its current EHLO and asked
//    for, or puts anything behind a command that must end a group: only MAIL,
//    RCPT, RSET (RFC 2920 §3.1), BDAT (RFC 3030 §4.2) and the message content
//    (RFC 2920 §3.1, "the first command in a group") may have more behind;
//  - it sends DATA's content other than right after a 354 to DATA, or a BDAT
//    chunk alone before MAIL and a RCPT were accepted or after a refused
//    chunk (RFC 3030 §2);
//  - what it writes is not the commands its requests name, in order: each a
//    line the server's command parser reads as that verb, each BDAT followed
//    by exactly its octets, the chunks together the message, the content
//    dot-stuffed so that it unstuffs to the message and ends at the first
//    CRLF "." CRLF (or a lone "." when nothing was accepted);
//  - a step's reply is not the oldest request outstanding, a transaction
//    does not end with exactly one outcome, or "delivered" comes without a
//    250 to its end of data or LAST chunk.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "proto/base64.hpp"
#include "proto/client_dialogue.hpp"
#include "proto/command_parser.hpp"
#include "proto/dot_unstuffer.hpp"
#include "proto/ehlo.hpp"
#include "proto/reply_parser.hpp"

namespace {

using namespace smtp::proto;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

struct Setup {
  ClientConfig config;
  std::size_t recipients = 1;
  std::size_t messages = 1;
  std::string content;
  std::string from;
  bool quit_early = false;  // quit() right after the first send()
  unsigned cut_seed = 0;
};

Setup setup_from(const std::uint8_t* b) {
  Setup s;
  ClientConfig& c = s.config;
  c.helo_name = "client.test";
  c.tls = static_cast<TlsMode>(b[0] % 3);
  c.starttls_required = b[0] & 4;
  if (b[0] & 8) c.credentials = ClientCredentials{"user", "secret"};
  c.auth_mechanism = static_cast<AuthMechanism>((b[0] >> 4) % 3);
  c.auth_cleartext = b[0] & 64;
  c.pipelining = b[0] & 128;
  c.chunking = b[1] & 1;
  c.chunk_size = (b[1] >> 1) % 8 * 3;  // 0: one "BDAT n LAST"
  c.send_size = b[1] & 16;
  s.recipients = 1 + (b[1] >> 5);
  s.messages = 1 + b[2] % 4;
  static const char* const contents[] = {
      "Subject: t\r\n\r\nHello\r\n",
      "",
      ".\r\n..\r\n.x\r\nend\r\n",
      "Subject: long\r\n\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n.\r\n",
  };
  s.content = contents[(b[2] >> 2) % 4];
  s.from = (b[2] & 16) ? "" : "sender@example.org";
  s.quit_early = b[2] & 32;
  if (b[2] & 64) c.helo_name = "bad name";  // the encoder refuses it
  s.cut_seed = b[3];
  return s;
}

// A command of the group that may have more commands behind it.
bool may_continue_group(Phase p) {
  return p == Phase::mail || p == Phase::rcpt || p == Phase::rset || p == Phase::bdat ||
         p == Phase::end_of_data;
}

bool is_base64_line(std::string_view line) {
  return line == "*" || base64_decode(line).has_value();
}

class Drive {
 public:
  Drive(const Setup& setup, std::string_view stream)
      : setup_(setup), dialogue_(setup.config), stream_(stream), x_(setup.cut_seed * 2654435761u) {
    ReplyParser::Limits limits;
    limits.max_lines = 100;  // as the load session's parser
    parser_ = ReplyParser(limits);
  }

  void run() {
    handle(dialogue_.start());
    // Bounded: every turn consumes a reply, a message or the stream's end.
    const std::size_t bound = 4 * stream_.size() + 16 * (setup_.messages + 4);
    std::size_t turns = 0;
    while (!dialogue_.closed()) {
      check(++turns <= bound);
      if (dialogue_.ready_for_message()) {
        if (sent_ < setup_.messages) {
          send_message();
        } else {
          handle(dialogue_.quit());
        }
        continue;
      }
      check(dialogue_.outstanding() > 0);  // never stalled
      auto next = parser_.next();
      while (std::holds_alternative<NeedMore>(next) && pos_ < stream_.size()) {
        feed_piece();
        next = parser_.next();
      }
      if (auto* reply = std::get_if<Reply>(&next)) {
        handle(dialogue_.on_reply(*reply));
      } else if (auto* error = std::get_if<ReplyError>(&next)) {
        handle(dialogue_.on_malformed_reply(to_string(*error)));
      } else {
        handle(dialogue_.on_connection_lost());
        check(dialogue_.closed());
      }
    }
    // Every transaction ended with exactly one outcome.
    for (const auto& [id, n] : outcomes_) check(n == 1);
    check(outcomes_.size() == started_);
  }

 private:
  struct Transaction {
    bool mail_ok = false;
    std::size_t accepted = 0;
    bool chunk_refused = false;
    std::string chunks;  // the BDAT octets written
  };

  void feed_piece() {
    x_ = x_ * 1103515245u + 12345u;
    const std::size_t n = 1 + (x_ >> 16) % (1 + setup_.cut_seed % 32 * 8);
    parser_.feed(stream_.substr(pos_, n));
    pos_ += std::min(n, stream_.size() - pos_);
  }

  void send_message() {
    OutgoingMessage m;
    m.id = ++sent_;
    m.from = setup_.from;
    for (std::size_t i = 0; i < setup_.recipients; ++i) {
      m.to.push_back("r" + std::to_string(i) + "@example.net");
    }
    m.content = setup_.content;
    handle(dialogue_.send(std::move(m)));
    if (setup_.quit_early && sent_ == 1) {
      const bool idle = dialogue_.ready_for_message();
      const ClientStep step = dialogue_.quit();
      // A transaction is never abandoned half-way: QUIT waits for it.
      if (!idle) check(step.output.empty() && step.requests.empty());
      handle(step);
    }
  }

  void handle(ClientStep step) {
    const std::optional<Reply> replied =
        step.reply ? std::optional(step.reply->reply) : std::nullopt;
    const std::optional<Phase> replied_to =
        step.reply ? std::optional(step.reply->phase) : std::nullopt;
    if (step.reply) {
      // Each reply closes the oldest outstanding request.
      check(!outstanding_.empty());
      check(outstanding_.front().serial == step.reply->request);
      check(outstanding_.front().phase == step.reply->phase);
      outstanding_.pop_front();
      on_reply(step.reply->phase, step.reply->reply);
    }
    check_output(step, replied_to, replied);
    if (step.outcome) on_outcome(*step.outcome, replied_to, replied);
    if (step.close) {
      closed_ = true;
      outstanding_.clear();
    }
    check(outstanding_.size() == dialogue_.outstanding());
    if (step.start_tls) {
      check(replied_to == Phase::starttls && replied && replied->code == 220);
      check(outstanding_.empty());
      // RFC 3207 §4.2: nothing may follow the 220 before the handshake.
      auto trailing = parser_.expect_no_trailing_data();
      if (auto* error = std::get_if<ReplyError>(&trailing)) {
        handle(dialogue_.on_malformed_reply(error->detail));
        return;
      }
      pipelining_offered_ = false;  // RFC 3207 §4.2: what was learnt is gone
      handle(dialogue_.on_tls_established());
      return;
    }
    // Never hangs: closed, waiting for a reply, or ready for a message.
    check(dialogue_.closed() || dialogue_.outstanding() > 0 || dialogue_.ready_for_message());
    check(dialogue_.closed() == closed_);
  }

  void on_reply(Phase phase, const Reply& reply) {
    const int code = reply.code;
    switch (phase) {
      case Phase::ehlo:
        if (code == 250) {
          const auto caps = parse_ehlo(reply);
          const auto* c = std::get_if<Capabilities>(&caps);
          pipelining_offered_ = c != nullptr && c->has("PIPELINING");
        }
        break;
      case Phase::helo:
        if (code == 250) pipelining_offered_ = false;  // HELO selects no extension
        break;
      case Phase::mail:
        if (code == 250) transaction_.mail_ok = true;
        break;
      case Phase::rcpt:
        if (code == 250 || code == 251) ++transaction_.accepted;
        break;
      case Phase::bdat:
        if (code / 100 != 2) transaction_.chunk_refused = true;
        break;
      default:
        break;
    }
  }

  void on_outcome(const TransactionOutcome& o, std::optional<Phase> phase,
                  const std::optional<Reply>& reply) {
    if (o.kind == OutcomeKind::invalid) return;  // not sent
    ++outcomes_[o.id];
    check(o.id >= 1 && o.id <= sent_);
    check(o.accepted <= o.recipients && o.recipients == setup_.recipients);
    if (o.kind == OutcomeKind::delivered) {
      check(o.accepted >= 1 && o.accepted == transaction_.accepted);
      check(phase == Phase::end_of_data || phase == Phase::bdat);
      check(reply && reply->code == 250);
    }
  }

  void check_output(const ClientStep& step, std::optional<Phase> replied_to,
                    const std::optional<Reply>& replied) {
    if (step.output.empty()) {
      check(step.requests.empty() || (step.requests.size() == 1 &&
                                      step.requests[0].phase == Phase::banner && !banner_seen_));
      if (!step.requests.empty()) {
        banner_seen_ = true;
        outstanding_.push_back(step.requests[0]);
      }
      return;
    }
    check(!closed_ && !quit_sent_);
    std::string_view out = step.output;
    for (const Request& r : step.requests) {
      check(r.serial == next_serial_++);
      if (!outstanding_.empty()) {
        // RFC 2920 §3.1: pipelining needs the server's offer, and only some
        // commands may have more behind them.
        check(setup_.config.pipelining && pipelining_offered_);
        for (const Request& o : outstanding_) check(may_continue_group(o.phase));
      }
      const bool sasl_response =
          r.phase == Phase::auth && replied_to == Phase::auth && replied && replied->code == 334;
      check_wire(r.phase, out, sasl_response, replied_to, replied, step.secret);
      outstanding_.push_back(r);
      if (r.phase == Phase::quit) quit_sent_ = true;
      if (r.phase == Phase::starttls) check(step.start_tls == false && out.empty());
    }
    check(out.empty());  // nothing but the requests' bytes
  }

  // Consumes the bytes of one request from `out` and checks them.
  void check_wire(Phase phase, std::string_view& out, bool sasl_response,
                  std::optional<Phase> replied_to, const std::optional<Reply>& replied,
                  bool secret) {
    if (phase == Phase::end_of_data) {
      // Only right after a 354 to DATA (RFC 5321 §4.1.1.4).
      check(replied_to == Phase::data && replied && replied->code == 354);
      DotUnstuffer unstuffer;
      std::string body;
      const auto progress = unstuffer.feed(out, &body);
      check(progress.complete);
      const bool content = transaction_.mail_ok && transaction_.accepted > 0;
      check(body == (content ? setup_.content : std::string()));
      out.remove_prefix(progress.consumed);
      return;
    }
    const auto eol = out.find("\r\n");
    check(eol != std::string_view::npos);
    const std::string_view line = out.substr(0, eol);
    out.remove_prefix(eol + 2);
    if (sasl_response) {
      check(secret && is_base64_line(line));
      return;
    }
    CommandParseOptions options;
    options.max_auth_line = 512;  // RFC 4954 §4: the AUTH command fits the SMTP limit
    auto parsed = parse_command(line, options);
    const auto* cmd = std::get_if<Command>(&parsed);
    check(cmd != nullptr);
    switch (phase) {
      case Phase::ehlo:
        check(cmd->verb == Verb::ehlo);
        break;
      case Phase::helo:
        check(cmd->verb == Verb::helo);
        break;
      case Phase::starttls:
        check(cmd->verb == Verb::starttls);
        break;
      case Phase::auth:
        check(cmd->verb == Verb::auth);
        if (cmd->initial_response) check(secret);
        break;
      case Phase::mail:
        check(cmd->verb == Verb::mail);
        transaction_ = Transaction{};
        ++started_;
        break;
      case Phase::rcpt:
        check(cmd->verb == Verb::rcpt);
        break;
      case Phase::data:
        check(cmd->verb == Verb::data);
        break;
      case Phase::rset:
        check(cmd->verb == Verb::rset);
        break;
      case Phase::quit:
        check(cmd->verb == Verb::quit);
        break;
      case Phase::bdat: {
        check(cmd->verb == Verb::bdat && setup_.config.chunking);
        if (outstanding_.empty()) {
          // Alone (no pipelining): after MAIL and a RCPT were accepted and
          // no chunk was refused (RFC 3030 §2).
          check(transaction_.mail_ok && transaction_.accepted > 0 && !transaction_.chunk_refused);
        }
        check(out.size() >= cmd->chunk_size);
        transaction_.chunks += out.substr(0, cmd->chunk_size);
        out.remove_prefix(cmd->chunk_size);
        check(transaction_.chunks.size() <= setup_.content.size());
        if (cmd->last_chunk) check(transaction_.chunks == setup_.content);
        break;
      }
      case Phase::banner:
      case Phase::end_of_data:
        check(false);
        break;
    }
  }

  const Setup& setup_;
  ClientDialogue dialogue_;
  ReplyParser parser_;
  std::string_view stream_;
  std::size_t pos_ = 0;
  std::uint32_t x_;
  std::deque<Request> outstanding_;
  std::uint64_t next_serial_ = 1;
  std::size_t sent_ = 0;
  std::size_t started_ = 0;  // transactions whose MAIL was written
  std::map<std::uint64_t, int> outcomes_;
  Transaction transaction_;
  bool banner_seen_ = false;
  bool quit_sent_ = false;
  bool closed_ = false;
  bool pipelining_offered_ = false;  // by the last EHLO's 250, since TLS
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  const Setup setup = setup_from(data);
  Drive(setup, std::string_view(reinterpret_cast<const char*>(data) + 4, size - 4)).run();
  return 0;
}
