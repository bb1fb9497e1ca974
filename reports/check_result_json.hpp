#pragma once
// The compliance run (check::CheckRunResult) ⇄ JSON, following
// reports/schema/result.schema.json (version 1), kind "check". Transcripts
// hold raw network bytes: a transcript entry whose bytes are not UTF-8 keeps
// them exactly in "octets_base64" beside a readable "text" (the schema's
// "BYTES THAT ARE NOT UTF-8"), so the round trip of a transcript is exact;
// other strings that are not UTF-8 are written with \xnn for the stray bytes.
// The server's identity and the hints are optional: files written before
// them are read as they were.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "check/check_result.hpp"

namespace smtp::reports {

nlohmann::json to_json(const check::CheckRunResult& run);

// Reads back what to_json wrote. nullopt with `error` set, naming the place
// like a path ("check.results[3].transcript[0].kind: unknown value \"x\""),
// for a document that does not follow the schema, whose counts disagree with
// its results, whose ids repeat, or whose octets_base64 disagrees with text.
std::optional<check::CheckRunResult> check_result_from_json(const nlohmann::json& document,
                                                            std::string& error);

// The server of the "check" part of a document check_result_from_json read
// (the renderers'); nullopt for a file written before the probe named it.
std::optional<check::ServerIdentity> server_of(const nlohmann::json& check_part);

}  // namespace smtp::reports
