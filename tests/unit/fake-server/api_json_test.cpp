#include "fake-server/api_json.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "proto/base64.hpp"

namespace smtp::fake::api_json_test {
namespace {

TEST(ApiJson, MessageEnvelopeAndParams) {
  StoredMessage m;
  m.id = 3;
  m.session_id = 9;
  m.envelope.reverse_path.mailbox = {"alice", "example.org"};
  m.envelope.mail_params = {{"SIZE", "12"}, {"SMTPUTF8", std::nullopt}};
  proto::Recipient r;
  r.path.mailbox = {"bob", "example.net"};
  r.params = {{"NOTIFY", "NEVER"}};
  m.envelope.recipients.push_back(r);
  m.size = 12;
  m.tls = true;
  const auto j = message_json(m);
  EXPECT_EQ(j["id"], 3);
  EXPECT_EQ(j["session_id"], 9);
  EXPECT_EQ(j["from"], "alice@example.org");
  EXPECT_EQ(j["to"][0], "bob@example.net");
  EXPECT_EQ(j["recipients"][0]["params"]["NOTIFY"], "NEVER");
  EXPECT_EQ(j["mail_params"]["SIZE"], "12");
  EXPECT_EQ(j["mail_params"]["SMTPUTF8"], true);
  EXPECT_EQ(j["tls"], true);
}

// The API's times are RFC 3339 in UTC with milliseconds
// (common/rfc3339.hpp), as clients of /api/messages parse them.
TEST(ApiJson, Iso8601) {
  StoredMessage m;
  m.received_at = std::chrono::system_clock::from_time_t(1795305600) + std::chrono::milliseconds(7);
  EXPECT_EQ(message_json(m)["received_at"], "2026-11-22T00:00:00.007Z");
}

TEST(ApiJson, NullSenderIsEmptyString) {
  StoredMessage m;
  m.envelope.reverse_path.null = true;
  EXPECT_EQ(message_json(m)["from"], "");
}

TEST(ApiJson, InvalidUtf8BecomesEscapedTextAndJsonStaysValid) {
  StoredMessage m;
  m.client_name = "bad\xff\xfe";
  const auto j = message_json(m);
  EXPECT_EQ(j["helo"], "bad\\xff\\xfe");
  EXPECT_NO_THROW((void)j.dump());
}

TEST(ApiJson, TranscriptHasEscapedTextAndExactBase64) {
  SessionRecord s;
  s.id = 1;
  s.record(Direction::client, false, std::string("EHLO \x01\r\n", 8), 1000);
  const auto j = session_json(s);
  ASSERT_EQ(j["transcript"].size(), 1u);
  EXPECT_EQ(j["transcript"][0]["text"], "EHLO \\x01\\r\\n");
  EXPECT_EQ(proto::base64_decode(j["transcript"][0]["base64"].get<std::string>()),
            std::string("EHLO \x01\r\n", 8));
  EXPECT_EQ(j["transcript"][0]["direction"], "client");
}

TEST(ApiJson, StatsCountRepliesByCode) {
  ServerStats st;
  st.replies[250] = 4;
  st.replies[421] = 1;
  st.messages_accepted = 2;
  const auto j = stats_json(st, 2);
  EXPECT_EQ(j["replies"]["250"], 4);
  EXPECT_EQ(j["replies"]["421"], 1);
  EXPECT_EQ(j["messages_accepted"], 2);
  EXPECT_EQ(j["messages_held"], 2);
}

}  // namespace
}  // namespace smtp::fake::api_json_test
