#include "fake-server/ui/html_page.hpp"
#include "fake-server/ui/pages.hpp"

namespace smtp::fake::ui {

UiReply stats_page(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::string body = "<table class=\"stats\"><tbody>\n";
  for (const auto& [name, value] : rows) {
    body += "<tr><th>" + text(name) + "</th><td class=\"mono\">" + text(value) + "</td></tr>\n";
  }
  body +=
      "</tbody></table>\n<p class=\"muted\">The same counters as <a "
      "href=\"/api/stats\">GET /api/stats</a>; this page reloads every 5 seconds.</p>\n";
  return page_reply("Statistics", body, 200, 5);
}

}  // namespace smtp::fake::ui
