#include "fake-server/ui/html_page.hpp"
#include "fake-server/ui/pages.hpp"
#include "fake-server/ui/request_guard.hpp"

namespace smtp::fake::ui {

UiReply login_page(int status, std::string_view why) {
  std::string body;
  if (!why.empty()) body += "<p class=\"error\">" + text(why) + "</p>\n";
  // POSTed, never in the URL: a token in a URL ends up in histories and logs.
  body += "<form method=\"post\" action=\"" + std::string(login_path) +
          "\"><p><label>API token <input type=\"password\" name=\"token\" "
          "autocomplete=\"current-password\"></label> <button>Log in</button></p></form>\n"
          "<p class=\"muted\">This server was started with <code>--api-token</code>. Scripts "
          "send <code>Authorization: Bearer TOKEN</code>; the browser keeps it in a cookie "
          "that script cannot read (HttpOnly, SameSite=Strict).</p>\n";
  UiReply reply = page_reply("Log in", body, status);
  if (status == 401) reply.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"fake-smtpd\"");
  return reply;
}

}  // namespace smtp::fake::ui
