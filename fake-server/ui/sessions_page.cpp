#include <algorithm>

#include "common/rfc3339.hpp"
#include "fake-server/http_form.hpp"
#include "fake-server/ui/html_page.hpp"
#include "fake-server/ui/pages.hpp"
#include "fake-server/ui/pagination.hpp"
#include "fake-server/ui/session_end.hpp"

namespace smtp::fake::ui {
namespace {

struct Filter {
  std::string peer;   // a substring of "IP:port"
  std::string rule;   // a rule that fired
  std::string ended;  // a SessionEnd key
  bool live = false;  // ?live=1: the page reloads itself (a <meta> refresh, no script)

  bool keeps(const SessionRecord& s) const {
    if (!peer.empty() && s.peer.find(peer) == std::string::npos) return false;
    if (!rule.empty() &&
        std::find(s.rules_fired.begin(), s.rules_fired.end(), rule) == s.rules_fired.end()) {
      return false;
    }
    return ended.empty() || session_end(s).key == ended;
  }
  // The list's URL with these filters, for the page links, HTML-escaped.
  std::string link() const {
    std::string out = "/sessions?";
    if (!peer.empty()) out += "peer=" + form_encode(peer) + "&amp;";
    if (!rule.empty()) out += "rule=" + form_encode(rule) + "&amp;";
    if (!ended.empty()) out += "ended=" + form_encode(ended) + "&amp;";
    if (live) out += "live=1&amp;";
    return out;
  }
};

std::string filter_form(const Filter& f) {
  std::string form = "<form class=\"filters\" method=\"get\" action=\"/sessions\">";
  form += "<label>peer <input name=\"peer\" value=\"" + text(f.peer) + "\"></label>";
  form += "<label>rule fired <input name=\"rule\" value=\"" + text(f.rule) + "\"></label>";
  form += "<label>ended <select name=\"ended\"><option value=\"\">any</option>";
  for (const auto& end : session_ends()) {
    form += "<option value=\"" + text(end.key) + "\"" + (end.key == f.ended ? " selected" : "") +
            ">" + text(end.label) + "</option>";
  }
  form += "</select></label><label>live <input type=\"checkbox\" name=\"live\" value=\"1\"";
  return form + (f.live ? " checked" : "") + "></label><button>Filter</button></form>\n";
}

std::string tls_cell(const SessionRecord& s) {
  if (s.tls_version.empty()) return "<span class=\"muted\">no</span>";
  return text(s.tls_version) + (s.implicit_tls ? " (implicit)" : " (STARTTLS)");
}

std::string session_row(const SessionRecord& s) {
  const std::string id = std::to_string(s.id);
  std::string rules;
  for (const auto& name : s.rules_fired)
    rules += "<span class=\"badge rule\">" + text(name) + "</span> ";
  return "<tr><td class=\"num\"><a href=\"/sessions/" + id + "\">" + id + "</a></td><td>" +
         text(common::rfc3339_utc_millis(s.started)) + "</td><td class=\"mono\">" + text(s.peer) +
         "</td><td class=\"mono\">" + peer_text(s.client_name) + "</td><td>" + tls_cell(s) +
         "</td><td class=\"num\">" + std::to_string(s.messages) + "</td><td>" +
         text(session_end(s).label) + "</td><td>" + rules + "</td></tr>\n";
}

}  // namespace

UiReply sessions_page(const SessionLog& log, std::string_view target) {
  const Filter filter{
      query_param(target, "peer").value_or(""), query_param(target, "rule").value_or(""),
      query_param(target, "ended").value_or(""), query_param(target, "live") == "1"};
  std::vector<const SessionRecord*> kept;
  const auto& all = log.sessions();
  for (auto it = all.rbegin(); it != all.rend(); ++it) {  // newest first
    if (filter.keeps(**it)) kept.push_back(it->get());
  }
  const auto rows = slice(kept.size(), query_param(target, "page").value_or("1"));
  std::string body = filter_form(filter);
  body += "<p class=\"muted\">" + std::to_string(kept.size()) + " of " +
          std::to_string(all.size()) + " sessions kept (--sessions-kept).</p>\n";
  body += page_links(rows, filter.link());
  body +=
      "<table class=\"sessions\"><thead><tr><th>#</th><th>started</th><th>peer</th>"
      "<th>EHLO/HELO</th><th>TLS</th><th>messages</th><th>ended</th><th>rules fired</th>"
      "</tr></thead><tbody>\n";
  for (std::size_t i = rows.first; i < rows.end; ++i) body += session_row(*kept[i]);
  body += "</tbody></table>\n" + page_links(rows, filter.link());
  return page_reply("Sessions", body, 200, filter.live ? 5 : 0);
}

}  // namespace smtp::fake::ui
