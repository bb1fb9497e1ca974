#pragma once
// A listener to what happens in fake-smtpd's sessions, for a program that
// runs the server in process and wants more than the store and the
// transcripts: the load command's delivery sink (harness/app/delivery_sink.hpp)
// counts a relay's attempts, retries and habits with it. Every call comes on
// the server's thread, in the order things happened; none may block.
#include <cstdint>
#include <string>
#include <string_view>

#include "fake-server/message_store.hpp"

namespace smtp::fake {

class SessionObserver {
 public:
  virtual ~SessionObserver() = default;
  virtual void session_opened(std::uint64_t /*session*/) {}
  // STARTTLS's handshake succeeded (implicit TLS is not reported).
  virtual void tls_started(std::uint64_t /*session*/) {}
  // A command line (AUTH secrets redacted) and the reply queued for it, as
  // the dialogue, a rule or a hook decided (a `raw` rule's bytes included);
  // "" when an effect (a close, a reset, a stall) answers instead, and for
  // BDAT, answered after its chunk. `pipelined`: more of the client's input had
  // arrived before the reply was written (RFC 2920 §3.1).
  virtual void command(std::uint64_t /*session*/, std::string_view /*line*/,
                       std::string_view /*reply*/, bool /*pipelined*/) {}
  // A whole message the rules and hooks let through, just before the store
  // takes it (a store that fails answers 451 instead of 250), with its
  // content (the dot-stuffing undone, without the server's Received: line).
  virtual void message(std::uint64_t /*session*/, const StoredMessage& /*message*/,
                       const std::string& /*content*/) {}
  virtual void session_closed(std::uint64_t /*session*/) {}
};

}  // namespace smtp::fake
