#pragma once
// The load client's SMTP dialogue, without I/O (ARCHITECTURE.md §1, §2): the
// session feeds it the replies its ReplyParser yields and writes the bytes it
// asks for. It runs the session (banner, EHLO or HELO, STARTTLS, AUTH), sends
// the messages the session queues one at a time, and ends with QUIT.
//
// Measuring (ARCHITECTURE.md §4). Every command written is a Request with a serial
// number and the Phase it starts; every reply is a ReplyEvent naming the
// request it answers. A step may carry several requests (a PIPELINING batch:
// MAIL, each RCPT, DATA); the session stamps them all with the time it wrote
// the step, and the reply to each closes that request. Under pipelining the
// reply to the third RCPT thus measures the time from the batch's write to
// that reply (response time as the client saw it); the time since the
// previous reply (service time) is the difference of two reply stamps.
//
// Named stages (for traces): connecting (waiting for the banner) → hello
// (EHLO/HELO sent) → starttls → tls_handshake → auth → ready ⇄ transaction
// (→ resetting) → quitting → closed.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/client_envelope.hpp"
#include "proto/ehlo.hpp"
#include "proto/reply.hpp"

namespace smtp::proto {

// What a command asks for; the reply to it is counted under this phase.
enum class Phase : std::uint8_t {
  banner,  // no command: the "request" is the connection itself
  ehlo,
  helo,
  starttls,
  auth,  // AUTH and each SASL response
  mail,
  rcpt,
  data,         // the DATA command, answered 354
  end_of_data,  // the content and its terminator, answered 250 when accepted
  bdat,         // one BDAT chunk; the LAST chunk's reply accepts the message
  rset,
  quit,
};
std::string_view to_string(Phase phase);

enum class TlsMode : std::uint8_t {
  none,
  starttls,  // RFC 3207
  implicit,  // RFC 8314: the transport is TLS before the banner
};

enum class AuthMechanism : std::uint8_t { automatic, plain, login };

struct ClientCredentials {
  std::string user;
  std::string password;
};

struct ClientConfig {
  std::string helo_name = "localhost";
  TlsMode tls = TlsMode::none;
  // With TlsMode::starttls: a server that does not offer STARTTLS, or
  // refuses it, is a failure. Off, the session goes on in clear text.
  bool starttls_required = true;
  std::optional<ClientCredentials> credentials;  // AUTH after EHLO when set
  // automatic: PLAIN when offered, else LOGIN.
  AuthMechanism auth_mechanism = AuthMechanism::automatic;
  // PLAIN and LOGIN send the password in the clear (RFC 4616 §6), so AUTH
  // waits for TLS unless this is set.
  bool auth_cleartext = false;
  bool pipelining = true;      // RFC 2920, used when advertised
  bool chunking = false;       // RFC 3030 BDAT instead of DATA, used when advertised
  std::size_t chunk_size = 0;  // octets per BDAT chunk; 0: one "BDAT n LAST"
  bool send_size = true;       // RFC 1870 SIZE= on MAIL, when advertised
};

struct OutgoingMessage {
  std::uint64_t id = 0;  // the session's number, echoed in the outcome
  std::string from;      // "a@b", "<a@b>", or "" for the null reverse-path
  std::vector<std::string> to;
  std::string content;  // header and body, lines ending in CRLF, not dot-stuffed
};

struct Request {
  std::uint64_t serial = 0;  // 0 is the banner, then one per command written
  Phase phase = Phase::banner;
};

struct ReplyEvent {
  std::uint64_t request = 0;  // the Request::serial it answers
  Phase phase = Phase::banner;
  Reply reply;  // code, lines, enhanced code
};

enum class OutcomeKind : std::uint8_t {
  delivered,        // end of data accepted, for `accepted` of `recipients`
  refused,          // MAIL, every RCPT, DATA, a chunk or the end of data refused
  connection_lost,  // the connection ended before the outcome was known
  invalid,          // not sent: an address the encoder refuses, or not ready
};
std::string_view to_string(OutcomeKind kind);

struct TransactionOutcome {
  std::uint64_t id = 0;
  OutcomeKind kind = OutcomeKind::invalid;
  std::size_t recipients = 0;
  std::size_t accepted = 0;
  // The reply that decided it: the end of data's for a delivery, the refusal
  // (for "every RCPT refused" the last RCPT's), or the 421. When the
  // connection simply ended: the phase that was outstanding, code 0.
  std::optional<Phase> phase;
  int code = 0;
  std::optional<EnhancedCode> enhanced;
  std::string detail;  // why, for invalid
};

enum class FailureKind : std::uint8_t {
  banner_refused,        // 554 (or another 4xx/5xx) greeting, RFC 5321 §3.1
  hello_refused,         // EHLO and HELO refused
  starttls_unavailable,  // required but not advertised
  starttls_refused,      // required, and the STARTTLS command was refused
  auth_unavailable,      // no usable mechanism, or AUTH would be in clear text
  auth_failed,           // 4xx/5xx to AUTH or to a SASL response
  service_closing,       // 421 at any point (RFC 5321 §3.8)
  unexpected_reply,      // a code the phase does not allow
  unsolicited_reply,     // a reply with no command outstanding
  malformed_reply,       // the session's ReplyParser failed
  connection_lost,       // the transport ended without QUIT
  bad_configuration,     // e.g. a HELO name the encoder refuses
};
std::string_view to_string(FailureKind kind);

struct ClientFailure {
  FailureKind kind = FailureKind::unexpected_reply;
  std::optional<Phase> phase;
  int code = 0;
  std::string detail;
};

struct ClientStep {
  std::string output;             // bytes to write, in order
  std::vector<Request> requests;  // the commands in `output`, in order
  bool secret = false;            // `output` holds credentials: redact in transcripts
  // After writing `output`: run the TLS handshake, then call
  // on_tls_established(). Before that, the session must check that the
  // server sent nothing behind its 220 (ReplyParser::expect_no_trailing_data,
  // RFC 3207 §4.2: such bytes would be injected plaintext).
  bool start_tls = false;
  bool close = false;  // after writing `output`, close the connection

  std::optional<ReplyEvent> reply;  // the reply this step answers
  std::optional<TransactionOutcome> outcome;
  std::optional<ClientFailure> failure;
};

enum class ClientStage : std::uint8_t {
  connecting,
  hello,
  starttls,
  tls_handshake,
  auth,
  ready,
  transaction,
  resetting,
  quitting,
  closed,
};
std::string_view to_string(ClientStage stage);

class ClientDialogue {
 public:
  explicit ClientDialogue(ClientConfig config);

  // Call once connected (for implicit TLS: once the handshake is done). The
  // step sends nothing; its request is the banner, to be stamped now.
  ClientStep start();
  ClientStep on_reply(const Reply& reply);
  ClientStep on_tls_established();
  ClientStep on_malformed_reply(std::string detail);  // a ReplyError from the parser
  ClientStep on_connection_lost();                    // EOF or a transport error

  // Starts a transaction; only when ready_for_message().
  ClientStep send(OutgoingMessage message);
  // QUIT now when idle; otherwise after the transaction or setup step in
  // flight (a transaction is never abandoned half-way).
  ClientStep quit();

  bool ready_for_message() const { return stage_ == ClientStage::ready && !quit_requested_; }
  bool closed() const { return stage_ == ClientStage::closed; }
  ClientStage stage() const { return stage_; }
  bool tls_active() const { return tls_active_; }
  bool authenticated() const { return authenticated_; }
  bool esmtp() const { return esmtp_; }
  bool pipelining() const;  // used for the next transaction
  bool chunking() const;
  const Capabilities& capabilities() const { return capabilities_; }
  std::size_t outstanding() const { return pending_.size(); }  // commands awaiting replies

 private:
  struct Planned {
    Phase phase;
    std::string bytes;
  };
  enum class Sasl : std::uint8_t { none, plain_response, login_user, login_password, sent };
  struct Transaction {
    std::uint64_t id = 0;
    std::string content;
    std::size_t recipients = 0;
    std::size_t accepted = 0;
    bool pipelined = false;
    std::vector<Planned> plan;              // the commands, in order
    std::size_t next_planned = 0;           // plan[next_planned] is the next to write
    std::optional<Reply> mail_refusal;      // MAIL's 4xx/5xx
    std::optional<Reply> rcpt_refusal;      // the last RCPT's 4xx/5xx
    std::optional<ReplyEvent> refusal;      // DATA's, a chunk's or the end of data's
    std::optional<ReplyEvent> final_reply;  // the end of data's or the LAST chunk's 250
    bool server_reset = false;              // the end of data was sent: the server forgot it
    bool plan_done() const { return next_planned == plan.size(); }
  };

  void emit(ClientStep& step, Phase phase, std::string bytes);
  ClientStep finish(ClientStep step);
  void fail(ClientStep& step, FailureKind kind, std::optional<Phase> phase, int code,
            std::string detail);
  void fail_and_quit(ClientStep& step, FailureKind kind, Phase phase, int code, std::string detail);
  // Also ends a transaction in flight as connection_lost, decided by `reply`
  // when there is one (a 421, an unexpected code).
  void fail_and_close(ClientStep& step, FailureKind kind, std::optional<Phase> phase, int code,
                      std::string detail, const Reply* reply = nullptr);
  void send_quit(ClientStep& step);
  void send_hello(ClientStep& step, Phase phase);
  void continue_setup(ClientStep& step);
  void start_auth(ClientStep& step);
  void settle_idle(ClientStep& step);  // ready, or QUIT when asked for

  void on_banner(ClientStep& step, const Reply& reply);
  void on_ehlo(ClientStep& step, const Reply& reply);
  void on_helo(ClientStep& step, const Reply& reply);
  void on_starttls(ClientStep& step, const Reply& reply);
  void on_auth(ClientStep& step, const Reply& reply);
  void on_rset(ClientStep& step, const Reply& reply);

  // client_dialogue_transaction.cpp
  void on_transaction_reply(ClientStep& step, const ReplyEvent& event);
  void send_next_planned(ClientStep& step);
  bool should_stop_early(const ReplyEvent& event) const;
  void end_transaction(ClientStep& step);
  void abandon_transaction(ClientStep& step, std::optional<Phase> phase, const Reply* reply);

  ClientConfig config_;
  ClientStage stage_ = ClientStage::connecting;
  std::deque<Request> pending_;  // written, not yet answered, in order
  std::uint64_t next_serial_ = 1;
  bool started_ = false;
  bool tls_active_ = false;
  bool esmtp_ = false;
  bool authenticated_ = false;
  bool starttls_declined_ = false;  // optional STARTTLS refused: go on in clear
  bool quit_requested_ = false;
  Capabilities capabilities_;
  Sasl sasl_ = Sasl::none;
  std::string sasl_pending_;  // PLAIN's response when it did not fit on the AUTH line
  std::optional<Transaction> transaction_;
  ClientEnvelope envelope_;  // MAIL and RCPT lines, encoded once
};

}  // namespace smtp::proto
