#include <array>

#include "common/rfc3339.hpp"
#include "fake-server/ui/html_page.hpp"
#include "fake-server/ui/pages.hpp"
#include "fake-server/ui/session_end.hpp"

namespace smtp::fake::ui {
namespace {

// Events of the server's decisions, by the text the session writes
// (session_behaviour.cpp): highlighted where they happened.
struct EventKind {
  std::string_view prefix;
  std::string_view css;
};
constexpr std::array<EventKind, 3> kDecisions = {{
    {"rule '", "rule"},
    {"hook ", "hook"},
    {"greylist: ", "greylist"},
}};

std::string_view row_class(const TranscriptEntry& e) {
  if (e.direction == Direction::client) return "client";
  if (e.direction == Direction::server) return "server";
  for (const auto& kind : kDecisions) {
    if (e.bytes.starts_with(kind.prefix)) return kind.css;
  }
  return "note";
}

std::string_view arrow(Direction d) {
  switch (d) {
    case Direction::client:
      return "C&rarr;";
    case Direction::server:
      return "&larr;S";
    case Direction::event:
      break;
  }
  return "&bull;";
}

// One row per line: an entry holds every byte one side sent in a row, so a
// pipelined group is several lines with one time.
std::string transcript_rows(const SessionRecord& s) {
  std::string rows;
  std::size_t number = 0;
  for (const auto& entry : s.entries) {
    const std::string time = common::rfc3339_utc_millis(entry.at).substr(11, 12);
    const std::string css = entry.direction == Direction::event
                                ? "event " + std::string(row_class(entry))
                                : std::string(row_class(entry));
    std::string_view rest = entry.bytes;
    for (std::size_t lines = 0; !rest.empty() || lines == 0; ++lines) {
      const auto lf = rest.find('\n');
      const auto line = rest.substr(0, lf == std::string_view::npos ? rest.size() : lf + 1);
      rest.remove_prefix(line.size());
      const std::string id = "l" + std::to_string(++number);
      rows += "<tr id=\"" + id + "\" class=\"" + css + "\"><td class=\"num\"><a href=\"#" + id +
              "\">" + std::to_string(number) + "</a></td><td class=\"mono\">" + time +
              "</td><td class=\"dir\">" + std::string(arrow(entry.direction)) + "</td><td>" +
              (entry.tls ? "TLS" : "") + "</td><td class=\"text mono\">" + peer_text(line) +
              "</td></tr>\n";
    }
  }
  return rows;
}

std::string facts(const SessionRecord& s, std::uint64_t seed) {
  const auto row = [](std::string_view name, const std::string& value_html) {
    return "<tr><th>" + text(name) + "</th><td>" + value_html + "</td></tr>\n";
  };
  std::string out = "<table class=\"facts\">\n";
  out += row("peer", "<span class=\"mono\">" + text(s.peer) + "</span>");
  out += row("listener", "<span class=\"mono\">" + text(s.local) + "</span>");
  out += row("started", text(common::rfc3339_utc_millis(s.started)));
  out += row("ended", s.ended ? text(common::rfc3339_utc_millis(*s.ended)) + ", " +
                                    text(session_end(s).label)
                              : text(session_end(s).label));
  out += row("EHLO/HELO", "<span class=\"mono\">" + peer_text(s.client_name) + "</span>");
  out += row("TLS", s.tls_version.empty() ? "no" : text(s.tls_version + " " + s.tls_cipher));
  out += row("AUTH user", peer_text(s.auth_user));
  out += row("bytes in / out", std::to_string(s.bytes_in) + " / " + std::to_string(s.bytes_out));
  // ARCHITECTURE.md §5: the session's random generator is seeded from the
  // master seed and the session number, so the same --seed replays it.
  out += row("seed", "<span class=\"mono\">" + std::to_string(seed) + "</span> (session " +
                         std::to_string(s.id) + "; replay with <code>fake-smtpd --seed " +
                         std::to_string(seed) + "</code>)");
  return out + "</table>\n";
}

std::string message_links(const std::vector<const StoredMessage*>& messages) {
  if (messages.empty()) return "<p class=\"muted\">No message of this session is held.</p>\n";
  std::string out = "<p>Messages: ";
  for (const auto* m : messages) {
    const auto id = std::to_string(m->id);
    out += "<a href=\"/messages/" + id + "\">#" + id + "</a> ";
  }
  return out + "</p>\n";
}

}  // namespace

UiReply session_page(const SessionRecord& s, std::uint64_t seed,
                     const std::vector<const StoredMessage*>& messages) {
  std::string body = facts(s, seed) + message_links(messages);
  body += "<h2>Transcript</h2>\n";
  body +=
      "<p class=\"muted\">C&rarr; the client, &larr;S the server, &bull; what the server did "
      "(rules, hooks, greylisting highlighted). Octets that are not printable ASCII are shown "
      "as \\xNN, line ends as \\r\\n.</p>\n";
  body +=
      "<table class=\"transcript\"><thead><tr><th>line</th><th>time (UTC)</th><th></th>"
      "<th></th><th>bytes</th></tr></thead><tbody>\n" +
      transcript_rows(s) + "</tbody></table>\n";
  if (s.omitted_bytes > 0) {
    body += "<p class=\"muted\">" + std::to_string(s.omitted_bytes) +
            " more octets were counted but not kept (the transcript's cap).</p>\n";
  }
  return page_reply("Session " + std::to_string(s.id), body, 200, s.ended ? 0 : 5);
}

}  // namespace smtp::fake::ui
