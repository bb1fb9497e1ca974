#pragma once
// Where fake-smtpd keeps accepted mail: --store none|memory|maildir:DIR.
// ARCHITECTURE.md §6 "nothing lost": a message answered 250 is in the store,
// and with a disk store it is on disk (fsync'ed) before the 250 is sent.
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/envelope.hpp"

namespace smtp::fake {

struct StoredMessage {
  std::uint64_t id = 0;
  std::uint64_t session_id = 0;
  std::chrono::system_clock::time_point received_at;
  proto::Envelope envelope;
  std::string client_name;  // EHLO/HELO argument
  bool tls = false;
  std::string auth_user;  // empty when not authenticated; never a password
  bool via_bdat = false;
  // Octets of the whole message, trace line and content (with --store none,
  // of the content received, which is not kept).
  std::uint64_t size = 0;
  // The Received: line the server prepends (RFC 5321 §4.4), kept apart from
  // the content: prepending it by copy would hold the message twice at the
  // moment it is stored. Empty with --store none.
  std::string trace;
  std::shared_ptr<const std::string> content;  // as received; memory store only
  std::string path;                            // maildir: the file in new/
};

// A stored message's octets as the two pieces a reader writes one after the
// other: the trace line, then the content. The content is shared, so a
// reader (an HTTP response being written) keeps it even if the store drops
// the message meanwhile.
struct MessageBytes {
  std::string trace;
  std::shared_ptr<const std::string> content;
  std::uint64_t size() const { return trace.size() + content->size(); }
  std::string whole() const { return trace + *content; }  // a copy: for small readers
};

class MessageStore {
 public:
  virtual ~MessageStore() = default;
  // Stores the message (its `trace` set, `content` empty) with `content` and
  // assigns its id. False when it could not be kept (the session then
  // answers 451 4.3.0 instead of 250).
  virtual bool put(StoredMessage& message, std::string&& content) = 0;
  virtual std::vector<const StoredMessage*> list() const = 0;
  virtual const StoredMessage* find(std::uint64_t id) const = 0;
  // The message's octets, read from wherever they live.
  virtual std::optional<MessageBytes> bytes(std::uint64_t id) const = 0;
  virtual void clear() = 0;
  virtual std::uint64_t count() const = 0;   // messages currently held
  virtual std::uint64_t octets() const = 0;  // octets of them held in memory
  virtual std::string_view kind() const = 0;
};

// "none", "memory" or "maildir:DIR", keeping at most `message_limit`
// messages and `octet_limit` octets of them in memory (0: no limit), the
// oldest dropped first. Throws std::invalid_argument with a one-line reason
// for anything else, or when DIR cannot be prepared.
std::unique_ptr<MessageStore> make_store(std::string_view spec, std::size_t message_limit,
                                         std::uint64_t octet_limit = 0);

}  // namespace smtp::fake
