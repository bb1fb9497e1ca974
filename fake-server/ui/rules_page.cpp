#include "fake-server/http_form.hpp"
#include "fake-server/ui/html_page.hpp"
#include "fake-server/ui/pages.hpp"

namespace smtp::fake::ui {
namespace {

std::string cell(const std::string& html, std::string_view css = "mono") {
  return "<td class=\"" + std::string(css) + "\">" + html + "</td>";
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

std::string rule_rows(const Behaviour& behaviour) {
  std::string rows;
  for (const auto& status : behaviour.rules.status()) {
    const auto& rule = *status.rule;
    const auto sessions = "/sessions?rule=" + form_encode(rule.name);
    rows += "<tr>" + cell(std::to_string(status.index + 1), "num") +
            cell("<a href=\"" + text(sessions) + "\">" + text(rule.name) + "</a>") +
            cell(text(joined(rule.on))) + cell(text(rule.source)) +
            cell(text(rule.action.describe())) + cell(std::to_string(status.seen), "num") +
            cell(std::to_string(status.fired), "num") +
            cell(status.remaining ? std::to_string(*status.remaining) : "&ndash;", "num") +
            cell(std::to_string(status.keys), "num") + "</tr>\n";
  }
  return rows;
}

std::string greylist(const Behaviour& behaviour) {
  if (!behaviour.greylist) return "<p class=\"muted\">No greylisting.</p>\n";
  const auto& settings = behaviour.greylist->settings();
  const auto counts = behaviour.greylist->counts();
  return "<p>Greylisting (" + text(settings.source) + "): delay " +
         std::to_string(settings.delay.count()) + " ms, expiry " +
         std::to_string(settings.expire.count()) + " ms; " + std::to_string(counts.entries) +
         " triplets waiting, " + std::to_string(counts.passed) + " passed; " +
         std::to_string(counts.deferred_total) + " deferrals and " +
         std::to_string(counts.passed_total) + " passes in all.</p>\n";
}

std::string editor(const std::optional<RulesEdit>& refused) {
  std::string out = "<h2>Replace the rules</h2>\n";
  if (refused) {
    out += "<p class=\"error\" id=\"rules-error\">Refused, the rules above stay in force: <code>" +
           text(refused->error) + "</code></p>\n";
  }
  out +=
      "<p class=\"muted\">Lua text with <code>rule { }</code> and <code>greylist { }</code> "
      "calls (SCRIPTING.md). It replaces every rule and the greylist; their counters start "
      "again from zero. Hooks stay as the profile made them. The JSON API takes the same text "
      "with <code>PUT /api/rules</code>.</p>\n";
  out += "<form method=\"post\" action=\"/rules\"><textarea name=\"rules\" spellcheck=\"false\" ";
  out += "placeholder=\"rule { on = &quot;MAIL&quot;, select = { first = 1 }, reply = ";
  out += "&quot;451 4.3.0 Try again later&quot; }\">";
  if (refused) out += text(refused->text);
  return out + "</textarea><p><button>Replace the rules</button></p></form>\n";
}

}  // namespace

UiReply rules_page(const Behaviour& behaviour, std::uint64_t seed,
                   const std::optional<RulesEdit>& refused) {
  std::string body =
      "<p>Master seed <span class=\"mono\">" + std::to_string(seed) + "</span>.</p>\n";
  if (behaviour.rules.empty()) {
    body +=
        "<p class=\"muted\" id=\"no-rules\">No rules: the server answers as the RFCs say.</p>\n";
  } else {
    body +=
        "<table class=\"rules\"><thead><tr><th>#</th><th>name</th><th>on</th><th>defined at</th>"
        "<th>action</th><th>seen</th><th>fired</th><th>remaining</th><th>keys</th></tr></thead>"
        "<tbody>\n" +
        rule_rows(behaviour) + "</tbody></table>\n";
  }
  body += greylist(behaviour);
  std::string hooks;
  if (behaviour.hooks) {
    for (const auto& name : behaviour.hooks->names()) hooks += " <code>" + text(name) + "</code>";
  }
  body += "<p>Hooks:" + (hooks.empty() ? std::string(" none") : hooks) + ".</p>\n";
  body += editor(refused);
  return page_reply("Rules", body, refused ? 400 : 200);
}

}  // namespace smtp::fake::ui
