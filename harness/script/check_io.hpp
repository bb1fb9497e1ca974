#pragma once
// The coroutine bridge between a compliance check (Lua) and the runner
// (harness/check/, Asio) (ARCHITECTURE.md §3: Lua never sees Asio). A check's Lua
// coroutine yields an IoRequest; the runner performs it on the network and
// resumes the coroutine with an IoResult. No Lua and no Asio in this header.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proto/reply.hpp"

namespace smtp::script {

// The name the harness gives itself in EHLO and HELO (RFC 5321 §4.1.1.1),
// whatever --domain says: the default of the checks' API (check_prelude.lua,
// which gets it from CheckSuite) and the name the runner's probe uses.
inline constexpr std::string_view kClientName = "client.example";

struct IoRequest {
  enum class Kind : std::uint8_t {
    connect,     // open connection; `tls`: implicit TLS (RFC 8314) from the first byte
    write,       // write `bytes` exactly as given
    read_reply,  // read one reply (ReplyParser), waiting at most `timeout`
    handshake,   // the TLS handshake on `connection` (after STARTTLS's 220, RFC 3207)
    wait_close,  // wait at most `timeout` for the peer to close; bytes that come instead are kept
    close,       // close `connection` (no QUIT)
    sleep,       // wait `timeout`
    delivered,   // the delivery oracle: wait at most `timeout` for a message holding `bytes`
  };
  Kind kind = Kind::read_reply;
  int connection = 0;   // 1, 2, ... as connect returned; unused by connect and sleep
  std::string bytes;    // write; delivered: the token the message holds
  bool secret = false;  // write: credentials, redacted in the transcript
  bool tls = false;     // connect: implicit TLS
  std::chrono::milliseconds timeout{0};  // read_reply, wait_close, sleep; 0: the runner's default
};

struct IoResult {
  enum class Status : std::uint8_t {
    ok,         // connect: connected; write/handshake/close/sleep done; read_reply: a reply;
                // wait_close: the peer closed; delivered: a message arrived (its text in raw)
    timeout,    // nothing (complete) within the timeout; wait_close: still open;
                // delivered: no message holding the token arrived; handshake: no answer
    closed,     // the peer closed (EOF, reset) before a complete reply, during a write
                // or during the handshake
    malformed,  // read_reply: bytes that are not a reply (RFC 5321 §4.2); see detail, raw
    failed,     // connect refused or unreachable, handshake failed on what the peer sent,
                // a bad connection number
  };
  Status status = Status::ok;
  int connection = 0;                 // connect: the new connection's number
  std::optional<proto::Reply> reply;  // read_reply with ok
  std::string detail;                 // why, for anything but ok
  std::string raw;  // malformed: the offending bytes; closed/timeout: a partial reply read;
                    // delivered: the message as the oracle received it
};

}  // namespace smtp::script
