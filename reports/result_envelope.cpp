#include "reports/result_envelope.hpp"

#include <string>

#include "common/rfc3339.hpp"
#include "common/version.hpp"
#include "reports/json_fields.hpp"
#include "reports/result_json.hpp"

namespace smtp::reports::detail {
namespace {

constexpr std::string_view kSchemaName = "smtp-harness/result";
constexpr std::string_view kToolName = "smtp-harness";

}  // namespace

bool supported_schema_version(std::uint64_t version) {
  return version >= static_cast<std::uint64_t>(kOldestResultSchemaVersion) &&
         version <= static_cast<std::uint64_t>(kResultSchemaVersion);
}

std::string supported_schema_versions() {
  std::string text;
  for (int version = kOldestResultSchemaVersion; version <= kResultSchemaVersion; ++version) {
    if (!text.empty()) text += version == kResultSchemaVersion ? " and " : ", ";
    text += std::to_string(version);
  }
  return text;
}

nlohmann::json envelope_to_json(std::string_view kind,
                                std::chrono::system_clock::time_point started_at,
                                nlohmann::json part) {
  nlohmann::json document{
      {"schema", kSchemaName},
      {"schema_version", kResultSchemaVersion},
      {"kind", kind},
      {"tool", {{"name", kToolName}, {"version", common::harness_version()}}},
      {"started_at", common::rfc3339_utc_millis(started_at)},
  };
  document[std::string(kind)] = std::move(part);
  return document;
}

Envelope read_envelope(const nlohmann::json& document, std::string_view kind) {
  const Fields fields(document, "", {"schema", "schema_version", "kind", "tool", "started_at"},
                      {"load", "check"});
  if (fields.string("schema") != kSchemaName) {
    fail("schema", "expected \"" + std::string(kSchemaName) + "\"");
  }
  const std::uint64_t version = fields.u64("schema_version");
  if (!supported_schema_version(version)) {
    fail("schema_version", std::to_string(version) + " is not supported (this build reads " +
                               supported_schema_versions() + ")");
  }
  const std::string written = fields.string("kind");
  if (written != kind)
    fail("kind", "\"" + written + "\" is not a " + std::string(kind) + " result");
  const std::string_view other = kind == "load" ? "check" : "load";
  if (fields.has(other)) {
    fail(std::string(other), "only in a result of kind \"" + std::string(other) + "\"");
  }
  if (!fields.has(kind)) fail("", "missing field \"" + std::string(kind) + "\"");
  const Fields tool(fields["tool"], "tool", {"name", "version"});
  (void)tool.string("name");
  (void)tool.string("version");
  const std::string started_at = fields.string("started_at");
  const auto time = common::parse_rfc3339_utc(started_at);
  if (!time) fail("started_at", "\"" + started_at + "\" is not YYYY-MM-DDTHH:MM:SS[.fff]Z");
  return Envelope{version, *time, &fields[kind]};
}

}  // namespace smtp::reports::detail
