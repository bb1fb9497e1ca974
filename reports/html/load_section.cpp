// A load run's section: summary and verdict first, then the charts and
// tables in the order an operator reads them.
#include <string>
#include <vector>

#include "load/format.hpp"
#include "reports/html/chart_scale.hpp"
#include "reports/html/delivery_parts.hpp"
#include "reports/html/html_blocks.hpp"
#include "reports/html/html_text.hpp"
#include "reports/html/load_parts.hpp"
#include "reports/html/sections.hpp"

namespace smtp::reports::html {
namespace {

std::string model_text(const nlohmann::json& load) {
  const nlohmann::json& settings = load.at("settings");
  if (json_text(settings, "model") == "closed") {
    return "closed model: " + std::to_string(json_count(settings, "connections")) +
           " concurrent sessions";
  }
  std::string text = "open model";
  if (settings.contains("arrivals")) text += ", " + json_text(settings, "arrivals") + " arrivals";
  if (load.contains("target_rate")) {
    text += ", target " + format_value(json_number(load, "target_rate"), Unit::rate);
  }
  return text + ", up to " + std::to_string(json_count(settings, "connections")) + " connections";
}

std::string session_text(const nlohmann::json& settings) {
  const auto yes_no = [&](std::string_view key) {
    return settings.at(std::string(key)).get<bool>() ? "yes" : "no";
  };
  return "TLS " + json_text(settings, "tls") + ", AUTH " + yes_no("auth") + ", PIPELINING " +
         yes_no("pipelining") + ", CHUNKING " + yes_no("chunking");
}

std::string limit_text(const nlohmann::json& load) {
  const nlohmann::json& settings = load.at("settings");
  std::string text = "ran " + load::format_number(json_number(load, "elapsed_seconds")) + " s";
  if (settings.contains("duration_seconds")) {
    text += " of " + load::format_number(json_number(settings, "duration_seconds")) + " s";
  }
  if (settings.contains("messages")) {
    text += ", at most " + std::to_string(json_count(settings, "messages")) + " messages";
  }
  return text + "; stopped: " + json_text(load, "stop_reason");
}

std::string summary(const ResultDocument& result, const nlohmann::json& load) {
  const nlohmann::json& settings = load.at("settings");
  const nlohmann::json& counters = load.at("counters");
  const std::string scenario = json_text(settings, "scenario");
  std::string rate = format_value(json_number(load, "achieved_rate"), Unit::rate) + " achieved";
  if (load.contains("target_rate")) {
    rate += " (target " + format_value(json_number(load, "target_rate"), Unit::rate) + ")";
  }
  std::string html = verdict_box(load_verdict(result.document));
  html += generator_alert(load);
  std::vector<Fact> items = {
      fact("target", json_text(settings, "target")),
      {"started", started_at_html(result.document)},
      fact("duration", limit_text(load)),
      fact("scenario", scenario.empty() ? "none (the flags alone)" : scenario),
      fact("seed", std::to_string(json_count(settings, "seed"))),
      fact("model", model_text(load)),
      fact("threads", std::to_string(json_count(settings, "threads"))),
      fact("session", session_text(settings)),
      fact("message", std::to_string(json_count(settings, "size")) + " octets, " +
                          std::to_string(json_count(settings, "recipients")) + " recipient(s)"),
      fact("rate", rate),
  };
  if (settings.contains("shard")) {
    // One shard of a sharded run (--shard I/N): its numbers are its share.
    const nlohmann::json& shard = settings.at("shard");
    items.insert(items.begin() + 1,
                 fact("shard", std::to_string(json_count(shard, "index")) + " of " +
                                   std::to_string(json_count(shard, "count"))));
  }
  html += facts(items);
  html += "<div class=\"counts\">";
  for (const auto& [label, key] :
       {std::pair{"sent", "transactions_started"}, std::pair{"ok", "delivered"},
        std::pair{"4xx", "refused_4xx"}, std::pair{"5xx", "refused_5xx"},
        std::pair{"failed", "failed"}}) {
    html += "<span>" + html_text(label) + " <strong>" + std::to_string(json_count(counters, key)) +
            "</strong></span>";
  }
  return html + "</div>\n";
}

}  // namespace

Section load_section(const ResultDocument& result, const std::string& id) {
  const nlohmann::json& load = result.document.at("load");
  Section section;
  const auto part = [&](std::string_view suffix, std::string_view title, const std::string& body) {
    const std::string part_id = id + "-" + std::string(suffix);
    section.contents.push_back({part_id, std::string(title)});
    section.html += heading(3, part_id, title) + body;
  };
  section.html = summary(result, load);
  part("throughput", "Throughput over time", throughput_figure(load));
  part("latency", "Latency percentiles by phase",
       percentiles_figure(load) + percentiles_table(load));
  part("distribution", "Latency distribution", distribution_figure(load));
  part("latency-time", "Latency over time", latency_over_time_figure(load));
  if (load.contains("delivery")) {
    // A run with --sink: what came out of the relay.
    const nlohmann::json& delivery = load.at("delivery");
    part("delivery", "Delivery", delivery_block(delivery));
    part("delivery-latency", "Delivery latency",
         delivery_latency_figures(delivery) + delivery_over_time_figure(delivery));
  }
  part("replies", "Replies by phase", replies_table(load));
  part("errors", "Errors", errors_block(load));
  part("thresholds", "Thresholds", thresholds_table(load));
  part("counters", "Counters", counters_table(load) + series_table(load));
  part("generator", "Generator", generator_block(load));
  return section;
}

}  // namespace smtp::reports::html
