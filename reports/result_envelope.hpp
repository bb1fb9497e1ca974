#pragma once
// The fields every result file starts with, whatever its kind: schema,
// schema_version, kind, tool and started_at (reports/schema/result.schema.json),
// then the part named by the kind. Written and checked here once for the
// load and the check results.
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace smtp::reports::detail {

// The document of `kind` ("load" or "check") holding `part` under that key.
nlohmann::json envelope_to_json(std::string_view kind,
                                std::chrono::system_clock::time_point started_at,
                                nlohmann::json part);

// Whether this build reads files of `version`; the versions it reads, as
// text for errors ("1 and 2").
bool supported_schema_version(std::uint64_t version);
std::string supported_schema_versions();

struct Envelope {
  std::uint64_t version = 0;  // schema_version, kOldestResultSchemaVersion..kResultSchemaVersion
  std::chrono::system_clock::time_point started_at;
  const nlohmann::json* part;  // the value under the key `kind`, inside the document
};

// Checks the envelope of a document that must be of `kind` (and must not
// carry the other kind's part). Throws ReadError (json_fields.hpp) with the
// offending field's path.
Envelope read_envelope(const nlohmann::json& document, std::string_view kind);

}  // namespace smtp::reports::detail
