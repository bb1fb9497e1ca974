#include "fake-server/transcript.hpp"

#include <gtest/gtest.h>

namespace smtp::fake::transcript_test {
namespace {

TEST(Transcript, MergesConsecutiveBytesOfOneDirection) {
  SessionRecord r;
  r.record(Direction::client, false, "EH", 1000);
  r.record(Direction::client, false, "LO x\r\n", 1000);
  r.record(Direction::server, false, "250 ok\r\n", 1000);
  r.record(Direction::client, true, "NOOP\r\n", 1000);  // TLS state splits entries
  ASSERT_EQ(r.entries.size(), 3u);
  EXPECT_EQ(r.entries[0].bytes, "EHLO x\r\n");
  EXPECT_EQ(r.entries[1].direction, Direction::server);
  EXPECT_TRUE(r.entries[2].tls);
  EXPECT_EQ(r.bytes_in, 14u);
  EXPECT_EQ(r.bytes_out, 8u);
}

TEST(Transcript, NamesEachFiredRuleOnce) {
  SessionRecord r;
  r.rule_fired("first-mail");
  r.rule_fired("slow");
  r.rule_fired("first-mail");
  EXPECT_EQ(r.rules_fired, (std::vector<std::string>{"first-mail", "slow"}));
}

TEST(Transcript, CapsBytesButCountsThemAndKeepsEvents) {
  SessionRecord r;
  const std::size_t cap = SessionRecord::entry_overhead + 8;  // room for one entry of 8 bytes
  r.record(Direction::client, false, "0123456789", cap);
  r.record(Direction::server, false, "abc", cap);
  r.record(Direction::event, false, "client closed", cap + 100);
  ASSERT_EQ(r.entries.size(), 2u);
  EXPECT_EQ(r.entries[0].bytes, "01234567");
  EXPECT_EQ(r.entries[1].bytes, "client closed");
  EXPECT_EQ(r.omitted_bytes, 5u);
  EXPECT_EQ(r.bytes_in, 10u);  // counted even when not kept
  EXPECT_EQ(r.bytes_out, 3u);
}

TEST(Transcript, EntryOverheadCountsAgainstTheCap) {
  SessionRecord r;
  const std::size_t cap = 10 * (SessionRecord::entry_overhead + 10);
  for (int i = 0; i < 1000; ++i) {  // a NOOP loop: two small entries per round trip
    r.record(Direction::client, false, "NOOP\r\n", cap);
    r.record(Direction::server, false, "250 Ok\r\n", cap);
  }
  EXPECT_LE(r.kept_bytes, cap);
  EXPECT_LE(r.entries.size(), 10u);
  EXPECT_GT(r.omitted_bytes, 0u);
}

TEST(SessionLog, RetainsABoundedNumberOfSessions) {
  SessionLog log(2, 100);
  auto first = log.open("127.0.0.1:1", "127.0.0.1:25", false);
  log.open("127.0.0.1:2", "127.0.0.1:25", false);
  auto third = log.open("127.0.0.1:3", "127.0.0.1:25", true);
  EXPECT_EQ(log.sessions().size(), 2u);
  EXPECT_EQ(log.find(first->id), nullptr);
  EXPECT_EQ(log.find(third->id), third);
  EXPECT_EQ(third->id, 3u);
  EXPECT_TRUE(third->implicit_tls);
  EXPECT_EQ(first->peer, "127.0.0.1:1");  // a running session keeps its record
}

TEST(Transcript, DirectionNames) {
  EXPECT_EQ(to_string(Direction::client), "client");
  EXPECT_EQ(to_string(Direction::server), "server");
  EXPECT_EQ(to_string(Direction::event), "event");
}

}  // namespace
}  // namespace smtp::fake::transcript_test
