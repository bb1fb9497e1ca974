#include "reports/markdown.hpp"

#include <array>
#include <string_view>

#include "check/server_identity.hpp"
#include "load/format.hpp"
#include "reports/check_result_json.hpp"
#include "reports/markdown_delivery.hpp"
#include "reports/markdown_text.hpp"
#include "reports/result_verdict.hpp"

namespace smtp::reports {
namespace {

constexpr std::array<std::string_view, 6> kVerdicts = {"PASS", "FAIL", "WARN",
                                                       "INFO", "SKIP", "ERROR"};
constexpr std::array<std::string_view, 9> kErrorKinds = {
    "connect", "tls", "timeout", "protocol", "closed", "4xx", "5xx", "auth", "script"};

std::string text(const nlohmann::json& object, std::string_view key) {
  return markdown_text(object.at(std::string(key)).get<std::string>());
}

std::uint64_t count(const nlohmann::json& object, std::string_view key) {
  return object.at(std::string(key)).get<std::uint64_t>();
}

std::string duration(const nlohmann::json& object, std::string_view key) {
  const auto nanoseconds = object.at(std::string(key)).get<double>();
  return nanoseconds <= 0 ? "0" : load::format_duration(nanoseconds);
}

std::string rate(double per_second) {
  return load::format_number(per_second) + "/s";
}

std::string mark(RunVerdict::Outcome outcome) {
  switch (outcome) {
    case RunVerdict::Outcome::passed:
      return "✅";
    case RunVerdict::Outcome::failed:
      return "❌";
    case RunVerdict::Outcome::interrupted:
      return "⚠️";
  }
  return "❌";
}

std::string heading(const RunVerdict& verdict, const std::string& what) {
  return "## " + mark(verdict.outcome) + " " + what + ": " +
         std::string(outcome_label(verdict.outcome)) + "\n\n**" + markdown_text(verdict.headline) +
         ".**";
}

std::string load_context(const nlohmann::json& document, const nlohmann::json& load) {
  const nlohmann::json& settings = load.at("settings");
  std::string line = " Started " + text(document, "started_at") + ", ran " +
                     load::format_number(load.at("elapsed_seconds").get<double>()) +
                     " s (stopped: " + text(load, "stop_reason") + "); " + text(settings, "model") +
                     " model";
  if (settings.contains("arrivals")) line += ", " + text(settings, "arrivals") + " arrivals";
  line += ", " + std::to_string(count(settings, "connections")) + " connections; seed " +
          std::to_string(count(settings, "seed")) + "; scenario: ";
  const std::string scenario = text(settings, "scenario");
  return line + (scenario.empty() ? "none (flags only)" : scenario) + ".\n\n";
}

std::string generator_warning(const nlohmann::json& load) {
  const nlohmann::json& generator = load.at("generator");
  if (!generator.at("bound").get<bool>()) return {};
  std::string text =
      "> **Warning: generator-bound.** The load generator, not the target, was the limit; the "
      "latencies include its own delays.";
  for (const nlohmann::json& reason : generator.at("reasons")) {
    text += "\n> - " + markdown_text(reason.get<std::string>());
  }
  return text + "\n\n";
}

std::string load_numbers(const nlohmann::json& load) {
  const nlohmann::json& counters = load.at("counters");
  std::uint64_t errors = 0;
  for (const std::string_view kind : kErrorKinds) errors += count(load.at("errors"), kind);
  std::string achieved = rate(load.at("achieved_rate").get<double>());
  if (load.contains("target_rate")) {
    achieved += " (target " + rate(load.at("target_rate").get<double>()) + ")";
  }
  return "| sent | ok | 4xx | 5xx | failed | errors | rate |\n"
         "|---:|---:|---:|---:|---:|---:|---:|\n| " +
         std::to_string(count(counters, "transactions_started")) + " | " +
         std::to_string(count(counters, "delivered")) + " | " +
         std::to_string(count(counters, "refused_4xx")) + " | " +
         std::to_string(count(counters, "refused_5xx")) + " | " +
         std::to_string(count(counters, "failed")) + " | " + std::to_string(errors) + " | " +
         achieved + " |\n\n";
}

std::string load_latency(const nlohmann::json& load) {
  const nlohmann::json& phases = load.at("phases");
  if (phases.empty()) return "No latency was recorded.\n\n";
  std::string table = "| phase | count | p50 | p90 | p99 |\n|---|---:|---:|---:|---:|\n";
  for (const nlohmann::json& phase : phases) {
    table += "| " + text(phase, "phase") + " | " + std::to_string(count(phase, "count")) + " | " +
             duration(phase, "p50_ns") + " | " + duration(phase, "p90_ns") + " | " +
             duration(phase, "p99_ns") + " |\n";
  }
  return table + "\n";
}

std::string load_thresholds(const nlohmann::json& load) {
  const nlohmann::json& thresholds = load.at("thresholds");
  if (thresholds.empty()) return "No thresholds were set.\n\n";
  std::string table = "| | threshold | observed |\n|---|---|---|\n";
  for (const nlohmann::json& threshold : thresholds) {
    table += std::string("| ") + (threshold.at("passed").get<bool>() ? "✅ pass" : "❌ FAIL") +
             " | " + text(threshold, "text") + " | " + text(threshold, "detail") + " |\n";
  }
  return table + "\n";
}

std::string load_errors(const nlohmann::json& load) {
  std::string line;
  for (const std::string_view kind : kErrorKinds) {
    const std::uint64_t n = count(load.at("errors"), kind);
    if (n == 0) continue;
    line += (line.empty() ? "" : ", ") + std::string(kind) + " " + std::to_string(n);
  }
  if (line.empty()) return "**Errors:** none.\n\n";
  std::string text = "**Errors:** " + line + ".\n";
  for (const nlohmann::json& sample : load.at("error_samples")) {
    text += "- " + markdown_text(sample.get<std::string>()) + "\n";
  }
  return text + "\n";
}

std::string load_markdown(const nlohmann::json& document) {
  const nlohmann::json& load = document.at("load");
  const RunVerdict verdict = load_verdict(document);
  std::string md = heading(verdict, "smtp-harness load " + text(load.at("settings"), "target")) +
                   load_context(document, load);
  md += generator_warning(load);
  md += load_numbers(load) + load_latency(load) + delivery_markdown(load) + load_thresholds(load) +
        load_errors(load);
  return md;
}

std::string check_markdown(const nlohmann::json& document) {
  const nlohmann::json& check = document.at("check");
  const nlohmann::json& results = check.at("results");
  const RunVerdict verdict = check_verdict(document);
  std::string md = heading(verdict, "smtp-harness check " + text(check, "target") + " (profile " +
                                        text(check, "profile") + ")");
  md += " " + std::to_string(results.size()) + " checks in " +
        load::format_number(check.at("elapsed_seconds").get<double>()) + " s, started " +
        text(document, "started_at") + ":";
  for (std::size_t i = 0; i < kVerdicts.size(); ++i) {
    md += (i == 0 ? " " : ", ") + std::to_string(count(check.at("counts"), kVerdicts[i])) + " " +
          std::string(kVerdicts[i]);
  }
  md += ".\n\n";
  if (const auto server = server_of(check)) {
    md += "Server: " + markdown_text(check::software_text(*server)) +
          "; greeting: " + markdown_text(server->banner) + "\n\n";
  }
  std::string table;
  for (const std::string_view wanted : {"FAIL", "ERROR", "WARN"}) {
    for (const nlohmann::json& result : results) {
      if (result.at("verdict").get<std::string>() != wanted) continue;
      std::string reason = text(result, "reason");
      if (result.contains("hint")) reason += " **hint:** " + text(result, "hint");
      table += "| " + std::string(wanted) + " | " + text(result, "id") + " | " +
               text(result, "level") + " | " + text(result, "rfc") + " | " + text(result, "title") +
               " | " + reason + " |\n";
    }
  }
  if (table.empty()) return md + "No check failed, erred or warned.\n\n";
  return md + "| verdict | id | level | clause | check | reason |\n|---|---|---|---|---|---|\n" +
         table + "\n";
}

}  // namespace

std::string to_markdown(const std::vector<ResultDocument>& results) {
  std::string md;
  for (const ResultDocument& result : results) {
    md += result.kind == "load" ? load_markdown(result.document) : check_markdown(result.document);
  }
  return md;
}

}  // namespace smtp::reports
