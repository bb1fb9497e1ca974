// The tables of a load run's delivery section (a run with --sink): what came
// out of the relay, per pair of message and recipient, and how the relay
// behaved as the sink saw it.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "load/format.hpp"
#include "reports/html/chart_scale.hpp"
#include "reports/html/delivery_parts.hpp"
#include "reports/html/html_blocks.hpp"
#include "reports/html/html_text.hpp"

namespace smtp::reports::html {
namespace {

// "12.5%" of `of`; "" when there is nothing to divide by.
std::string share_text(std::uint64_t count, std::uint64_t of) {
  if (of == 0) return "";
  return load::format_number(100 * static_cast<double>(count) / static_cast<double>(of), 4) + "%";
}

Cell duration_cell(const nlohmann::json& summary, std::string_view key) {
  return Cell::number_text(format_value(json_number(summary, key), Unit::nanoseconds));
}

struct CountText {
  std::string_view key;
  std::string_view label;
};
// After "accepted" and "delivered": what went wrong, then what changed.
constexpr std::array<CountText, 7> kTroubleCounts = {{
    {"lost", "lost: neither delivered nor bounced by the end of the drain"},
    {"bounced", "bounced: a delivery status notification came back"},
    {"duplicated", "duplicated: arrived again"},
    {"corrupted", "corrupted: the body differs from what was sent"},
    {"header_changed", "header changed beyond added trace fields"},
    {"unexpected", "unexpected: matches no submission"},
    {"retried", "retried: delivered after more than one attempt"},
}};

std::string sink_facts(const nlohmann::json& delivery) {
  const nlohmann::json& drain = delivery.at("drain");
  std::string drained = load::format_number(json_number(drain, "seconds")) + " s of at most " +
                        load::format_number(json_number(drain, "limit_seconds")) + " s";
  if (drain.at("interrupted").get<bool>())
    drained += ", interrupted (SIGINT): what arrived is judged";
  const std::string profile = json_text(delivery, "profile");
  return facts({
      fact("sink", json_text(delivery, "sink")),
      fact("sink profile", profile.empty() ? "none (RFC-correct)" : profile),
      fact("drain", drained),
  });
}

std::string counts_table(const nlohmann::json& delivery) {
  const nlohmann::json& counts = delivery.at("counts");
  const std::uint64_t accepted = json_count(counts, "accepted");
  HtmlTable table("delivery");
  table.header({Cell::text("pairs of message and recipient"), Cell::markup("pairs", "num"),
                Cell::markup("of accepted", "num")});
  table.row({Cell::text("accepted by the relay (" +
                        std::to_string(json_count(counts, "accepted_messages")) + " messages)"),
             Cell::number(accepted), Cell::number_text(accepted > 0 ? "100%" : "")});
  const auto row = [&](std::string_view key, std::string_view label) {
    const std::uint64_t n = json_count(counts, key);
    table.row({Cell::text(label), Cell::number(n), Cell::number_text(share_text(n, accepted))},
              n == 0 ? " class=\"zero\"" : "");
  };
  row("delivered", "delivered at the sink");
  for (const CountText& count : kTroubleCounts) row(count.key, count.label);
  return table.html();
}

// "1: 30, 2: 12, 3: 570" for a map of counts.
std::string map_text(const nlohmann::json& counts, std::string_view unit) {
  std::string text;
  for (const auto& [key, n] : counts.items()) {
    text += (text.empty() ? "" : ", ") + key + ": " + std::to_string(n.get<std::uint64_t>());
  }
  return text.empty() ? "none" : text + " " + std::string(unit);
}

std::string relay_facts(const nlohmann::json& relay) {
  const std::uint64_t connections = json_count(relay, "connections");
  const std::uint64_t messages = json_count(relay, "messages");
  const auto of_connections = [&](std::string_view key) {
    const std::uint64_t n = json_count(relay, key);
    const std::string share = share_text(n, connections);
    return std::to_string(n) + " of " + std::to_string(connections) + " connections" +
           (share.empty() ? "" : " (" + share + ")");
  };
  std::string per_connection = "none";
  if (connections > 0) {
    per_connection =
        "mean " +
        load::format_number(static_cast<double>(messages) / static_cast<double>(connections), 4) +
        ", max " + std::to_string(json_count(relay, "max_messages_per_connection"));
  }
  const std::uint64_t bdat = json_count(relay, "bdat_messages");
  const std::string bdat_share = share_text(bdat, messages);
  return facts({
      fact("connections", std::to_string(connections) + ", " +
                              std::to_string(json_count(relay, "transactions")) +
                              " transactions, " + std::to_string(messages) + " messages"),
      fact("messages per connection", per_connection),
      fact("PIPELINING", of_connections("pipelined_connections")),
      fact("STARTTLS", of_connections("starttls_connections")),
      fact("CHUNKING (BDAT)", std::to_string(bdat) + " of " + std::to_string(messages) +
                                  " messages" +
                                  (bdat_share.empty() ? "" : " (" + bdat_share + ")")),
      fact("EHLO names", map_text(relay.at("hello_names"), "connections")),
      fact("recipients per transaction",
           map_text(relay.at("recipients_per_transaction"), "transactions")),
  });
}

std::string retries_block(const nlohmann::json& delivery) {
  const nlohmann::json& counts = delivery.at("counts");
  const std::uint64_t retried = json_count(counts, "retried");
  const std::string share = share_text(retried, json_count(counts, "accepted"));
  const nlohmann::json& delay = delivery.at("retry_delay");
  std::string html =
      facts({fact("retried", std::to_string(retried) + " pairs" +
                                 (share.empty() ? "" : " (" + share + " of the accepted)"))});
  HtmlTable attempts("attempts");
  attempts.header({Cell::markup("attempts", "num"), Cell::markup("pairs", "num"),
                   Cell::markup("of delivered", "num")});
  const std::uint64_t delivered = json_count(counts, "delivered");
  for (const auto& [key, n] : delivery.at("attempts").items()) {
    const auto pairs = n.get<std::uint64_t>();
    attempts.row({Cell::number_text(key), Cell::number(pairs),
                  Cell::number_text(share_text(pairs, delivered))});
  }
  html += attempts.html();
  if (json_count(delay, "count") > 0) {
    HtmlTable delays("retry-delay");
    delays.header({Cell::text("delay between attempts"), Cell::markup("count", "num"),
                   Cell::markup("p50", "num"), Cell::markup("p99", "num"),
                   Cell::markup("max", "num")});
    delays.row({Cell::text("retry delay"), Cell::number(json_count(delay, "count")),
                duration_cell(delay, "p50_ns"), duration_cell(delay, "p99_ns"),
                duration_cell(delay, "max_ns")});
    html += delays.html();
  }
  return html;
}

std::string header_changes_table(const nlohmann::json& delivery) {
  const nlohmann::json& changes = delivery.at("header_changes");
  if (changes.empty()) return "<p>No header changes beyond added trace fields.</p>\n";
  HtmlTable table("header-changes");
  table.header({Cell::text("header change"), Cell::markup("arrivals", "num")});
  for (const auto& [kind, n] : changes.items()) {
    table.row({Cell::text(kind), Cell::number(n.get<std::uint64_t>())});
  }
  return table.html();
}

std::string samples_list(const nlohmann::json& delivery) {
  const nlohmann::json& samples = delivery.at("samples");
  if (samples.empty()) return "";
  std::string html = "<ul class=\"samples\">";
  for (const nlohmann::json& sample : samples) {
    html += "<li><code>" + html_text(sample.get<std::string>()) + "</code></li>";
  }
  return html + "</ul>\n";
}

}  // namespace

std::string delivery_block(const nlohmann::json& delivery) {
  std::string html = sink_facts(delivery) + counts_table(delivery);
  html += "<h4>The relay, as the sink saw it</h4>\n" + relay_facts(delivery.at("relay"));
  html += "<h4>Retries</h4>\n" + retries_block(delivery);
  html += "<h4>Header changes</h4>\n" + header_changes_table(delivery);
  if (!delivery.at("samples").empty()) html += "<h4>Samples</h4>\n" + samples_list(delivery);
  return html;
}

}  // namespace smtp::reports::html
