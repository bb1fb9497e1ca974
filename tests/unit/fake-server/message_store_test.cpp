#include "fake-server/message_store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace smtp::fake::message_store_test {
namespace {

StoredMessage message_from(std::string from) {
  StoredMessage m;
  m.received_at = std::chrono::system_clock::now();
  m.envelope.reverse_path.mailbox.local_part = std::move(from);
  m.envelope.reverse_path.mailbox.domain = "example.org";
  return m;
}

TEST(MessageStore, SpecsAndErrors) {
  EXPECT_EQ(make_store("none", 10)->kind(), "none");
  EXPECT_EQ(make_store("memory", 10)->kind(), "memory");
  EXPECT_THROW(make_store("disk", 10), std::invalid_argument);
  EXPECT_THROW(make_store("maildir:", 10), std::invalid_argument);
}

TEST(MessageStore, NoneCountsIdsButKeepsNothing) {
  auto store = make_store("none", 10);
  auto m = message_from("a");
  EXPECT_TRUE(store->put(m, "raw"));
  EXPECT_EQ(m.id, 1u);
  EXPECT_EQ(store->count(), 0u);
  EXPECT_EQ(store->find(1), nullptr);
  EXPECT_EQ(store->bytes(1), std::nullopt);
}

TEST(MessageStore, MemoryKeepsTraceAndContentAndFindsById) {
  auto store = make_store("memory", 10);
  auto a = message_from("a");
  auto b = message_from("b");
  b.trace = "Received: b\r\n";
  ASSERT_TRUE(store->put(a, "first\r\n"));
  ASSERT_TRUE(store->put(b, "second\r\n"));
  EXPECT_EQ(a.id, 1u);
  EXPECT_EQ(b.id, 2u);
  ASSERT_NE(store->find(2), nullptr);
  EXPECT_EQ(store->find(2)->envelope.reverse_path.mailbox.local_part, "b");
  EXPECT_EQ(store->find(2)->size, 21u);  // trace and content
  EXPECT_EQ(store->bytes(1)->whole(), "first\r\n");
  const auto bytes = store->bytes(2);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(bytes->trace, "Received: b\r\n");
  EXPECT_EQ(*bytes->content, "second\r\n");
  EXPECT_EQ(bytes->size(), 21u);
  EXPECT_EQ(store->list().size(), 2u);
}

TEST(MessageStore, ContentIsMovedInNotCopied) {
  auto store = make_store("memory", 10);
  auto m = message_from("a");
  std::string content(100000, 'x');
  const char* buffer = content.data();
  ASSERT_TRUE(store->put(m, std::move(content)));
  EXPECT_EQ(store->bytes(m.id)->content->data(), buffer);
}

TEST(MessageStore, ContentOutlivesItsMessageForAReader) {
  auto store = make_store("memory", 1);
  auto a = message_from("a");
  ASSERT_TRUE(store->put(a, "kept by the reader"));
  const auto reading = store->bytes(a.id);
  auto b = message_from("b");
  ASSERT_TRUE(store->put(b, "drops a"));  // the count bound drops message 1
  EXPECT_EQ(store->find(a.id), nullptr);
  EXPECT_EQ(*reading->content, "kept by the reader");
}

TEST(MessageStore, MemoryIsBoundedOldestFirstAndIdsNeverReused) {
  auto store = make_store("memory", 2);
  for (int i = 0; i < 3; ++i) {
    auto m = message_from("m" + std::to_string(i));
    ASSERT_TRUE(store->put(m, "x"));
  }
  EXPECT_EQ(store->count(), 2u);
  EXPECT_EQ(store->find(1), nullptr);
  EXPECT_NE(store->find(3), nullptr);
  store->clear();
  EXPECT_EQ(store->count(), 0u);
  auto next = message_from("n");
  ASSERT_TRUE(store->put(next, "y"));
  EXPECT_EQ(next.id, 4u);
  EXPECT_EQ(store->find(3), nullptr);
}

TEST(MessageStore, MemoryIsBoundedInOctetsOldestFirst) {
  auto store = make_store("memory", 100, 25);
  for (int i = 0; i < 4; ++i) {
    auto m = message_from("m" + std::to_string(i));
    m.trace = "R\r\n";                                // 3 octets
    ASSERT_TRUE(store->put(m, std::string(7, 'x')));  // 10 octets held each
  }
  EXPECT_EQ(store->count(), 2u);  // 20 octets; a third would make 30 > 25
  EXPECT_EQ(store->octets(), 20u);
  EXPECT_EQ(store->find(2), nullptr);
  EXPECT_NE(store->find(3), nullptr);
  // The newest stays even alone over the bound: it is at most --max-size.
  auto big = message_from("big");
  ASSERT_TRUE(store->put(big, std::string(40, 'y')));
  EXPECT_EQ(store->count(), 1u);
  EXPECT_EQ(store->octets(), 40u);
  EXPECT_NE(store->find(big.id), nullptr);
  store->clear();
  EXPECT_EQ(store->octets(), 0u);
}

class Maildir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("fake-smtpd-maildir-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(Maildir, WritesIntoNewViaTmpAndReadsBack) {
  auto store = make_store("maildir:" + dir_.string(), 10);
  EXPECT_TRUE(std::filesystem::is_directory(dir_ / "cur"));
  auto m = message_from("a");
  m.trace = "Received: x\r\n";
  ASSERT_TRUE(store->put(m, "\r\nbody\r\n"));
  const auto* kept = store->find(m.id);
  ASSERT_NE(kept, nullptr);
  ASSERT_FALSE(kept->path.empty());
  EXPECT_EQ(std::filesystem::path(kept->path).parent_path(), dir_ / "new");
  std::ifstream in(kept->path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_EQ(content.str(), "Received: x\r\n\r\nbody\r\n");
  EXPECT_EQ(kept->size, content.str().size());
  const auto bytes = store->bytes(m.id);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(bytes->trace, "Received: x\r\n");
  EXPECT_EQ(*bytes->content, "\r\nbody\r\n");
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "tmp"));  // renamed, not copied
}

TEST_F(Maildir, UnwritableDirectoryIsRefusedAtStart) {
  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ / "tmp") << "a file where a directory should be";
  EXPECT_THROW(make_store("maildir:" + dir_.string(), 10), std::invalid_argument);
}

TEST_F(Maildir, CountsOnlyTheOctetsItHoldsInMemory) {
  auto store = make_store("maildir:" + dir_.string(), 100, 10);
  for (int i = 0; i < 3; ++i) {
    auto m = message_from("m" + std::to_string(i));
    m.trace = "R\r\n";
    ASSERT_TRUE(store->put(m, std::string(1000, 'x')));  // on disk, not held
  }
  EXPECT_EQ(store->count(), 3u);
  EXPECT_EQ(store->octets(), 9u);
}

}  // namespace

}  // namespace smtp::fake::message_store_test
