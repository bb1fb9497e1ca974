// The Markdown summary's delivery block (a run with --sink): the counts with
// their shares of the accepted pairs, the delivery latency, the relay's
// behaviour, retries, header changes and samples.
#include "reports/markdown_delivery.hpp"

#include <string_view>

#include "load/format.hpp"
#include "reports/markdown_text.hpp"

namespace smtp::reports {
namespace {

std::uint64_t count(const nlohmann::json& object, std::string_view key) {
  return object.at(std::string(key)).get<std::uint64_t>();
}

std::string duration(const nlohmann::json& summary, std::string_view key) {
  const auto nanoseconds = summary.at(std::string(key)).get<double>();
  return nanoseconds <= 0 ? "0" : load::format_duration(nanoseconds);
}

// "12.5%" of `of`; "" when there is nothing to divide by.
std::string share(std::uint64_t n, std::uint64_t of) {
  if (of == 0) return "";
  return load::format_number(100 * static_cast<double>(n) / static_cast<double>(of), 4) + "%";
}

std::string with_share(std::uint64_t n, std::uint64_t of) {
  const std::string percent = share(n, of);
  return std::to_string(n) + (percent.empty() ? "" : " (" + percent + ")");
}

// "a 10, b 2" for a map of counts, every key escaped.
std::string map_text(const nlohmann::json& counts) {
  std::string text;
  for (const auto& [key, n] : counts.items()) {
    text += (text.empty() ? "" : ", ") + markdown_text(key) + " " +
            std::to_string(n.get<std::uint64_t>());
  }
  return text.empty() ? "none" : text;
}

std::string counts_table(const nlohmann::json& delivery) {
  const nlohmann::json& counts = delivery.at("counts");
  const std::uint64_t accepted = count(counts, "accepted");
  std::string head = "| accepted pairs |";
  std::string rule = "|---:|";
  std::string row = "| " + std::to_string(accepted) + " (" +
                    std::to_string(count(counts, "accepted_messages")) + " messages) |";
  for (const auto& [key, label] :
       {std::pair{"delivered", "delivered"}, std::pair{"lost", "lost"},
        std::pair{"bounced", "bounced"}, std::pair{"duplicated", "duplicated"},
        std::pair{"corrupted", "corrupted"}, std::pair{"header_changed", "header changed"},
        std::pair{"unexpected", "unexpected"}, std::pair{"retried", "retried"}}) {
    head += std::string(" ") + label + " |";
    rule += "---:|";
    row += " " + with_share(count(counts, key), accepted) + " |";
  }
  return head + "\n" + rule + "\n" + row + "\n\n";
}

std::string latency_line(const nlohmann::json& delivery) {
  const nlohmann::json& latency = delivery.at("latency");
  if (count(latency, "count") == 0) return "**Delivery latency:** nothing arrived.\n\n";
  const nlohmann::json& from_start = delivery.at("latency_from_start");
  std::string line = "**Delivery latency** from acceptance: p50 " + duration(latency, "p50_ns") +
                     ", p90 " + duration(latency, "p90_ns") + ", p99 " +
                     duration(latency, "p99_ns") + ", max " + duration(latency, "max_ns");
  if (count(from_start, "count") > 0) {
    line += "; from the intended start: p50 " + duration(from_start, "p50_ns") + ", p99 " +
            duration(from_start, "p99_ns");
  }
  return line + ".\n\n";
}

std::string relay_line(const nlohmann::json& relay) {
  const std::uint64_t connections = count(relay, "connections");
  const std::uint64_t messages = count(relay, "messages");
  std::string line = "**Relay:** " + std::to_string(connections) + " connections, " +
                     std::to_string(count(relay, "transactions")) + " transactions, " +
                     std::to_string(messages) + " messages";
  if (connections > 0) {
    line +=
        ", " +
        load::format_number(static_cast<double>(messages) / static_cast<double>(connections), 4) +
        " messages per connection (max " +
        std::to_string(count(relay, "max_messages_per_connection")) + "); PIPELINING " +
        share(count(relay, "pipelined_connections"), connections) + ", STARTTLS " +
        share(count(relay, "starttls_connections"), connections) + " of connections";
  }
  if (messages > 0) {
    line += "; CHUNKING " + share(count(relay, "bdat_messages"), messages) + " of messages";
  }
  return line + "; EHLO names: " + map_text(relay.at("hello_names")) +
         "; recipients per transaction: " + map_text(relay.at("recipients_per_transaction")) +
         ".\n\n";
}

std::string retries_line(const nlohmann::json& delivery) {
  const nlohmann::json& counts = delivery.at("counts");
  const nlohmann::json& delay = delivery.at("retry_delay");
  std::string line =
      "**Retries:** " + with_share(count(counts, "retried"), count(counts, "accepted")) +
      " pairs retried; attempts per delivered pair: " + map_text(delivery.at("attempts"));
  if (count(delay, "count") > 0) {
    line += "; delay p50 " + duration(delay, "p50_ns") + ", p99 " + duration(delay, "p99_ns") +
            ", max " + duration(delay, "max_ns");
  }
  return line + ".\n\n";
}

}  // namespace

std::string delivery_markdown(const nlohmann::json& load) {
  if (!load.contains("delivery")) return {};
  const nlohmann::json& delivery = load.at("delivery");
  const nlohmann::json& drain = delivery.at("drain");
  std::string md = "**Delivery** at the sink " +
                   markdown_text(delivery.at("sink").get<std::string>()) + " (drained " +
                   load::format_number(drain.at("seconds").get<double>()) + " s of " +
                   load::format_number(drain.at("limit_seconds").get<double>()) + " s" +
                   (drain.at("interrupted").get<bool>() ? ", interrupted" : "") + "):\n\n";
  md += counts_table(delivery) + latency_line(delivery) + relay_line(delivery.at("relay")) +
        retries_line(delivery);
  md += "**Header changes:** " + map_text(delivery.at("header_changes")) + ".\n";
  for (const nlohmann::json& sample : delivery.at("samples")) {
    md += "- " + markdown_text(sample.get<std::string>()) + "\n";
  }
  return md + "\n";
}

}  // namespace smtp::reports
