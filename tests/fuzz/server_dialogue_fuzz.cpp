// Fuzzes the server dialogue driven as a fake-smtpd session drives it
// (fake-server/session.cpp, without rules or hooks): a LineFramer frames the
// command lines, DATA and BDAT bytes go to on_data(), pipelined input is
// answered in order, a line that overflows the framer gets on_line_too_long(),
// binary data in an overflowing line gets on_garbage(), and plaintext behind
// STARTTLS is dropped before the (simulated) handshake.
//
// Input: 8 bytes of configuration (extensions, limits, AUTH, how the stream
// is cut), then the client's byte stream. Violations stay off. Traps when:
//  - a command line (or over-long line) is not answered by exactly one
//    reply, or a reply comes from anything but a complete line, the end of
//    DATA content or the end of a BDAT chunk (RFC 5321 §4.1.1.4: DATA content
//    is no command; RFC 3030 §2: the reply to BDAT follows its chunk;
//    RFC 2920 §3.2: pipelined commands are each answered, in order);
//  - the output is not a sequence of whole replies our ReplyParser accepts
//    at the RFC's 512-octet reply line (RFC 5321 §4.5.3.1.5), or, with
//    ENHANCEDSTATUSCODES, a 2xx/4xx/5xx reply other than the greeting and
//    the 250 to EHLO/HELO lacks an enhanced code of its class (RFC 2034 §4,
//    RFC 3463 §2);
//  - 354 comes without an accepted MAIL and RCPT (RFC 5321 §3.3), a RCPT or
//    a BDAT chunk is accepted outside a transaction, or MAIL inside one;
//  - a message is delivered other than after the first real CRLF "." CRLF
//    with the unstuffed content a naive oracle finds (and, with bare line
//    endings rejected, none of them in it), or after a BDAT LAST chunk of
//    exactly its declared octets carrying the chunks acknowledged before it;
//  - the connection is closed after anything but a 221 or a 421 (§3.8);
//  - a data step consumes nothing while bytes wait (the session would stall);
//  - memory is not bounded: the framer keeps more than one partial line, or
//    the dialogue holds more content than max_message_size or recipients
//    beyond max_recipients;
//  - without STARTTLS or binary garbage (where the session's read boundaries
//    matter), the replies depend on how the stream is cut.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "../unit/proto/dot_unstuffer_oracle.hpp"
#include "proto/limits.hpp"
#include "proto/line_framer.hpp"
#include "proto/reply_parser.hpp"
#include "proto/server_dialogue.hpp"

namespace {

using namespace smtp::proto;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

struct Setup {
  ServerConfig config;
  std::size_t max_line = 16384;  // the session's framer bound (fake-smtpd --max-line)
  bool implicit_tls = false;
  bool store_fails = false;
  unsigned cut_seed = 0;
};

Setup setup_from(const std::uint8_t* b) {
  Setup s;
  ServerConfig& c = s.config;
  auto& e = c.extensions;
  e.pipelining = b[0] & 1;
  e.size = b[0] & 2;
  e.eight_bit_mime = b[0] & 4;
  e.smtputf8 = b[0] & 8;
  e.dsn = b[0] & 16;
  e.enhanced_status_codes = b[0] & 32;
  e.chunking = b[0] & 64;
  e.starttls = b[0] & 128;
  e.auth = b[1] & 1;
  e.help = b[1] & 2;
  e.vrfy = b[1] & 4;
  c.tls_available = b[1] & 8;
  c.auth_cleartext = b[1] & 16;
  c.require_auth = b[1] & 32;
  c.reject_bare_line_endings = !(b[1] & 64);
  c.keep_content = !(b[1] & 128);
  // Small limits reach the boundaries; the top values are the defaults.
  c.max_message_size = b[2] == 255 ? 32 * 1024 * 1024 : b[2] == 254 ? 0 : b[2];
  c.max_recipients = b[3] >= 200 ? 100 : 1 + b[3] % 8;
  c.max_errors = b[4] >= 200 ? 20 : b[4] % 8;
  // The profile's smallest max_line is 514 (fake-server/profile.cpp).
  s.max_line = b[5] >= 128 ? 16384 : 514 + b[5] * 4;
  s.implicit_tls = b[6] & 1;
  s.store_fails = b[6] & 2;
  if (b[6] & 4) c.users["user"] = "secret";  // else any credentials pass
  if (b[6] & 8) c.auth_mechanisms = {"PLAIN"};
  if (b[6] & 16) c.auth_mechanisms = {"LOGIN"};
  s.cut_seed = b[7];
  return s;
}

bool is_positive(int code) {
  return code == 250 || code == 251;
}

// One session over one way of cutting the stream.
class SessionRun {
 public:
  explicit SessionRun(const Setup& setup)
      : setup_(setup),
        config_(setup.config),
        dialogue_(config_, setup.implicit_tls),
        framer_({setup.max_line, false}) {
    answer(dialogue_.greet(), Event::greeting, 1);
  }

  void feed(std::string_view chunk) {
    if (closed_) return;
    framer_.feed(chunk);
    // As the session: binary data where a command line should be ends it.
    if (framer_.overflowing() && chunk.find('\0') != std::string_view::npos) {
      garbage_ = true;
      answer(dialogue_.on_garbage(), Event::garbage, 1);
      check(closed_);
      return;
    }
    process();
    check_bounds();
  }

  const std::string& transcript() const { return transcript_; }
  bool cut_sensitive() const { return garbage_ || tls_started_; }

 private:
  enum class Event { greeting, line, data, garbage };

  void process() {
    while (!closed_) {
      switch (dialogue_.input_mode()) {
        case InputMode::line: {
          const auto ev = framer_.next();
          if (ev.kind == LineFramer::Event::Kind::need_more) return;
          if (ev.kind == LineFramer::Event::Kind::overflow) {
            check(ev.discarded > setup_.max_line);
            on_line_event(std::nullopt);
          } else {
            on_line_event(std::string(ev.line));
          }
          if (tls_started_now_) {
            tls_started_now_ = false;
            // RFC 3207 §4.2: plaintext behind STARTTLS is dropped, never run.
            framer_.consume(framer_.buffered().size());
            dialogue_.on_tls_established();
            clear_transaction();
          }
          break;
        }
        case InputMode::data:
        case InputMode::chunk: {
          const auto buffered = framer_.buffered();
          if (buffered.empty()) return;
          const InputMode before = dialogue_.input_mode();
          auto result = dialogue_.on_data(buffered);
          check(result.consumed <= buffered.size());
          const std::string_view used = buffered.substr(0, result.consumed);
          if (before == InputMode::data) {
            data_wire_ += used;
          } else {
            chunk_bytes_ += used;
          }
          framer_.consume(result.consumed);
          const bool ended = dialogue_.input_mode() != before;
          // Progress: bytes taken, or the mode changed.
          check(result.consumed > 0 || ended);
          answer(std::move(result.step), Event::data, ended ? 1 : 0, before);
          break;
        }
        case InputMode::none:
          check(closed_);
          return;
      }
    }
  }

  void on_line_event(std::optional<std::string> line) {
    const bool sasl = dialogue_.expecting_secret();
    std::optional<Command> cmd;
    if (line && !sasl) {
      auto parsed = dialogue_.parse_line(*line);
      if (auto* c = std::get_if<Command>(&parsed)) cmd = std::move(*c);
    }
    auto step = line ? dialogue_.on_line(*line) : dialogue_.on_line_too_long();
    // BDAT owes its reply until its chunk is read (RFC 3030 §2).
    const bool reading_chunk = dialogue_.input_mode() == InputMode::chunk;
    if (reading_chunk) {
      check(cmd && cmd->verb == Verb::bdat);
      check(dialogue_.chunk_remaining() == cmd->chunk_size);
    }
    // With CHUNKING every well-formed BDAT starts a chunk, even of 0 octets.
    const bool chunk = cmd && cmd->verb == Verb::bdat && config_.extensions.chunking;
    if (chunk) {
      bdat_ = *cmd;
      chunk_bytes_.clear();
    }
    current_ = cmd;
    answer(std::move(step), Event::line, reading_chunk ? 0 : 1,
           chunk ? InputMode::chunk : InputMode::line);
  }

  // Checks one step's output and moves the model on.
  void answer(ServerStep step, Event event, std::size_t expected,
              InputMode data_mode = InputMode::line) {
    if (step.deliver) {
      check_delivery(*step.deliver, data_mode);
      auto fin = dialogue_.finish_delivery(!setup_.store_fails, "Q1");
      step.output += fin.output;
      step.close = step.close || fin.close;
    }
    transcript_ += step.output;
    ReplyParser parser(ReplyParser::Limits{limits::reply_line, 100});
    parser.feed(step.output);
    std::vector<Reply> replies;
    for (;;) {
      auto r = parser.next();
      check(!std::holds_alternative<ReplyError>(r));
      if (std::holds_alternative<NeedMore>(r)) break;
      replies.push_back(std::get<Reply>(std::move(r)));
    }
    check(parser.buffered().empty());  // whole replies only
    check(replies.size() == expected);
    for (const Reply& reply : replies) check_reply(reply, event);
    if (!replies.empty()) on_reply(replies.back(), event, data_mode);
    if (step.start_tls) {
      check(event == Event::line && current_ && current_->verb == Verb::starttls);
      check(replies.size() == 1 && replies[0].code == 220);
      check(dialogue_.input_mode() == InputMode::none);
      tls_started_ = tls_started_now_ = true;
    }
    if (step.close) {
      // RFC 5321 §3.8: the server closes after QUIT's 221 or after a 421.
      check(!replies.empty() && (replies.back().code == 221 || replies.back().code == 421));
      check(dialogue_.input_mode() == InputMode::none);
      closed_ = true;
    }
    if (!replies.empty() && replies.back().code == 421) check(step.close);
  }

  void check_reply(const Reply& reply, Event event) {
    const int cls = reply.code / 100;
    const bool hello_ok = event == Event::line && current_ && reply.code == 250 &&
                          (current_->verb == Verb::ehlo || current_->verb == Verb::helo);
    if (event == Event::greeting || hello_ok || cls == 3) return;
    if (config_.extensions.enhanced_status_codes) {
      check(reply.enhanced().has_value() && reply.enhanced()->cls == cls);
    } else {
      check(!reply.enhanced().has_value());
    }
  }

  void on_reply(const Reply& reply, Event event, InputMode data_mode) {
    const int code = reply.code;
    if (event == Event::data) {
      if (data_mode == InputMode::data) {
        clear_transaction();  // the end of data ends the transaction either way
      } else if (recipients_ == 0) {
        // No transaction to fail: the chunk is refused (503 or 554) and a
        // MAIL already accepted stands.
        check(code != 250);
      } else if (code == 250 && bdat_ && !bdat_->last_chunk) {
        chunks_ += chunk_bytes_;
      } else {
        clear_transaction();  // LAST, or a refused chunk (RFC 3030 §2)
      }
      return;
    }
    if (event != Event::line || !current_) return;
    switch (current_->verb) {
      case Verb::mail:
        if (code == 250) {
          check(!mail_ok_);  // §4.1.4: no MAIL inside a transaction
          clear_transaction();
          mail_ok_ = true;
        }
        break;
      case Verb::rcpt:
        if (is_positive(code)) {
          check(mail_ok_);  // §3.3: RCPT needs MAIL
          ++recipients_;
          check(recipients_ <= config_.max_recipients);
        }
        break;
      case Verb::data:
        if (code == 354) {
          check(mail_ok_ && recipients_ > 0);  // §3.3
          data_wire_.clear();
        }
        break;
      case Verb::bdat:
        // Answered at once: a BDAT 0, whose reply is a chunk's.
        if (config_.extensions.chunking) on_reply(reply, Event::data, InputMode::chunk);
        break;
      case Verb::rset:
      case Verb::ehlo:
      case Verb::helo:
        if (code == 250) clear_transaction();
        break;
      default:
        break;
    }
  }

  void check_delivery(const Message& m, InputMode data_mode) {
    check(!m.envelope.recipients.empty());
    check(m.envelope.recipients.size() == recipients_);
    if (config_.max_message_size != 0) check(m.size <= config_.max_message_size);
    if (!config_.keep_content) check(m.content.empty());
    if (data_mode == InputMode::data) {
      check(!m.via_bdat);
      // §4.1.1.4: only the first real CRLF "." CRLF ends the data.
      const auto oracle = smtp::test::oracle_unstuff(data_wire_, 1000);
      check(oracle.complete && oracle.consumed == data_wire_.size());
      check(data_wire_ == ".\r\n" || data_wire_.ends_with("\r\n.\r\n"));
      check(m.size == oracle.body.size());
      if (config_.keep_content) check(m.content == oracle.body);
      if (config_.reject_bare_line_endings) {
        using smtp::proto::DataAnomaly;
        for (auto a : {DataAnomaly::bare_cr, DataAnomaly::bare_lf, DataAnomaly::fake_terminator}) {
          check(oracle.counts[static_cast<std::size_t>(a)] == 0);
        }
      }
      return;
    }
    // RFC 3030 §2: the LAST chunk, read to its declared end, completes it.
    check(m.via_bdat && data_mode == InputMode::chunk);
    check(bdat_ && bdat_->last_chunk && chunk_bytes_.size() == bdat_->chunk_size);
    check(m.size == chunks_.size() + chunk_bytes_.size());
    if (config_.keep_content) check(m.content == chunks_ + chunk_bytes_);
  }

  void check_bounds() {
    if (closed_) return;
    switch (dialogue_.input_mode()) {
      case InputMode::line:
        check(framer_.buffered().size() <= setup_.max_line);  // one partial line
        break;
      case InputMode::data:
      case InputMode::chunk:
        check(framer_.buffered().empty());  // the dialogue took every byte
        break;
      case InputMode::none:
        check(false);  // STARTTLS is resolved at once; closed_ is set on close
        break;
    }
    if (config_.max_message_size != 0) {
      check(dialogue_.held_content_size() <= config_.max_message_size);
    }
    if (!config_.keep_content) check(dialogue_.held_content_size() == 0);
    check(dialogue_.envelope().recipients.size() <= config_.max_recipients);
  }

  void clear_transaction() {
    mail_ok_ = false;
    recipients_ = 0;
    chunks_.clear();
  }

  const Setup& setup_;
  ServerConfig config_;
  ServerDialogue dialogue_;
  LineFramer framer_;
  std::string transcript_;
  bool closed_ = false;
  bool garbage_ = false;
  bool tls_started_ = false;
  bool tls_started_now_ = false;
  std::optional<Command> current_;  // the command line just answered
  std::optional<Command> bdat_;     // the last BDAT line
  // The model of the transaction, from the replies alone.
  bool mail_ok_ = false;
  std::size_t recipients_ = 0;
  std::string chunks_;       // BDAT chunks acknowledged with 250
  std::string chunk_bytes_;  // octets of the current chunk so far
  std::string data_wire_;    // DATA content on the wire since the 354
};

std::string run(const Setup& setup, std::string_view in, bool whole, bool* cut_sensitive) {
  SessionRun session(setup);
  if (whole) {
    session.feed(in);
  } else {
    // Uneven pieces from a small generator seeded by the data.
    std::uint32_t x = setup.cut_seed * 2654435761u + static_cast<std::uint32_t>(in.size());
    const std::size_t most = 1 + setup.cut_seed % 64 * 4;
    for (std::size_t pos = 0; pos < in.size();) {
      x = x * 1103515245u + 12345u;
      const std::size_t n = 1 + (x >> 16) % most;
      session.feed(in.substr(pos, n));
      pos += n;
    }
  }
  *cut_sensitive = session.cut_sensitive();
  return session.transcript();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 8) return 0;
  const Setup setup = setup_from(data);
  const std::string_view in(reinterpret_cast<const char*>(data) + 8, size - 8);
  bool cut_whole = false;
  bool cut_pieces = false;
  const std::string whole = run(setup, in, true, &cut_whole);
  const std::string pieces = run(setup, in, false, &cut_pieces);
  if (!cut_whole && !cut_pieces) check(whole == pieces);
  return 0;
}
