#pragma once
// The load result ⇄ JSON, following reports/schema/result.schema.json
// (version 2; files of version 1, which have no delivery section, still read). One schema covers
// load and check runs ("kind"); this file writes and reads the load part. Histograms travel in
// their sparse, mergeable form (load::Histogram::Sparse), so that results from several processes
// merge exactly and renderers compute any percentile.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "load/result.hpp"

namespace smtp::reports {

// What this build writes, and the oldest version it reads. Version 2 added
// load.delivery (a run with --sink) and the delivery thresholds.
inline constexpr int kResultSchemaVersion = 2;
inline constexpr int kOldestResultSchemaVersion = 1;

nlohmann::json to_json(const load::RunResult& result);

// Reads back what to_json wrote. nullopt with `error` set, naming the place
// like a path ("load.latency[3].histogram: buckets out of order (...)"), for a
// document that does not follow the schema or whose histograms do not validate.
std::optional<load::RunResult> load_result_from_json(const nlohmann::json& document,
                                                     std::string& error);

nlohmann::json histogram_to_json(const load::Histogram& histogram);
// The same errors, with paths from the histogram itself ("buckets[2]: zero
// count (...)", "buckets out of order (...)").
std::optional<load::Histogram> histogram_from_json(const nlohmann::json& value, std::string& error);

}  // namespace smtp::reports
