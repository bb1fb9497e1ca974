// DATA (RFC 5321 §4.1.1.4) and BDAT (RFC 3030) of the server dialogue.
#include <algorithm>
#include <cstdint>
#include <string>

#include "proto/server_dialogue.hpp"

namespace smtp::proto {

namespace {

// The largest message the server takes when max_message_size is 0 (no
// fixed maximum advertised, "SIZE 0"): a message is held in memory while it
// arrives, so some bound there must be. Over it, DATA and BDAT alike get
// 552 5.3.4 (RFC 3463: the message is larger than a per-message limit "for
// physical or administrative reasons"), after the data, as over max_size.
constexpr std::uint64_t kMessageCeiling = std::uint64_t{1} << 30;  // 1 GiB

std::uint64_t message_limit(const ServerConfig& config) {
  return config.max_message_size != 0 ? config.max_message_size : kMessageCeiling;
}

}  // namespace

ServerStep ServerDialogue::on_data_command() {
  // Violation chunking-refuses-data (docs/CONFORMANCE.md K1): RFC 3030 §2, "Servers
  // that offer the BDAT extension MUST continue to support the regular SMTP
  // DATA command". This server takes mail by BDAT only once it offers it.
  if (config_.violations.chunking_refuses_data && config_.extensions.chunking) {
    return refuse(ServerReply::not_implemented);
  }
  // RFC 3030 §2, docs/CONFORMANCE.md K3. Violation data-after-bdat: DATA is taken
  // anyway, and the chunks received so far are dropped.
  if (bdat_used_ && !config_.violations.data_after_bdat) return refuse(ServerReply::bad_sequence);
  if (state_ == ServerState::connected || state_ == ServerState::greeted) {
    return refuse(ServerReply::need_mail);
  }
  // §3.3: DATA with no accepted recipient gets 503 or 554, never 354 (S2).
  // Violation data-without-recipients: 354, and the message is refused at
  // its end (end_of_message).
  if (state_ == ServerState::mail && !config_.violations.data_without_recipients) {
    return refuse(ServerReply::no_recipients);
  }
  bdat_used_ = false;  // already false, except under data-after-bdat: DATA's message now
  unstuffer_.reset();
  wire_line_octets_ = 0;
  content_.clear();
  latched_.reset();
  state_ = ServerState::data;
  return reply(ServerReply::start_mail);
}

bool ServerDialogue::latch_if_too_big(std::uint64_t size) {
  if (latched_) return true;
  if (size <= message_limit(config_)) return false;
  // RFC 1870 §6.2: too big. Latch the error, drop what we kept, and read on to
  // the end of the data so the framing stays in step (ARCHITECTURE.md §5).
  latched_ = ServerReply::size_exceeded;
  content_.clear();
  content_.shrink_to_fit();
  return true;
}

DataStep ServerDialogue::on_data(std::string_view bytes) {
  DataStep result;
  if (state_ == ServerState::data) {
    const bool keep = config_.keep_content && !latched_;
    auto progress = unstuffer_.feed(bytes, keep ? &content_ : nullptr);
    result.consumed = progress.consumed;
    latch_if_too_big(unstuffer_.message_size());
    if (config_.violations.data_line_counts_dot) {
      // Violation data-line-counts-dot (docs/CONFORMANCE.md L4): RFC 5321 §4.5.3.1.6
      // allows a text line of 1000 octets with its CRLF, "not counting the
      // leading dot duplicated for transparency". This server measures each
      // line as it arrives, the stuffed dot included, so a 1000-octet line
      // that starts with "." (1001 on the wire) is too long for it.
      for (const char octet : bytes.substr(0, progress.consumed)) {
        if (latched_) break;
        if (++wire_line_octets_ > 1000) latched_ = ServerReply::line_too_long;
        if (octet == '\n') wire_line_octets_ = 0;
      }
    }
    if (progress.complete) result.step = end_of_message();
    return result;
  }
  if (state_ != ServerState::bdat) return result;
  const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), chunk_remaining_));
  if (config_.violations.bdat_chunk_scanned && !chunk_verdict_ && !chunk_refusal_) {
    // Violation bdat-chunk-scanned (docs/CONFORMANCE.md K2): RFC 3030 §2 has a chunk
    // be exactly the octets its BDAT announced, with no dot-stuffing and no
    // terminator. This server reads chunks as it reads DATA: CRLF "." CRLF
    // inside one ends the message, and the chunk's remaining octets are read
    // as commands (SMTP smuggling through BDAT).
    const bool keep = config_.keep_content && !latched_;
    auto progress = unstuffer_.feed(bytes.substr(0, n), keep ? &content_ : nullptr);
    chunked_size_ += progress.consumed;
    latch_if_too_big(chunked_size_);
    chunk_remaining_ -= progress.consumed;
    result.consumed = progress.consumed;
    if (progress.complete) {
      chunk_remaining_ = 0;
      result.step = end_of_message();
    } else if (chunk_remaining_ == 0) {
      result.step = end_of_chunk();
    }
    return result;
  }
  if (!chunk_verdict_ && !chunk_refusal_) {
    chunked_size_ += n;
    if (!latch_if_too_big(chunked_size_) && config_.keep_content)
      content_.append(bytes.substr(0, n));
  }
  chunk_remaining_ -= n;
  result.consumed = n;
  if (chunk_remaining_ == 0) result.step = end_of_chunk();
  return result;
}

ServerStep ServerDialogue::on_bdat(const Command& cmd) {
  if (!config_.extensions.chunking) return refuse(ServerReply::unrecognised);
  chunk_size_ = cmd.chunk_size;
  chunk_remaining_ = cmd.chunk_size;
  chunk_last_ = cmd.last_chunk;
  before_chunk_ = state_;
  // RFC 3030 §2: a refused chunk is still read to its end before the reply,
  // or its octets would be taken for commands (docs/CONFORMANCE.md K4).
  chunk_verdict_.reset();
  if (state_ == ServerState::connected || state_ == ServerState::greeted) {
    chunk_verdict_ = ServerReply::need_mail;
  } else if (state_ == ServerState::mail) {
    // Violation refused-chunk-not-read (docs/CONFORMANCE.md K4): RFC 3030 §2 wants
    // the chunk's octets read before the refusal; refusing at once leaves
    // them to be read as commands.
    if (config_.violations.refused_chunk_not_read) return refuse(ServerReply::no_recipients);
    chunk_verdict_ = ServerReply::no_recipients;
  } else {
    bdat_used_ = true;
    // A chunk announced past the limit fails the message before any of it
    // arrives, so none of it is kept (BDAT 999999999999 allocates nothing);
    // its octets are still read and discarded before the 552 (RFC 3030 §2,
    // docs/CONFORMANCE.md K4). Saturating: the sum must not wrap.
    const auto announced =
        cmd.chunk_size > UINT64_MAX - chunked_size_ ? UINT64_MAX : chunked_size_ + cmd.chunk_size;
    latch_if_too_big(announced);
  }
  state_ = ServerState::bdat;
  if (chunk_remaining_ == 0) return end_of_chunk();
  return {};
}

ServerStep ServerDialogue::refuse_chunk(const Command& bdat, std::string reply) {
  chunk_size_ = bdat.chunk_size;
  chunk_remaining_ = bdat.chunk_size;
  chunk_last_ = bdat.last_chunk;
  before_chunk_ = state_ == ServerState::connected ? state_ : ServerState::greeted;
  chunk_verdict_.reset();
  chunk_refusal_ = std::move(reply);
  state_ = ServerState::bdat;
  if (chunk_remaining_ == 0) return end_of_chunk();
  return {};
}

ServerStep ServerDialogue::end_of_chunk() {
  if (chunk_refusal_) {
    // RFC 3030 §2: a 4xx/5xx to a chunk fails the whole transaction.
    ServerStep step;
    step.output = std::move(*chunk_refusal_);
    chunk_refusal_.reset();
    reset_transaction();
    state_ = before_chunk_;
    return step;
  }
  if (chunk_verdict_) {
    state_ = before_chunk_;
    const auto verdict = *chunk_verdict_;
    chunk_verdict_.reset();
    return refuse(verdict);
  }
  state_ = ServerState::recipients;
  if (latched_) {
    // RFC 3030 §2: the transaction has failed; the client must not send more
    // chunks, and any it sends are refused as outside a transaction.
    const auto error = *latched_;
    reset_transaction();
    return refuse(error);
  }
  if (chunk_last_) return end_of_message();
  return reply(ServerReply::chunk_ok, std::to_string(chunk_size_));
}

ServerStep ServerDialogue::end_of_message() {
  const bool via_bdat = bdat_used_;
  // §2.3.8, docs/CONFORMANCE.md D3/D4: bare CR/LF, and every look-alike end of data
  // (the NUL variant has no bare CR or LF), make the message suspect.
  const auto suspect = unstuffer_.count(DataAnomaly::bare_cr) +
                       unstuffer_.count(DataAnomaly::bare_lf) +
                       unstuffer_.count(DataAnomaly::fake_terminator);
  if (!via_bdat && !latched_ && config_.reject_bare_line_endings && suspect > 0) {
    latched_ = ServerReply::bare_line_ending;
  }
  // A message without recipients is never stored; only the violation
  // data-without-recipients lets DATA start without one.
  if (!latched_ && envelope_.recipients.empty()) latched_ = ServerReply::no_recipients;
  state_ = ServerState::greeted;
  if (latched_) {
    const auto error = *latched_;
    reset_transaction();
    return refuse(error);
  }
  ServerStep step;
  Message message;
  message.size = via_bdat ? chunked_size_ : unstuffer_.message_size();
  message.content = std::move(content_);
  message.envelope = std::move(envelope_);
  message.via_bdat = via_bdat;
  step.deliver = std::move(message);
  reset_transaction();
  return step;
}

ServerStep ServerDialogue::finish_delivery(bool stored, std::string_view queue_id) {
  if (!stored) return reply(ServerReply::store_failed);
  ++messages_accepted_;
  return reply(ServerReply::queued, queue_id);
}

}  // namespace smtp::proto
