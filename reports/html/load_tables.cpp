// The tables of a load run's section, from the document's JSON.
#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "load/format.hpp"
#include "reports/html/chart_scale.hpp"
#include "reports/html/html_blocks.hpp"
#include "reports/html/html_text.hpp"
#include "reports/html/load_parts.hpp"

namespace smtp::reports::html {
namespace {

Cell duration_cell(const nlohmann::json& object, std::string_view key) {
  return Cell::number_text(format_value(json_number(object, key), Unit::nanoseconds));
}

std::vector<Cell> latency_header(std::string_view first) {
  std::vector<Cell> header{Cell::text(first)};
  for (const std::string_view name :
       {"count", "min", "p50", "p90", "p99", "p99.9", "max", "mean"}) {
    header.push_back(Cell::markup(html_text(name), "num"));
  }
  return header;
}

std::vector<Cell> latency_cells(const nlohmann::json& summary, std::string first) {
  return {Cell::text(first),
          Cell::number(json_count(summary, "count")),
          duration_cell(summary, "min_ns"),
          duration_cell(summary, "p50_ns"),
          duration_cell(summary, "p90_ns"),
          duration_cell(summary, "p99_ns"),
          duration_cell(summary, "p999_ns"),
          duration_cell(summary, "max_ns"),
          duration_cell(summary, "mean_ns")};
}

std::string reply_class(int code) {
  return "class-" + std::to_string(code / 100) + "xx";
}

// What each error kind counts (the schema's descriptions).
struct ErrorKindText {
  std::string_view key;
  std::string_view meaning;
};
constexpr std::array<ErrorKindText, 9> kErrorKinds = {{
    {"connect", "TCP connect refused, unreachable or timed out"},
    {"tls", "TLS handshake failed, certificate not verified, STARTTLS refused when required"},
    {"timeout", "no reply within the reply timeout"},
    {"protocol", "a malformed, unexpected or unsolicited reply"},
    {"closed", "the server closed the connection or sent 421 mid-session"},
    {"4xx", "a transaction refused with a 4xx"},
    {"5xx", "a transaction refused with a 5xx"},
    {"auth", "AUTH refused or unavailable"},
    {"script", "a scenario hook failed"},
}};

struct CounterText {
  std::string_view key;
  std::string_view label;
};
constexpr std::array<CounterText, 14> kCounters = {{
    {"transactions_started", "transactions started (sent)"},
    {"delivered", "delivered (end of data accepted)"},
    {"refused_4xx", "refused with 4xx"},
    {"refused_5xx", "refused with 5xx"},
    {"failed", "failed (connection lost or timed out)"},
    {"recipients_accepted", "recipients accepted"},
    {"recipients_refused", "recipients refused"},
    {"connections_opened", "connections opened"},
    {"connections_failed", "connections failed (connect or setup)"},
    {"reconnects", "reconnects"},
    {"late_starts", "late starts (open model)"},
    {"dropped_starts", "dropped starts (open model)"},
    {"bytes_written", "bytes written"},
    {"bytes_read", "bytes read"},
}};

}  // namespace

std::string percentiles_table(const nlohmann::json& load) {
  HtmlTable table("latency");
  table.header(latency_header("phase"));
  for (const nlohmann::json& phase : load.at("phases")) {
    table.row(latency_cells(phase, json_text(phase, "phase")));
  }
  HtmlTable by_class("latency");
  by_class.header(latency_header("phase, reply class"));
  for (const nlohmann::json& entry : load.at("latency")) {
    by_class.row(latency_cells(entry, json_text(entry, "phase") + " " + json_text(entry, "class")));
  }
  if (load.at("phases").empty()) return "<p class=\"muted\">No latency was recorded.</p>\n";
  return table.html() + "<details><summary>By reply class</summary>\n" + by_class.html() +
         "</details>\n";
}

std::string replies_table(const nlohmann::json& load) {
  const nlohmann::json& replies = load.at("replies");
  if (replies.empty()) return "<p class=\"muted\">No replies were counted.</p>\n";
  // Rows in the file's phase order; columns the codes seen, in order.
  std::vector<std::string> phases;
  std::map<int, bool> codes;
  std::map<std::pair<std::string, int>, std::uint64_t> cells;
  for (const nlohmann::json& reply : replies) {
    const std::string phase = json_text(reply, "phase");
    const int code = reply.at("code").get<int>();
    if (phases.empty() || phases.back() != phase) phases.push_back(phase);
    codes[code] = true;
    cells[{phase, code}] += json_count(reply, "count");
  }
  HtmlTable matrix("replies");
  std::vector<Cell> header{Cell::text("phase")};
  for (const auto& [code, seen] : codes) {
    header.push_back(Cell::markup(
        "<span class=\"" + reply_class(code) + "\">" + std::to_string(code) + "</span>", "num"));
  }
  matrix.header(header);
  for (const std::string& phase : phases) {
    std::vector<Cell> row{Cell::text(phase)};
    for (const auto& [code, seen] : codes) {
      const auto found = cells.find({phase, code});
      row.push_back(found == cells.end() ? Cell::markup("", "num") : Cell::number(found->second));
    }
    matrix.row(row);
  }
  HtmlTable detail("replies");
  detail.header({Cell::text("phase"), Cell::markup("code", "num"), Cell::text("enhanced code"),
                 Cell::markup("count", "num")});
  for (const nlohmann::json& reply : replies) {
    const int code = reply.at("code").get<int>();
    detail.row({Cell::text(json_text(reply, "phase")),
                Cell::markup(
                    "<span class=\"" + reply_class(code) + "\">" + std::to_string(code) + "</span>",
                    "num"),
                Cell::text(reply.contains("enhanced") ? json_text(reply, "enhanced") : ""),
                Cell::number(json_count(reply, "count"))});
  }
  return matrix.html() + "<details><summary>With enhanced status codes (RFC 3463)</summary>\n" +
         detail.html() + "</details>\n";
}

std::string errors_block(const nlohmann::json& load) {
  const nlohmann::json& errors = load.at("errors");
  HtmlTable table("errors");
  table.header({Cell::text("kind"), Cell::markup("count", "num"), Cell::text("meaning")});
  std::uint64_t total = 0;
  for (const ErrorKindText& kind : kErrorKinds) {
    const std::uint64_t count = json_count(errors, kind.key);
    total += count;
    table.row({Cell::text(kind.key), Cell::number(count), Cell::text(kind.meaning)},
              count == 0 ? " class=\"zero\"" : "");
  }
  std::string html = "<p>" + std::to_string(total) + (total == 1 ? " error" : " errors") +
                     ", each counted once, where it happened.</p>\n" + table.html();
  const nlohmann::json& samples = load.at("error_samples");
  if (!samples.empty()) {
    html += "<h4>First errors seen</h4>\n<ul class=\"samples\">\n";
    for (const nlohmann::json& sample : samples) {
      html += "<li><code>" + html_text(sample.get<std::string>()) + "</code></li>\n";
    }
    html += "</ul>\n";
  }
  return html;
}

std::string thresholds_table(const nlohmann::json& load) {
  const nlohmann::json& thresholds = load.at("thresholds");
  if (thresholds.empty()) {
    return "<p class=\"muted\">No thresholds were set (<code>--threshold</code>).</p>\n";
  }
  HtmlTable table("thresholds");
  table.header({Cell::text("verdict"), Cell::text("threshold"), Cell::text("observed")});
  for (const nlohmann::json& threshold : thresholds) {
    const bool passed = threshold.at("passed").get<bool>();
    table.row({Cell::markup(passed ? badge("PASS", "v-pass") : badge("FAIL", "v-fail")),
               Cell::markup("<code>" + html_text(json_text(threshold, "text")) + "</code>"),
               Cell::text(json_text(threshold, "detail"))});
  }
  return table.html();
}

std::string counters_table(const nlohmann::json& load) {
  const nlohmann::json& counters = load.at("counters");
  HtmlTable table("counters");
  for (const CounterText& counter : kCounters) {
    table.row({Cell::text(counter.label), Cell::number(json_count(counters, counter.key))});
  }
  std::string html = table.html();
  const nlohmann::json& custom = load.at("custom");
  if (!custom.empty()) {
    HtmlTable custom_table("custom");
    custom_table.header({Cell::text("custom counter (scenario)"), Cell::markup("value", "num")});
    for (const auto& [name, value] : custom.items()) {
      custom_table.row(
          {Cell::text(name), Cell::number_text(load::format_number(value.get<double>(), 6))});
    }
    html += custom_table.html();
  }
  return html;
}

std::string generator_alert(const nlohmann::json& load) {
  const nlohmann::json& generator = load.at("generator");
  if (!generator.at("bound").get<bool>()) return {};
  std::string html =
      "<div class=\"alert\" role=\"alert\"><strong>Generator-bound.</strong> The load "
      "generator, not the target, was the limit of this run: the latencies include the "
      "generator's own delays and overstate the target's. Rerun with more threads, fewer "
      "connections or a lower rate.";
  const nlohmann::json& reasons = generator.at("reasons");
  if (!reasons.empty()) {
    html += "<ul>";
    for (const nlohmann::json& reason : reasons) {
      html += "<li>" + html_text(reason.get<std::string>()) + "</li>";
    }
    html += "</ul>";
  }
  return html + "</div>\n";
}

std::string generator_block(const nlohmann::json& load) {
  const nlohmann::json& generator = load.at("generator");
  const nlohmann::json& lag = generator.at("loop_lag");
  const bool bound = generator.at("bound").get<bool>();
  std::string html = facts({
      fact("limit", bound ? "the generator was the limit (see the warning above)"
                          : "not bound: the target was the limit"),
      fact("CPU time", load::format_number(json_number(generator, "cpu_seconds")) + " s"),
      fact("busiest worker",
           load::format_number(100 * json_number(generator, "busiest_worker_cpu"), 3) +
               "% of a core"),
      fact("event-loop lag",
           "p50 " + format_value(json_number(lag, "p50_ns"), Unit::nanoseconds) + ", p99 " +
               format_value(json_number(lag, "p99_ns"), Unit::nanoseconds) + ", max " +
               format_value(json_number(lag, "max_ns"), Unit::nanoseconds)),
  });
  HtmlTable workers("workers");
  workers.header({Cell::markup("worker", "num"), Cell::markup("CPU seconds", "num"),
                  Cell::markup("started", "num"), Cell::markup("delivered", "num")});
  for (const nlohmann::json& worker : load.at("workers")) {
    workers.row({Cell::number(json_count(worker, "index")),
                 Cell::number_text(load::format_number(json_number(worker, "cpu_seconds"))),
                 Cell::number(json_count(worker.at("counters"), "transactions_started")),
                 Cell::number(json_count(worker.at("counters"), "delivered"))});
  }
  return html + workers.html();
}

std::string series_table(const nlohmann::json& load) {
  const nlohmann::json& series = load.at("series");
  // A day-long run would make the page megabytes long; the charts show it all.
  constexpr std::size_t kMaxRows = 3600;
  HtmlTable table("series");
  std::vector<Cell> header;
  for (const std::string_view name : {"second", "started", "delivered", "4xx", "5xx", "failed",
                                      "errors", "late", "p50", "p99", "connections"}) {
    header.push_back(Cell::markup(html_text(name), "num"));
  }
  table.header(header);
  std::size_t rows = 0;
  for (const nlohmann::json& second : series) {
    if (rows++ == kMaxRows) break;
    std::vector<Cell> row;
    for (const std::string_view key : {"second", "started", "delivered", "refused_4xx",
                                       "refused_5xx", "failed", "errors", "late_starts"}) {
      row.push_back(Cell::number(json_count(second, key)));
    }
    row.push_back(duration_cell(second, "p50_ns"));
    row.push_back(duration_cell(second, "p99_ns"));
    row.push_back(Cell::number(json_count(second, "connections")));
    table.row(row);
  }
  std::string summary = "Per second (" + std::to_string(series.size()) + " rows";
  if (series.size() > kMaxRows) summary += ", the first " + std::to_string(kMaxRows) + " shown";
  return "<details><summary>" + html_text(summary + ")") + "</summary>\n" + table.html() +
         "</details>\n";
}

}  // namespace smtp::reports::html
