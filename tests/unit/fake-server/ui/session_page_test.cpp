#include <gtest/gtest.h>

#include "fake-server/ui/pages.hpp"

namespace smtp::fake::ui::session_page_test {
namespace {

std::size_t count(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(SessionPage, EachDecisionInItsOwnRowInOrderAndALineARow) {
  SessionRecord s;
  s.id = 4;
  const std::size_t cap = 1 << 20;
  s.record(Direction::server, false, "220 ready\r\n", cap);
  // A pipelined group: one entry, two lines, two rows.
  s.record(Direction::client, false, "MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\n", cap);
  s.record(Direction::event, false, "hook on_mail: reply 451 4.3.0 later", cap);
  s.record(Direction::event, false, "greylist: deferred <a@b.test> <c@d.test>, retry in 1s", cap);
  s.record(Direction::event, false, "TLS established: TLSv1.3", cap);
  s.record(Direction::server, true, "451 4.3.0 later\r\n", cap);
  const auto html = session_page(s, 7, {}).body;
  EXPECT_EQ(count(html, "<tr id=\"l"), 7U);  // 1 + 2 + 3 events + 1
  const auto mail = html.find("MAIL FROM:");
  const auto rcpt = html.find("RCPT TO:");
  const auto hook = html.find("class=\"event hook\"");
  const auto greylist = html.find("class=\"event greylist\"");
  const auto note = html.find("class=\"event note\"");
  const auto reply = html.find("451 4.3.0 later\\r\\n");
  EXPECT_LT(mail, rcpt);
  EXPECT_LT(rcpt, hook);
  EXPECT_LT(hook, greylist);
  EXPECT_LT(greylist, note);
  EXPECT_LT(note, reply);
  EXPECT_NE(html.find("<td>TLS</td><td class=\"text mono\">451"), std::string::npos);
  // Still open: the page reloads itself.
  EXPECT_NE(html.find("http-equiv=\"refresh\""), std::string::npos);
}

}  // namespace
}  // namespace smtp::fake::ui::session_page_test
