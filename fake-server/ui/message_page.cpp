#include "common/rfc3339.hpp"
#include "fake-server/ui/html_page.hpp"
#include "fake-server/ui/pages.hpp"

namespace smtp::fake::ui {
namespace {

// The source shown in the page is cut here; the download has it whole.
constexpr std::size_t kSourceShown = 256 * 1024;

std::string params(const std::vector<proto::EsmtpParam>& list) {
  std::string out;
  for (const auto& p : list) {
    out += " <span class=\"badge mono\">" + peer_text(p.keyword) +
           (p.value ? "=" + peer_text(*p.value) : std::string()) + "</span>";
  }
  return out;
}

std::string envelope(const StoredMessage& m) {
  const auto row = [](std::string_view name, const std::string& value_html) {
    return "<tr><th>" + text(name) + "</th><td>" + value_html + "</td></tr>\n";
  };
  const auto session = std::to_string(m.session_id);
  std::string out = "<table class=\"envelope\">\n";
  out +=
      row("MAIL FROM", "<span class=\"mono\">&lt;" + peer_text(m.envelope.reverse_path.address()) +
                           "&gt;</span>" + params(m.envelope.mail_params));
  for (const auto& r : m.envelope.recipients) {
    out += row("RCPT TO", "<span class=\"mono\">&lt;" + peer_text(r.path.mailbox.to_string()) +
                              "&gt;</span>" + params(r.params));
  }
  out += row("received", text(common::rfc3339_utc_millis(m.received_at)));
  out += row("session", "<a href=\"/sessions/" + session + "\">session " + session + "</a>");
  out += row("EHLO/HELO", "<span class=\"mono\">" + peer_text(m.client_name) + "</span>");
  out += row("TLS", m.tls ? "yes" : "no");
  out += row("AUTH user", peer_text(m.auth_user));
  out += row("octets", std::to_string(m.size) + (m.via_bdat ? " (BDAT)" : " (DATA)"));
  out += row("SMTPUTF8", m.envelope.smtputf8 ? "yes" : "no");
  return out + "</table>\n";
}

// The header section: the lines up to the first empty one (RFC 5322 §2.1).
std::string_view header_section(std::string_view message) {
  const auto end = message.find("\r\n\r\n");
  return end == std::string_view::npos ? message : message.substr(0, end + 2);
}

// Each line escaped (its CRLF shown as \r\n), then a real line break.
std::string source_lines(std::string_view bytes) {
  std::string out;
  while (!bytes.empty()) {
    const auto lf = bytes.find('\n');
    const auto line = bytes.substr(0, lf == std::string_view::npos ? bytes.size() : lf + 1);
    bytes.remove_prefix(line.size());
    out += peer_text(line) + "\n";
  }
  return out;
}

}  // namespace

UiReply message_page(const StoredMessage& m, const std::optional<MessageBytes>& bytes) {
  const auto id = std::to_string(m.id);
  std::string body = envelope(m);
  if (!bytes) {
    body += "<p class=\"muted\">The store does not keep the content (--store none).</p>\n";
    return page_reply("Message " + id, body);
  }
  body +=
      "<p><a href=\"/messages/" + id + ".eml\" download>Download message-" + id + ".eml</a></p>\n";
  // A bounded copy: the trace line and the start of the content.
  const std::string shown = bytes->trace + bytes->content->substr(0, kSourceShown);
  body += "<h2>Header fields</h2>\n<pre class=\"headers\">" + source_lines(header_section(shown)) +
          "</pre>\n";
  body += "<h2>Source</h2>\n<pre class=\"source\">" + source_lines(shown) + "</pre>\n";
  if (bytes->content->size() > kSourceShown) {
    body += "<p class=\"muted\">The first " + std::to_string(shown.size()) + " of " +
            std::to_string(bytes->size()) + " octets are shown; the download has them all.</p>\n";
  }
  return page_reply("Message " + id, body);
}

UiReply message_download(const StoredMessage& m, MessageBytes bytes) {
  UiReply reply;
  reply.content_type = "message/rfc822";
  reply.headers.emplace_back("Content-Disposition",
                             "attachment; filename=\"message-" + std::to_string(m.id) + ".eml\"");
  reply.message = std::move(bytes);
  return reply;
}

}  // namespace smtp::fake::ui
