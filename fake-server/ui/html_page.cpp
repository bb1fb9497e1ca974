#include "fake-server/ui/html_page.hpp"

#include "proto/escape.hpp"
#include "reports/html/html_text.hpp"

namespace smtp::fake::ui {
namespace {

// Directions as the API names them (transcript.hpp): the client's lines in
// blue, the server's in green, the server's decisions (rules, hooks,
// greylisting) highlighted where they happened.
constexpr std::string_view kStyle = R"css(
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d2430; background: #fafbfc; }
header.top { background: #1d2430; color: #fff; padding: .5em 1em; display: flex; gap: 1.5em;
  align-items: baseline; }
header.top a { color: #cfe3ff; text-decoration: none; }
header.top strong { font-size: 1.1em; }
main { padding: 1em; max-width: 90em; }
table { border-collapse: collapse; margin: .5em 0 1em; }
th, td { border-bottom: 1px solid #dde2e8; padding: .2em .6em; text-align: left;
  vertical-align: top; }
th { background: #eef1f5; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre, .mono { font-family: ui-monospace, monospace; font-size: 13px; }
pre { background: #fff; border: 1px solid #dde2e8; padding: .6em; overflow-x: auto;
  white-space: pre-wrap; overflow-wrap: anywhere; }
table.transcript td.text { white-space: pre-wrap; overflow-wrap: anywhere; }
table.transcript tr.client td.text { color: #0b4fa3; }
table.transcript tr.server td.text { color: #176a2b; }
table.transcript tr.event td { background: #f4f4f6; color: #555; font-style: italic; }
table.transcript tr.rule td, table.transcript tr.hook td { background: #fff1d6; color: #7a4a00;
  font-style: normal; font-weight: 600; }
table.transcript tr.greylist td { background: #e9e4ff; color: #42308c; font-style: normal; }
.dir { font-weight: 600; }
.muted { color: #667; }
.error { background: #ffe3e3; border: 1px solid #d33; padding: .5em; color: #8a1010; }
form.filters { display: flex; gap: 1em; flex-wrap: wrap; align-items: end; }
form.filters label { display: flex; flex-direction: column; font-size: .9em; }
textarea { width: 100%; max-width: 60em; height: 14em; font-family: ui-monospace, monospace; }
.badge { border-radius: 3px; padding: 0 .4em; background: #e4e8ee; font-size: .9em; }
.badge.rule { background: #ffd98a; }
nav.pages { margin: .5em 0; display: flex; gap: 1em; }
)css";

}  // namespace

std::string text(std::string_view s) {
  return reports::html::html_text(s);
}

std::string peer_text(std::string_view bytes) {
  return reports::html::html_text(proto::escape_bytes(bytes, bytes.size()));
}

std::string html_page(std::string_view title, std::string_view body, int refresh_seconds) {
  std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  page += "<meta http-equiv=\"Content-Security-Policy\" content=\"" +
          text(content_security_policy) + "\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  if (refresh_seconds > 0) {
    page += "<meta http-equiv=\"refresh\" content=\"" + std::to_string(refresh_seconds) + "\">\n";
  }
  page += "<title>" + text(title) + " · fake-smtpd</title>\n";
  page += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
  page +=
      "<header class=\"top\"><strong>fake-smtpd</strong>"
      "<a href=\"/sessions\">Sessions</a><a href=\"/messages\">Messages</a>"
      "<a href=\"/rules\">Rules</a><a href=\"/stats\">Stats</a>"
      "<a href=\"/api/stats\">JSON API</a></header>\n";
  page += "<main>\n<h1>" + text(title) + "</h1>\n";
  page += body;
  return page + "</main>\n</body>\n</html>\n";
}

UiReply page_reply(std::string_view title, std::string_view body, int status, int refresh_seconds) {
  UiReply reply;
  reply.status = status;
  reply.body = html_page(title, body, refresh_seconds);
  return reply;
}

}  // namespace smtp::fake::ui
