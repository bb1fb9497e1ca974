#include "fake-server/message_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace smtp::fake {
namespace {

// Keeps the metadata of every message; holds content only when asked to.
class IndexedStore : public MessageStore {
 public:
  IndexedStore(std::size_t message_limit, std::uint64_t octet_limit)
      : message_limit_(message_limit), octet_limit_(octet_limit) {}

  std::vector<const StoredMessage*> list() const override {
    std::vector<const StoredMessage*> out;
    out.reserve(messages_.size());
    for (const auto& m : messages_) out.push_back(&m);
    return out;
  }
  const StoredMessage* find(std::uint64_t id) const override {
    // Ids grow by one, so the position follows from the first id held.
    if (messages_.empty() || id < messages_.front().id) return nullptr;
    const auto index = id - messages_.front().id;
    return index < messages_.size() ? &messages_[index] : nullptr;
  }
  // Ids keep growing after clear(), so an old id never names a new message.
  void clear() override {
    messages_.clear();
    held_ = 0;
  }
  std::uint64_t count() const override { return messages_.size(); }
  std::uint64_t octets() const override { return held_; }

 protected:
  StoredMessage& keep(StoredMessage& message) {
    message.id = ++last_id_;
    held_ += held(message);
    messages_.push_back(std::move(message));  // callers read only the id afterwards
    // Bounded in count (--store-limit) and in octets held (--store-bytes):
    // the oldest messages go first, as a mail sink's spool is trimmed, so a
    // long load run never grows without end and never sees mail refused for
    // the sink's sake. The newest message stays even when it alone is over
    // the octet bound (it is at most --max-size).
    while (messages_.size() > 1 && ((message_limit_ != 0 && messages_.size() > message_limit_) ||
                                    (octet_limit_ != 0 && held_ > octet_limit_))) {
      held_ -= held(messages_.front());
      messages_.pop_front();
    }
    return messages_.back();
  }

 private:
  // The octets of a message this process holds: the trace line, and the
  // content when it is kept in memory (a maildir keeps it on disk).
  static std::uint64_t held(const StoredMessage& m) {
    return m.trace.size() + (m.content ? m.content->size() : 0);
  }

  std::size_t message_limit_;
  std::uint64_t octet_limit_;
  std::uint64_t held_ = 0;
  std::uint64_t last_id_ = 0;
  std::deque<StoredMessage> messages_;
};

// --store none: nothing is kept but the count (the fast path for load tests).
class NullStore : public MessageStore {
 public:
  bool put(StoredMessage& message, std::string&&) override {
    message.id = ++count_;
    return true;
  }
  std::vector<const StoredMessage*> list() const override { return {}; }
  const StoredMessage* find(std::uint64_t) const override { return nullptr; }
  std::optional<MessageBytes> bytes(std::uint64_t) const override { return std::nullopt; }
  void clear() override {}
  std::uint64_t count() const override { return 0; }
  std::uint64_t octets() const override { return 0; }
  std::string_view kind() const override { return "none"; }

 private:
  std::uint64_t count_ = 0;
};

class MemoryStore : public IndexedStore {
 public:
  using IndexedStore::IndexedStore;
  bool put(StoredMessage& message, std::string&& content) override {
    message.size = message.trace.size() + content.size();
    // Moved, never copied: the content is the one buffer the dialogue filled.
    message.content = std::make_shared<const std::string>(std::move(content));
    keep(message);
    return true;
  }
  std::optional<MessageBytes> bytes(std::uint64_t id) const override {
    const auto* m = find(id);
    if (m == nullptr) return std::nullopt;
    return MessageBytes{m->trace, m->content};
  }
  std::string_view kind() const override { return "memory"; }
};

// Maildir (tmp/ → new/ by rename, as every Maildir reader expects). The file
// and the new/ directory are fsync'ed before put() returns, so the 250 that
// follows is true even if the machine loses power.
class MaildirStore : public IndexedStore {
 public:
  MaildirStore(std::filesystem::path dir, std::size_t message_limit, std::uint64_t octet_limit)
      : IndexedStore(message_limit, octet_limit), dir_(std::move(dir)) {
    std::error_code ec;
    for (const char* sub : {"tmp", "new", "cur"}) {
      std::filesystem::create_directories(dir_ / sub, ec);
      if (ec) {
        throw std::invalid_argument("--store maildir:" + dir_.string() + ": cannot create " + sub +
                                    "/: " + ec.message());
      }
    }
  }

  bool put(StoredMessage& message, std::string&& content) override {
    std::ostringstream name;
    name << std::chrono::duration_cast<std::chrono::seconds>(message.received_at.time_since_epoch())
                .count()
         << ".P" << ::getpid() << "Q" << ++sequence_ << ".fake-smtpd";
    const auto tmp = dir_ / "tmp" / name.str();
    const auto fresh = dir_ / "new" / name.str();
    if (!write_synced(tmp, {message.trace, content})) return false;
    if (::rename(tmp.c_str(), fresh.c_str()) != 0 || !sync_directory(dir_ / "new")) {
      ::unlink(tmp.c_str());
      return false;
    }
    message.size = message.trace.size() + content.size();
    message.path = fresh.string();
    keep(message);
    return true;
  }

  std::optional<MessageBytes> bytes(std::uint64_t id) const override {
    const auto* m = find(id);
    if (m == nullptr) return std::nullopt;
    // The file is the trace line followed by the content: read as the two
    // pieces, so that neither is copied again.
    std::ifstream in(m->path, std::ios::binary);
    MessageBytes bytes;
    bytes.trace.resize(m->trace.size());
    if (!in.read(bytes.trace.data(), static_cast<std::streamsize>(bytes.trace.size()))) {
      return std::nullopt;
    }
    std::error_code ec;
    const auto file_size = std::filesystem::file_size(m->path, ec);
    if (ec || file_size < bytes.trace.size()) return std::nullopt;
    std::string content(file_size - bytes.trace.size(), '\0');
    if (!in.read(content.data(), static_cast<std::streamsize>(content.size()))) return std::nullopt;
    bytes.content = std::make_shared<const std::string>(std::move(content));
    return bytes;
  }

  // DELETE /api/messages forgets the messages; the files stay on disk, which
  // is what an operator inspecting the maildir expects.
  std::string_view kind() const override { return "maildir"; }

 private:
  // Writes the pieces one after the other, in one writev as long as the
  // kernel takes them whole, and fsyncs the file.
  static bool write_synced(const std::filesystem::path& path,
                           std::array<std::string_view, 2> pieces) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    bool ok = write_all(fd, pieces) && ::fsync(fd) == 0;
    ok = ::close(fd) == 0 && ok;
    if (!ok) ::unlink(path.c_str());
    return ok;
  }
  static bool write_all(int fd, std::array<std::string_view, 2> pieces) {
    for (;;) {
      std::array<iovec, 2> vec{};
      int count = 0;
      for (const auto piece : pieces) {
        if (!piece.empty()) vec[count++] = {const_cast<char*>(piece.data()), piece.size()};
      }
      if (count == 0) return true;
      const auto n = ::writev(fd, vec.data(), count);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      // A short write: drop what went out, piece by piece.
      auto done = static_cast<std::size_t>(n);
      for (auto& piece : pieces) {
        const auto taken = std::min(done, piece.size());
        piece.remove_prefix(taken);
        done -= taken;
      }
    }
  }
  static bool sync_directory(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
  }

  std::filesystem::path dir_;
  std::uint64_t sequence_ = 0;
};

}  // namespace

std::unique_ptr<MessageStore> make_store(std::string_view spec, std::size_t message_limit,
                                         std::uint64_t octet_limit) {
  if (spec == "none") return std::make_unique<NullStore>();
  if (spec == "memory") return std::make_unique<MemoryStore>(message_limit, octet_limit);
  constexpr std::string_view maildir = "maildir:";
  if (spec.substr(0, maildir.size()) == maildir && spec.size() > maildir.size()) {
    return std::make_unique<MaildirStore>(std::string(spec.substr(maildir.size())), message_limit,
                                          octet_limit);
  }
  throw std::invalid_argument("--store must be none, memory or maildir:DIR, not '" +
                              std::string(spec) + "'");
}

}  // namespace smtp::fake
