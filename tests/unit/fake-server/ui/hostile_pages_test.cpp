// Pages of the web UI over what a hostile client sent: markup, quotes, NUL,
// ESC, bytes that are not UTF-8 and U+202E RIGHT-TO-LEFT OVERRIDE must reach
// the HTML as text (ARCHITECTURE.md §6, "Hostile peers"; deviation 1).
#include <gtest/gtest.h>

#include <memory>

#include "fake-server/ui/pages.hpp"
#include "fake-server/ui/session_end.hpp"

namespace smtp::fake::ui::hostile_pages_test {
namespace {

using namespace std::string_literals;

const std::string kHostile =
    "<script>alert(1)</script>\"'&<img src=x onerror=alert(2)>\0\x1b[31m\xff\xfe\xe2\x80\xae"s;

// The page's markup, the one <style> and <meta> aside, holds nothing the
// peer wrote as markup or as a raw control.
void expect_inert(const std::string& html) {
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("onerror=alert"), html.find("onerror=alert(2)&gt;"))
      << "the attribute only as text after an escaped <img";
  EXPECT_EQ(html.find('\0'), std::string::npos);
  EXPECT_EQ(html.find('\x1b'), std::string::npos);
  EXPECT_EQ(html.find("\xff"), std::string::npos);
  EXPECT_EQ(html.find("\xe2\x80\xae"), std::string::npos);
  // Shown: the markup as text, the octets as the one escaper writes them.
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"), std::string::npos);
  EXPECT_NE(html.find("\\x00\\x1b[31m\\xff\\xfe\\xe2\\x80\\xae"), std::string::npos);
}

std::shared_ptr<SessionRecord> hostile_session() {
  SessionLog log(10, 1 << 20);
  auto s = log.open("127.0.0.1:5000", "127.0.0.1:2525", false);
  s->client_name = kHostile;
  s->record(Direction::server, false, "220 fake-smtpd.test ESMTP\r\n", 1 << 20);
  s->record(Direction::client, false, "EHLO " + kHostile + "\r\n", 1 << 20);
  s->record(Direction::event, false, "rule 'r1' (rules:1) fired on MAIL: reply 451", 1 << 20);
  s->record(Direction::server, false, "221 2.0.0 Bye\r\n", 1 << 20);
  s->ended = std::chrono::system_clock::now();
  return s;
}

TEST(HostilePages, SessionTranscriptIsText) {
  const auto s = hostile_session();
  const auto reply = session_page(*s, 42, {});
  EXPECT_EQ(reply.status, 200);
  expect_inert(reply.body);
  // One row per line; the fired rule is its own, highlighted row.
  EXPECT_NE(reply.body.find("class=\"event rule\""), std::string::npos);
  EXPECT_NE(reply.body.find("fake-smtpd --seed 42"), std::string::npos);
  EXPECT_EQ(session_end(*s).key, "quit");
}

TEST(HostilePages, SessionListShowsTheEhloNameAsText) {
  SessionLog log(10, 1 << 20);
  auto s = log.open("127.0.0.1:5000", "127.0.0.1:2525", false);
  s->client_name = kHostile;
  s->rule_fired("<b>rule</b>");
  const auto list = sessions_page(log, "/sessions").body;
  expect_inert(list);
  EXPECT_NE(list.find("&lt;b&gt;rule&lt;/b&gt;"), std::string::npos);
  // The filter form echoes what was asked for, escaped as the rest.
  const auto filtered = sessions_page(log, "/sessions?peer=%3Cscript%3E%22").body;
  EXPECT_EQ(filtered.find("<script>\""), std::string::npos);
  EXPECT_NE(filtered.find("value=\"&lt;script&gt;&quot;\""), std::string::npos);
}

TEST(HostilePages, MessageHeadersAndSourceAreText) {
  StoredMessage m;
  m.id = 7;
  m.session_id = 3;
  m.envelope.reverse_path.mailbox = {"a", "b.example"};
  m.client_name = kHostile;
  auto content = std::make_shared<const std::string>("Subject: " + kHostile + "\r\n\r\nbody " +
                                                     kHostile + "\r\n");
  MessageBytes bytes{"Received: from x\r\n", content};
  const auto reply = message_page(m, bytes);
  expect_inert(reply.body);
  EXPECT_NE(reply.body.find("href=\"/messages/7.eml\""), std::string::npos);
  EXPECT_NE(reply.body.find("href=\"/sessions/3\""), std::string::npos);
  const auto download = message_download(m, bytes);
  EXPECT_EQ(download.content_type, "message/rfc822");
  ASSERT_EQ(download.headers.size(), 1U);
  EXPECT_EQ(download.headers[0].second, "attachment; filename=\"message-7.eml\"");
}

TEST(HostilePages, RulesEditorShowsTheRefusedTextAsText) {
  Behaviour behaviour;
  const auto reply = rules_page(behaviour, 1, RulesEdit{kHostile, "rules:1: " + kHostile});
  EXPECT_EQ(reply.status, 400);
  expect_inert(reply.body);
  EXPECT_NE(reply.body.find("id=\"rules-error\""), std::string::npos);
}

}  // namespace
}  // namespace smtp::fake::ui::hostile_pages_test
