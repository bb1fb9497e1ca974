#include "common/rfc3339.hpp"
#include "fake-server/http_form.hpp"
#include "fake-server/ui/html_page.hpp"
#include "fake-server/ui/pages.hpp"
#include "fake-server/ui/pagination.hpp"

namespace smtp::fake::ui {
namespace {

std::string recipients(const StoredMessage& m) {
  std::string out;
  for (const auto& r : m.envelope.recipients) {
    if (!out.empty()) out += ", ";
    out += peer_text(r.path.mailbox.to_string());
  }
  return out;
}

std::string message_row(const StoredMessage& m) {
  const auto id = std::to_string(m.id);
  const auto session = std::to_string(m.session_id);
  return "<tr><td class=\"num\"><a href=\"/messages/" + id + "\">" + id + "</a></td><td>" +
         text(common::rfc3339_utc_millis(m.received_at)) + "</td><td class=\"num\"><a " +
         "href=\"/sessions/" + session + "\">" + session + "</a></td><td class=\"mono\">" +
         peer_text(m.envelope.reverse_path.address()) + "</td><td class=\"mono\">" + recipients(m) +
         "</td><td class=\"num\">" + std::to_string(m.size) + "</td><td>" + (m.tls ? "yes" : "no") +
         "</td></tr>\n";
}

}  // namespace

UiReply messages_page(const MessageStore& store, std::string_view target) {
  const auto list = store.list();
  const auto rows = slice(list.size(), query_param(target, "page").value_or("1"));
  std::string body = "<p class=\"muted\">" + std::to_string(list.size()) +
                     " messages held by the store (" + text(store.kind()) +
                     "; the oldest are dropped past --store-limit and --store-bytes).</p>\n";
  body += page_links(rows, "/messages?");
  body +=
      "<table class=\"messages\"><thead><tr><th>#</th><th>received</th><th>session</th>"
      "<th>from</th><th>to</th><th>octets</th><th>TLS</th></tr></thead><tbody>\n";
  // Newest first: row i of the page is the i-th from the end of the list.
  for (std::size_t i = rows.first; i < rows.end; ++i) {
    body += message_row(*list[list.size() - 1 - i]);
  }
  body += "</tbody></table>\n" + page_links(rows, "/messages?");
  return page_reply("Messages", body, 200);
}

}  // namespace smtp::fake::ui
