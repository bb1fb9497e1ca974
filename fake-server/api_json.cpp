#include "fake-server/api_json.hpp"

#include "common/rfc3339.hpp"
#include "proto/base64.hpp"
#include "proto/escape.hpp"
#include "proto/utf8.hpp"

namespace smtp::fake {

using nlohmann::json;

namespace {

using common::rfc3339_utc_millis;

// Addresses may be UTF-8 (SMTPUTF8) but must be valid JSON strings: escape
// anything that is not printable ASCII when the address is not valid UTF-8.
json text(std::string_view s) {
  if (proto::is_utf8(s)) return std::string(s);
  return proto::escape_bytes(s, s.size());
}

json params_json(const std::vector<proto::EsmtpParam>& params) {
  json out = json::object();
  for (const auto& p : params) out[p.keyword] = p.value ? text(*p.value) : json(true);
  return out;
}

}  // namespace

json message_json(const StoredMessage& m) {
  json rcpts = json::array();
  for (const auto& r : m.envelope.recipients) {
    rcpts.push_back(
        {{"address", text(r.path.mailbox.to_string())}, {"params", params_json(r.params)}});
  }
  return {
      {"id", m.id},
      {"session_id", m.session_id},
      {"received_at", rfc3339_utc_millis(m.received_at)},
      {"from", text(m.envelope.reverse_path.address())},
      {"to",
       [&] {
         json to = json::array();
         for (const auto& r : m.envelope.recipients) to.push_back(text(r.path.mailbox.to_string()));
         return to;
       }()},
      {"recipients", rcpts},
      {"mail_params", params_json(m.envelope.mail_params)},
      {"smtputf8", m.envelope.smtputf8},
      {"size", m.size},
      {"helo", text(m.client_name)},
      {"tls", m.tls},
      {"auth_user", text(m.auth_user)},
      {"chunking", m.via_bdat},
  };
}

json session_summary_json(const SessionRecord& s) {
  return {
      {"id", s.id},
      {"peer", s.peer},
      {"local", s.local},
      {"implicit_tls", s.implicit_tls},
      {"started", rfc3339_utc_millis(s.started)},
      {"ended", s.ended ? json(rfc3339_utc_millis(*s.ended)) : json(nullptr)},
      {"helo", text(s.client_name)},
      {"auth_user", text(s.auth_user)},
      {"tls_version", s.tls_version},
      {"tls_cipher", s.tls_cipher},
      {"messages", s.messages},
      {"bytes_in", s.bytes_in},
      {"bytes_out", s.bytes_out},
  };
}

json session_json(const SessionRecord& s) {
  json out = session_summary_json(s);
  json entries = json::array();
  for (const auto& e : s.entries) {
    entries.push_back({{"at", rfc3339_utc_millis(e.at)},
                       {"direction", to_string(e.direction)},
                       {"tls", e.tls},
                       {"text", proto::escape_bytes(e.bytes, e.bytes.size())},
                       {"base64", proto::base64_encode(e.bytes)}});
  }
  out["transcript"] = std::move(entries);
  out["omitted_bytes"] = s.omitted_bytes;
  return out;
}

json stats_json(const ServerStats& st, std::uint64_t messages_held) {
  json replies = json::object();
  for (const auto& [code, n] : st.replies) replies[std::to_string(code)] = n;
  const auto uptime =
      std::chrono::duration<double>(std::chrono::system_clock::now() - st.started).count();
  return {
      {"started", rfc3339_utc_millis(st.started)},
      {"uptime_seconds", uptime},
      {"connections", st.connections},
      {"sessions", st.sessions},
      {"active_sessions", st.active_sessions},
      {"peak_sessions", st.peak_sessions},
      {"tls_handshakes", st.tls_handshakes},
      {"tls_failures", st.tls_failures},
      {"messages_accepted", st.messages_accepted},
      {"messages_refused", st.messages_refused},
      {"messages_held", messages_held},
      {"bytes_in", st.bytes_in},
      {"bytes_out", st.bytes_out},
      {"idle_timeouts", st.idle_timeouts},
      {"seed", st.seed},
      {"rules_fired", st.rules_fired},
      {"greylist_deferred", st.greylist_deferred},
      {"hook_errors", st.hook_errors},
      {"replies", replies},
  };
}

json rules_json(const Behaviour& behaviour, std::uint64_t seed) {
  json list = json::array();
  for (const auto& status : behaviour.rules.status()) {
    const auto& rule = *status.rule;
    list.push_back({
        {"index", status.index + 1},
        {"name", rule.name},
        {"source", rule.source},
        {"on", rule.on},
        {"action", rule.action.describe()},
        {"seen", status.seen},
        {"fired", status.fired},
        {"remaining", status.remaining ? json(*status.remaining) : json(nullptr)},
        {"keys", status.keys},
    });
  }
  json greylist = nullptr;
  if (behaviour.greylist) {
    const auto& settings = behaviour.greylist->settings();
    const auto counts = behaviour.greylist->counts();
    greylist = {{"delay_ms", settings.delay.count()},
                {"expire_ms", settings.expire.count()},
                {"source", settings.source},
                {"entries", counts.entries},
                {"passed", counts.passed},
                {"deferred_total", counts.deferred_total},
                {"passed_total", counts.passed_total}};
  }
  json hooks = json::array();
  if (behaviour.hooks) {
    for (const auto& name : behaviour.hooks->names()) hooks.push_back(name);
  }
  return {{"seed", seed}, {"rules", list}, {"greylist", greylist}, {"hooks", hooks}};
}

}  // namespace smtp::fake
