#include "fake-server/ui/ui_routes.hpp"

#include "fake-server/api_json.hpp"
#include "fake-server/http_form.hpp"
#include "fake-server/profile_rules.hpp"
#include "fake-server/ui/html_page.hpp"
#include "fake-server/ui/pages.hpp"
#include "script/lua_state.hpp"

namespace smtp::fake::ui {
namespace {

constexpr std::string_view kForm = "application/x-www-form-urlencoded";

UiReply not_found(std::string_view what) {
  return page_reply("Not found", "<p>" + text(what) + "</p>\n", 404);
}

UiReply wrong_method(std::string_view allowed) {
  UiReply reply = page_reply("Method not allowed", "<p>Use " + text(allowed) + ".</p>\n", 405);
  reply.headers.emplace_back("Allow", std::string(allowed));
  return reply;
}

bool is_form(std::string_view content_type) {
  return content_type.substr(0, content_type.find(';')) == kForm;
}

UiReply session(FakeServer& server, std::string_view id_text) {
  const auto id = to_number(id_text);
  const auto record = id ? server.sessions().find(*id) : nullptr;
  if (!record) return not_found("No session " + std::string(id_text) + " is kept.");
  std::vector<const StoredMessage*> messages;
  for (const auto* m : server.store().list()) {
    if (m->session_id == *id) messages.push_back(m);
  }
  return session_page(*record, server.options().seed, messages);
}

UiReply message(FakeServer& server, std::string_view rest) {
  const bool download = rest.ends_with(".eml");
  if (download) rest.remove_suffix(4);
  const auto id = to_number(rest);
  const auto* m = id ? server.store().find(*id) : nullptr;
  if (m == nullptr) return not_found("No message " + std::string(rest) + " is held.");
  auto bytes = server.store().bytes(*id);
  if (!download) return message_page(*m, bytes);
  if (!bytes)
    return not_found("The store does not keep the content of message " + std::string(rest) + ".");
  return message_download(*m, std::move(*bytes));
}

UiReply replace_rules(FakeServer& server, const UiRequest& request) {
  if (!is_form(request.content_type)) {
    return page_reply("Unsupported form", "<p>Send the rules as an HTML form does.</p>\n", 415);
  }
  // HTML sends a textarea's line breaks as CRLF; the text is kept as typed.
  std::string code;
  for (const char c : form_value(request.body, "rules").value_or("")) {
    if (c == '\n' && !code.empty() && code.back() == '\r') code.pop_back();
    code += c;
  }
  try {
    server.behaviour().replace(load_rules_text(code));
  } catch (const script::ScriptError& e) {
    // The rules in force stay as they were; the first line is "rules:LINE: reason".
    const std::string what = e.what();
    return rules_page(server.behaviour(), server.options().seed,
                      RulesEdit{code, what.substr(0, what.find('\n'))});
  }
  return see_other("/rules");
}

UiReply log_in(const AccessPolicy& policy, const UiRequest& request) {
  if (policy.token.empty()) return see_other("/");
  if (request.method == "GET") return login_page(200, {});
  if (request.method != "POST") return wrong_method("GET or POST");
  const auto token =
      is_form(request.content_type) ? form_value(request.body, "token") : std::nullopt;
  if (!token || !token_matches(policy, *token)) return login_page(401, "That is not the token.");
  UiReply reply = see_other("/");
  // The token is b64token characters (main.cpp checks), all valid in a cookie.
  reply.headers.emplace_back("Set-Cookie", std::string(token_cookie) + "=" + *token +
                                               "; Path=/; HttpOnly; SameSite=Strict");
  return reply;
}

std::vector<std::pair<std::string, std::string>> stats_rows(FakeServer& server) {
  std::vector<std::pair<std::string, std::string>> rows;
  const auto stats = stats_json(server.stats(), server.store().count());
  for (const auto& [name, value] : stats.items()) {
    if (value.is_object()) {
      for (const auto& [key, n] : value.items()) rows.emplace_back(name + " " + key, n.dump());
    } else {
      rows.emplace_back(name, value.is_string() ? value.get<std::string>() : value.dump());
    }
  }
  return rows;
}

}  // namespace

UiReply route(FakeServer& server, const AccessPolicy& policy, const UiRequest& request) {
  const auto path = request.target.substr(0, request.target.find('?'));
  const bool get = request.method == "GET";
  if (path == login_path) return log_in(policy, request);
  if (path == "/rules") {
    if (request.method == "POST") return replace_rules(server, request);
    if (!get) return wrong_method("GET or POST");
    return rules_page(server.behaviour(), server.options().seed);
  }
  if (!get) return wrong_method("GET");
  if (path == "/" || path == "/sessions") return sessions_page(server.sessions(), request.target);
  constexpr std::string_view sessions_prefix = "/sessions/";
  if (path.starts_with(sessions_prefix)) {
    return session(server, path.substr(sessions_prefix.size()));
  }
  if (path == "/messages") return messages_page(server.store(), request.target);
  constexpr std::string_view messages_prefix = "/messages/";
  if (path.starts_with(messages_prefix)) {
    return message(server, path.substr(messages_prefix.size()));
  }
  if (path == "/stats") return stats_page(stats_rows(server));
  return not_found("There is no page " + std::string(path) + "; the JSON API is under /api/.");
}

UiReply refusal_page(int status, std::string_view why) {
  if (status == 401) return login_page(401, why);
  return page_reply(status == 400 ? "Bad request" : "Forbidden", "<p>" + text(why) + "</p>\n",
                    status);
}

}  // namespace smtp::fake::ui
