#include "reports/junit_load.hpp"

#include <array>
#include <string_view>

#include "load/format.hpp"
#include "reports/fixed_decimal.hpp"
#include "reports/result_verdict.hpp"
#include "reports/xml_text.hpp"

namespace smtp::reports {
namespace {

constexpr std::array<std::string_view, 9> kErrorKinds = {
    "connect", "tls", "timeout", "protocol", "closed", "4xx", "5xx", "auth", "script"};

std::string attribute(std::string_view name, std::string_view value) {
  return " " + std::string(name) + "=\"" + xml_attribute(value) + "\"";
}

std::string property(std::string_view name, std::string_view value) {
  return "      <property" + attribute("name", name) + attribute("value", value) + "/>\n";
}

std::uint64_t count(const nlohmann::json& object, std::string_view key) {
  return object.at(std::string(key)).get<std::uint64_t>();
}

std::string text(const nlohmann::json& object, std::string_view key) {
  return object.at(std::string(key)).get<std::string>();
}

struct Tally {
  std::size_t tests = 0, failures = 0, errors = 0;
};

std::string counts_attributes(const Tally& tally, double seconds) {
  return attribute("tests", std::to_string(tally.tests)) +
         attribute("failures", std::to_string(tally.failures)) +
         attribute("errors", std::to_string(tally.errors)) + attribute("skipped", "0") +
         attribute("time", fixed_decimal(seconds, 3));
}

// What a person reading the CI log wants first.
std::string run_output(const nlohmann::json& load) {
  const nlohmann::json& counters = load.at("counters");
  std::string out = "sent " + std::to_string(count(counters, "transactions_started")) + ", ok " +
                    std::to_string(count(counters, "delivered")) + ", 4xx " +
                    std::to_string(count(counters, "refused_4xx")) + ", 5xx " +
                    std::to_string(count(counters, "refused_5xx")) + ", failed " +
                    std::to_string(count(counters, "failed")) + "\nrate " +
                    load::format_number(load.at("achieved_rate").get<double>()) + "/s";
  if (load.contains("target_rate")) {
    out += " (target " + load::format_number(load.at("target_rate").get<double>()) + "/s)";
  }
  out += "\nstopped: " + text(load, "stop_reason") + "\nerrors:";
  for (const std::string_view kind : kErrorKinds) {
    out += " " + std::string(kind) + " " + std::to_string(count(load.at("errors"), kind));
  }
  out += "\n";
  for (const nlohmann::json& sample : load.at("error_samples")) {
    out += "e.g. " + sample.get<std::string>() + "\n";
  }
  const nlohmann::json& generator = load.at("generator");
  if (generator.at("bound").get<bool>()) {
    out += "warning: generator-bound, the latencies include the generator's own delays\n";
    for (const nlohmann::json& reason : generator.at("reasons")) {
      out += "  " + reason.get<std::string>() + "\n";
    }
  }
  return out;
}

std::string run_testcase(const nlohmann::json& document, Tally& tally) {
  const nlohmann::json& load = document.at("load");
  const RunVerdict verdict = load_verdict(document);
  ++tally.tests;
  std::string xml =
      "    <testcase" + attribute("name", "run completed") + attribute("classname", "load") +
      attribute("time", fixed_decimal(load.at("elapsed_seconds").get<double>(), 3)) + ">\n";
  if (verdict.outcome == RunVerdict::Outcome::interrupted) {
    ++tally.errors;
    xml += "      <error" + attribute("message", verdict.headline) +
           attribute("type", "interrupted") + "/>\n";
  } else if (!verdict.problems.empty()) {
    ++tally.failures;
    std::string problems;
    for (const std::string& problem : verdict.problems) problems += problem + "\n";
    xml += "      <failure" + attribute("message", verdict.problems.front()) +
           attribute("type", "run") + ">" + xml_content(problems) + "</failure>\n";
  }
  return xml + "      <system-out>" + xml_content(run_output(load)) +
         "</system-out>\n    </testcase>\n";
}

std::string threshold_testcase(const nlohmann::json& threshold, Tally& tally) {
  ++tally.tests;
  std::string xml = "    <testcase" + attribute("name", "threshold " + text(threshold, "text")) +
                    attribute("classname", "load.thresholds") + attribute("time", "0.000") + ">\n";
  if (!threshold.at("passed").get<bool>()) {
    ++tally.failures;
    xml += "      <failure" + attribute("message", text(threshold, "detail")) +
           attribute("type", "threshold") + ">" +
           xml_content(text(threshold, "text") + " crossed: " + text(threshold, "detail")) +
           "</failure>\n";
  }
  return xml + "      <system-out>" + xml_content(text(threshold, "detail") + "\n") +
         "</system-out>\n    </testcase>\n";
}

// The trouble a delivery section counts that loses or spoils mail: what the
// "delivery" testcase fails on.
constexpr std::array<std::string_view, 3> kDeliveryTrouble = {"lost", "duplicated", "corrupted"};

bool judged_by_a_threshold(const nlohmann::json& load, std::string_view metric) {
  for (const nlohmann::json& threshold : load.at("thresholds")) {
    if (text(threshold, "metric") == metric) return true;
  }
  return false;
}

std::string delivery_output(const nlohmann::json& delivery) {
  const nlohmann::json& counts = delivery.at("counts");
  std::string out = "sink " + text(delivery, "sink") + ": accepted " +
                    std::to_string(count(counts, "accepted")) + " pairs (" +
                    std::to_string(count(counts, "accepted_messages")) + " messages)";
  for (const std::string_view key : {"delivered", "lost", "bounced", "duplicated", "corrupted",
                                     "header_changed", "unexpected", "retried"}) {
    out += ", " + std::string(key) + " " + std::to_string(count(counts, key));
  }
  const nlohmann::json& latency = delivery.at("latency");
  out += "\ndelivery latency p50 " + load::format_duration(latency.at("p50_ns").get<double>()) +
         ", p99 " + load::format_duration(latency.at("p99_ns").get<double>()) + "\n";
  for (const nlohmann::json& sample : delivery.at("samples")) {
    out += "e.g. " + sample.get<std::string>() + "\n";
  }
  return out;
}

// "delivery" (classname "load.delivery"), for a run with --sink: <failure>
// when pairs were lost, duplicated or corrupted, unless a threshold on that
// count judged it (its own testcase then says whether that many were
// allowed, as the exit code did).
std::string delivery_testcase(const nlohmann::json& load, Tally& tally) {
  const nlohmann::json& delivery = load.at("delivery");
  ++tally.tests;
  std::string xml =
      "    <testcase" + attribute("name", "delivery") + attribute("classname", "load.delivery") +
      attribute("time", fixed_decimal(delivery.at("drain").at("seconds").get<double>(), 3)) + ">\n";
  std::string trouble;
  for (const std::string_view key : kDeliveryTrouble) {
    const std::uint64_t n = count(delivery.at("counts"), key);
    if (n == 0 || judged_by_a_threshold(load, key)) continue;
    trouble += (trouble.empty() ? "" : ", ") + std::to_string(n) + " " + std::string(key);
  }
  if (!trouble.empty()) {
    ++tally.failures;
    const std::string message = "pairs " + trouble;
    xml += "      <failure" + attribute("message", message) + attribute("type", "delivery") + ">" +
           xml_content(message + " (of " +
                       std::to_string(count(delivery.at("counts"), "accepted")) + " accepted)\n") +
           "</failure>\n";
  }
  return xml + "      <system-out>" + xml_content(delivery_output(delivery)) +
         "</system-out>\n    </testcase>\n";
}

}  // namespace

std::string load_junit(const nlohmann::json& document) {
  const nlohmann::json& load = document.at("load");
  const nlohmann::json& settings = load.at("settings");
  const std::string target = text(settings, "target");
  // The Ant schema's timestamp has no zone and no fraction; ours is UTC.
  const std::string timestamp = text(document, "started_at").substr(0, 19);
  const double seconds = load.at("elapsed_seconds").get<double>();

  Tally tally;
  std::string cases = run_testcase(document, tally);
  if (load.contains("delivery")) cases += delivery_testcase(load, tally);
  for (const nlohmann::json& threshold : load.at("thresholds")) {
    cases += threshold_testcase(threshold, tally);
  }
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += "<testsuites" + attribute("name", "smtp-harness load " + target) +
         counts_attributes(tally, seconds) + attribute("timestamp", timestamp) + ">\n";
  xml += "  <testsuite" + attribute("name", "smtp-harness load: " + target) +
         counts_attributes(tally, seconds) + attribute("timestamp", timestamp) + ">\n";
  xml += "    <properties>\n";
  xml += property("target", target);
  xml += property("model", text(settings, "model"));
  xml += property("seed", std::to_string(count(settings, "seed")));
  xml += property("scenario", text(settings, "scenario"));
  xml +=
      property("generator_bound", load.at("generator").at("bound").get<bool>() ? "true" : "false");
  xml += "    </properties>\n";
  return xml + cases + "  </testsuite>\n</testsuites>\n";
}

}  // namespace smtp::reports
