#pragma once
// One connection a compliance check opened (IoRequest::connect): a
// net::Transport, the bytes read from it but not yet returned as replies,
// and the check's transcript, which sees every byte both ways.
//
// Replies are framed by the one proto::ReplyParser (ARCHITECTURE.md §1), with the
// RFC's 512-octet reply line limit (RFC 5321 §4.5.3.1.5; ARCHITECTURE.md,
// deviation 3: the checks judge the RFC). Bytes that arrive after a reply
// (pipelined replies, RFC 2920 §3.2) stay buffered and are parsed first by the
// next read.
//
// Hostile peers: each wait ends at a deadline; a reply is bounded by the
// parser's line and line-count limits, and the buffer of unread bytes by
// kMaxBufferedOctets, so a server that floods cannot grow memory.
#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "check/transcript_recorder.hpp"
#include "net/transport.hpp"
#include "script/check_io.hpp"

namespace smtp::check {

// Unread bytes a connection keeps (e.g. what arrives during wait_close):
// more than the largest reply the parser accepts (100 lines of 512 octets).
inline constexpr std::size_t kMaxBufferedOctets = 64 * 1024;

// How a check's TLS handshakes are made (RunnerConfig's TLS settings).
struct TlsSettings {
  boost::asio::ssl::context* context = nullptr;
  std::string sni;  // Transport leaves IP literals out of SNI (RFC 6066 §3)
  bool verify = false;
};

class CheckConnection {
 public:
  using Clock = std::chrono::steady_clock;

  CheckConnection(int number, net::Transport transport, TranscriptRecorder& transcript);
  CheckConnection(const CheckConnection&) = delete;
  CheckConnection& operator=(const CheckConnection&) = delete;

  int number() const { return number_; }

  // Writes `bytes` as given; `secret` ones are redacted in the transcript.
  boost::asio::awaitable<script::IoResult> write(std::string_view bytes, bool secret,
                                                 Clock::time_point deadline);

  // One reply: from the buffered bytes first, then from the network until
  // `deadline`. `timeout` is what the transcript and the detail name.
  boost::asio::awaitable<script::IoResult> read_reply(Clock::time_point deadline,
                                                      std::chrono::milliseconds timeout);

  // The client side of the TLS handshake: implicit TLS right after the
  // connect (RFC 8314 §3), or after STARTTLS's 220 (RFC 3207 §4). Plaintext
  // still buffered then is discarded, as RFC 3207 §4.2 requires, and the
  // transcript says how much (the evidence for CVE-2011-0411, check T4).
  // A failure is timeout or closed when the peer sent nothing (it waited, or
  // closed), failed when it answered with something else than a handshake.
  boost::asio::awaitable<script::IoResult> handshake(const TlsSettings& tls,
                                                     Clock::time_point deadline);

  // Waits for the peer's close until `deadline`: ok when it closed, timeout
  // when it is still open. Bytes that arrive meanwhile are kept for the next
  // read_reply.
  boost::asio::awaitable<script::IoResult> wait_close(Clock::time_point deadline,
                                                      std::chrono::milliseconds timeout);

  // Closes without QUIT. Idempotent.
  void close();

 private:
  enum class ReadOutcome {
    data,     // bytes were added to pending_
    closed,   // the peer closed, or the connection failed (eof_ or dead_ is set)
    timeout,  // the deadline passed; the connection is still usable
  };
  // Reads one chunk into pending_ (and the transcript).
  boost::asio::awaitable<ReadOutcome> read_more(Clock::time_point deadline);
  // A failure of the byte stream: the connection is dead from now on.
  void lost(std::string reason);
  script::IoResult unusable() const;

  int number_;
  net::Transport transport_;
  TranscriptRecorder& transcript_;
  std::string pending_;      // read, not yet returned as (part of) a reply
  bool eof_ = false;         // the peer's orderly close: no more bytes will come
  bool dead_ = false;        // reset, a failed write or handshake, or closed by us
  std::string dead_reason_;  // why, for the next request
  std::array<char, 4096> chunk_{};
};

}  // namespace smtp::check
