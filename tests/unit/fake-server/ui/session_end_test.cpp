#include "fake-server/ui/session_end.hpp"

#include <gtest/gtest.h>

namespace smtp::fake::ui::session_end_test {
namespace {

SessionRecord session(std::initializer_list<std::pair<Direction, std::string>> entries,
                      bool ended = true) {
  SessionRecord s;
  for (const auto& [direction, bytes] : entries) s.record(direction, false, bytes, 1 << 20);
  if (ended) s.ended = std::chrono::system_clock::now();
  return s;
}

TEST(SessionEnd, FromTheLastEventOrReply) {
  using enum Direction;
  EXPECT_EQ(session_end(session({{server, "220 x\r\n"}}, false)).key, "open");
  EXPECT_EQ(session_end(session({{client, "QUIT\r\n"}, {server, "221 2.0.0 Bye\r\n"}})).key,
            "quit");
  EXPECT_EQ(
      session_end(session({{server, "250 ok\r\n"}, {event, "client closed: End of file"}})).key,
      "client-closed");
  EXPECT_EQ(session_end(session({{event, "idle timeout"}, {server, "421 4.4.2 idle\r\n"}})).key,
            "idle-timeout");
  EXPECT_EQ(session_end(session({{server, "250-a\r\n250 b\r\n421 4.7.0 too many errors\r\n"}})).key,
            "server-421");
  EXPECT_EQ(session_end(session({{event, "rule 'r' (p:1) fired on MAIL: close"},
                                 {event, "connection closed instead of 250"}}))
                .key,
            "rule-close");
  EXPECT_EQ(session_end(session({{event, "connection reset (RST) instead of 250"}})).key,
            "rule-reset");
  EXPECT_EQ(session_end(session({{event, "TLS handshake failed: wrong version"}})).key,
            "tls-failed");
  EXPECT_EQ(session_end(session({{server, "250 ok\r\n"}})).key, "other");
  EXPECT_EQ(session_end(session({})).key, "other");
}

}  // namespace
}  // namespace smtp::fake::ui::session_end_test
