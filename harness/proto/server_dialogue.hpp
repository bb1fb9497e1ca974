#pragma once
// The fake server's SMTP dialogue, without I/O (ARCHITECTURE.md §1, §2): the
// session feeds it command lines and DATA/BDAT bytes; it answers with the bytes
// to send and what the session must do next (start TLS, close, store a
// message). It implements the RFC-correct behaviour; fault injection
// (SCRIPTING.md "rule", hooks) overrides replies around it, never inside it.
//
// Named states (for traces): connected → greeted (after EHLO/HELO) →
// mail (after MAIL) → recipients (after a good RCPT) → data / bdat; plus
// sasl (an AUTH exchange) and tls_pending (220 to STARTTLS sent).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "proto/command_parser.hpp"
#include "proto/dot_unstuffer.hpp"
#include "proto/envelope.hpp"
#include "proto/reply.hpp"
#include "proto/server_config.hpp"
#include "proto/server_replies.hpp"

namespace smtp::proto {

enum class ServerState : std::uint8_t {
  connected,
  greeted,
  mail,
  recipients,
  data,
  bdat,
  sasl,
  tls_pending,
  closed,
};
std::string_view to_string(ServerState state);

// How the session must read the next input.
enum class InputMode : std::uint8_t {
  line,   // a command line or a SASL response: frame with the line framer
  data,   // DATA content: hand raw bytes to on_data()
  chunk,  // BDAT content: exactly chunk_remaining() raw bytes to on_data()
  none,   // nothing: TLS handshake pending, or closed
};

struct ServerStep {
  std::string output;  // replies to write, in order
  // After writing `output`: drop every buffered input byte (RFC 3207 §4.2:
  // CVE-2011-0411, plaintext pipelined behind STARTTLS must not be executed),
  // run the handshake, then call on_tls_established().
  bool start_tls = false;
  bool close = false;  // after writing `output`, close the connection
  // A complete message to store; answer it with finish_delivery().
  std::optional<Message> deliver;
  // Ids of the replies in `output`, for statistics and rule matching.
  std::optional<ServerReply> last_reply;
};

struct DataStep {
  std::size_t consumed = 0;  // input bytes taken; the rest is for the next mode
  ServerStep step;
};

class ServerDialogue {
 public:
  // `tls_active`: the connection is already TLS (implicit TLS, RFC 8314).
  ServerDialogue(const ServerConfig& config, bool tls_active);

  ServerStep greet();
  ServerStep on_line(std::string_view line);  // without its CRLF
  // on_line() in two steps, for a session that looks at the command before
  // the dialogue acts on it (greylisting): parse_line() never changes state.
  // Not for a SASL response (expecting_secret()): that goes to on_line().
  std::variant<Command, CommandError> parse_line(std::string_view line) const;
  ServerStep on_command(const Command& cmd);
  ServerStep on_command_error(const CommandError& error);
  // What on_command() would refuse this RCPT with, without acting on it
  // (greylisting defers only a RCPT the server would otherwise accept).
  std::optional<ServerReply> rcpt_refusal(const Command& rcpt) const;
  // RFC 5321 §3.1: after a 554 greeting the server waits for QUIT and
  // answers every other command 503.
  void refuse_session() { refused_ = true; }
  // A BDAT that a rule refuses (RFC 3030 §2): its chunk is still read to the
  // end, then `reply` (bytes ready to send) is the answer and the transaction
  // is over.
  ServerStep refuse_chunk(const Command& bdat, std::string reply);
  ServerStep on_line_too_long();  // the framer overflowed
  ServerStep on_garbage();        // binary data where commands belong: 421 and close
  DataStep on_data(std::string_view bytes);
  // After a deliver step: `stored` false gives 451 4.3.0.
  ServerStep finish_delivery(bool stored, std::string_view queue_id);
  void on_tls_established();

  InputMode input_mode() const;
  std::uint64_t chunk_remaining() const { return chunk_remaining_; }
  ServerState state() const { return state_; }
  bool tls_active() const { return tls_active_; }
  bool authenticated() const { return !auth_user_.empty(); }
  const std::string& auth_user() const { return auth_user_; }
  const std::string& client_name() const { return client_name_; }  // EHLO/HELO argument
  bool esmtp() const { return esmtp_; }  // the client said EHLO (not HELO)
  // Replies carry enhanced codes. RFC 2034 §4: a server with the extension
  // attaches them "regardless of whether or not EHLO is employed by the
  // client", so after HELO too; only the greeting and the replies to
  // EHLO/HELO go without (§3).
  bool enhanced_codes() const {
    // Violation no-enhanced-codes (docs/CONFORMANCE.md X5): the keyword is still
    // advertised, but RFC 2034 §3 (4) and §4 require the codes that follow.
    return config_.extensions.enhanced_status_codes && !config_.violations.no_enhanced_codes;
  }
  bool in_transaction() const {
    return state_ == ServerState::mail || state_ == ServerState::recipients;
  }
  const Envelope& envelope() const { return envelope_; }  // the transaction so far
  // The next line is a SASL response: transcripts must redact it.
  bool expecting_secret() const { return state_ == ServerState::sasl; }
  std::uint64_t messages_accepted() const { return messages_accepted_; }
  // Octets of message content held for delivery: at most max_message_size
  // (when set) between calls, since a bigger message is latched and dropped
  // (ARCHITECTURE.md §5); none when keep_content is off. Read-only, so that
  // a test can bound the memory a client's stream makes the dialogue hold.
  std::size_t held_content_size() const { return content_.size(); }

  // The line as it may be shown in a transcript: AUTH's initial response and
  // SASL responses become "<redacted>" (ARCHITECTURE.md §6: credentials never
  // appear in transcripts).
  std::string redact(std::string_view line) const;

  // The reply's wire form: with its enhanced code when the server has
  // ENHANCEDSTATUSCODES, except on the greeting (RFC 2034 §3, §4).
  std::string encode(ServerReply id, std::string_view detail = {}) const;

 private:
  ServerStep reply(ServerReply id, std::string_view detail = {});
  ServerStep refuse(ServerReply id);  // counts an error; 421 past max_errors
  ServerStep dispatch(const Command& cmd);
  ServerStep on_parse_error(const CommandError& error);
  ServerStep on_ehlo(const Command& cmd);
  ServerStep on_helo(const Command& cmd);
  ServerStep greet_client(const Command& cmd, bool esmtp);
  ServerStep on_mail(const Command& cmd);
  ServerStep on_rcpt(const Command& cmd);
  ServerStep on_data_command();
  ServerStep on_bdat(const Command& cmd);
  ServerStep on_starttls();
  ServerStep on_auth(const Command& cmd);
  ServerStep on_sasl_response(std::string_view line);
  ServerStep check_credentials(std::string_view user, std::string_view password);
  ServerStep end_of_message();
  ServerStep end_of_chunk();
  ServerStep sasl_challenge(std::string_view text);
  bool latch_if_too_big(std::uint64_t size);  // true when a data error is latched
  bool auth_offered() const;
  bool starttls_offered() const;
  std::string ehlo_reply() const;
  void reset_transaction();

  const ServerConfig& config_;
  ServerState state_ = ServerState::connected;
  bool tls_active_ = false;
  bool esmtp_ = false;
  std::string client_name_;
  std::string auth_user_;
  std::size_t errors_ = 0;
  std::uint64_t messages_accepted_ = 0;

  // The transaction.
  Envelope envelope_;
  std::string content_;
  std::optional<ServerReply> latched_;  // a data error, answered at the end (ARCHITECTURE.md §5)
  DotUnstuffer unstuffer_;
  bool bdat_used_ = false;  // DATA is refused once BDAT started (RFC 3030 §2)
  bool chunk_last_ = false;
  std::optional<ServerReply> chunk_verdict_;  // refusal owed after the chunk is read
  std::optional<std::string> chunk_refusal_;  // a rule's refusal, owed likewise
  bool refused_ = false;                      // greeted with 554: only QUIT works
  std::uint64_t chunk_remaining_ = 0;
  std::uint64_t chunk_size_ = 0;
  std::uint64_t chunked_size_ = 0;  // BDAT octets of this transaction so far
  // Octets of the current DATA line on the wire (violation data-line-counts-dot).
  std::uint64_t wire_line_octets_ = 0;

  // SASL (RFC 4954).
  std::string sasl_mechanism_;
  std::optional<std::string> sasl_user_;             // LOGIN: the user name, once given
  ServerState before_chunk_ = ServerState::greeted;  // where a refused chunk returns to
};

}  // namespace smtp::proto
