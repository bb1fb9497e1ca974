#include "fake-server/metrics_text.hpp"

#include "common/prometheus_text.hpp"
#include "proto/escape.hpp"
#include "proto/utf8.hpp"

namespace smtp::fake {
namespace {

using common::PrometheusText;

void counter(PrometheusText& out, const char* name, const char* help, std::uint64_t value) {
  out.family(name, "counter", help);
  out.sample(name, value);
}

void gauge(PrometheusText& out, const char* name, const char* help, std::uint64_t value) {
  out.family(name, "gauge", help);
  out.sample(name, value);
}

}  // namespace

std::string metrics_text(FakeServer& server) {
  const auto& st = server.stats();
  PrometheusText out;
  counter(out, "fake_smtpd_connections_total", "TCP connections accepted.", st.connections);
  counter(out, "fake_smtpd_sessions_total",
          "Connections admitted as SMTP sessions (not turned away over --max-sessions).",
          st.sessions);
  counter(out, "fake_smtpd_messages_accepted_total", "Messages answered 250 at the end of data.",
          st.messages_accepted);
  counter(out, "fake_smtpd_messages_refused_total",
          "Messages refused with a 4xx or 5xx at the end of DATA or BDAT.", st.messages_refused);
  counter(out, "fake_smtpd_received_bytes_total", "Octets read from SMTP clients.", st.bytes_in);
  counter(out, "fake_smtpd_sent_bytes_total", "Octets written to SMTP clients.", st.bytes_out);

  out.family("fake_smtpd_replies_total", "counter",
             "Replies by what they answered (a verb, connect, end_of_data or other) and code.");
  for (const auto& [key, n] : st.replies_by_command)
    out.sample("fake_smtpd_replies_total",
               {{"command", std::string(key.first)}, {"code", std::to_string(key.second)}}, n);

  out.family("fake_smtpd_rules_fired_total", "counter",
             "Rules fired, by rule name (the first 1000 names; the rest as other).");
  // Prometheus refuses a whole scrape over one label value that is not
  // UTF-8; a rule's name comes from whoever wrote the profile or PUT the
  // rules, so one that is not is shown escaped (\xNN), as the API shows it.
  for (const auto& [name, n] : st.rules_fired_by_name)
    out.sample("fake_smtpd_rules_fired_total",
               {{"rule", proto::is_utf8(name) ? name : proto::escape_bytes(name, name.size())}}, n);

  counter(out, "fake_smtpd_greylist_deferrals_total", "RCPTs deferred by greylisting.",
          st.greylist_deferred);
  counter(out, "fake_smtpd_tls_handshakes_total", "TLS handshakes completed.", st.tls_handshakes);
  counter(out, "fake_smtpd_tls_failures_total", "TLS handshakes failed or refused by a rule.",
          st.tls_failures);
  counter(out, "fake_smtpd_hook_errors_total", "Lua hooks that failed (answered 451 4.3.0).",
          st.hook_errors);
  counter(out, "fake_smtpd_idle_timeouts_total", "Sessions closed by the idle timeout.",
          st.idle_timeouts);

  gauge(out, "fake_smtpd_active_sessions", "Sessions open now.", st.active_sessions);
  gauge(out, "fake_smtpd_stored_messages", "Messages held in the store now.",
        server.store().count());
  gauge(out, "fake_smtpd_stored_bytes", "Octets held in the store now.", server.store().octets());

  out.family("fake_smtpd_session_duration_seconds", "histogram",
             "Duration of ended sessions, from accept to close.");
  const auto cumulative = st.session_seconds.cumulative();
  out.histogram("fake_smtpd_session_duration_seconds", {}, st.session_seconds.bounds(), cumulative,
                st.session_seconds.count(), st.session_seconds.sum());
  return out.text();
}

}  // namespace smtp::fake
