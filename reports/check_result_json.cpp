#include "reports/check_result_json.hpp"

#include <array>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "proto/base64.hpp"
#include "proto/utf8.hpp"
#include "reports/json_fields.hpp"
#include "reports/result_envelope.hpp"
#include "reports/result_json.hpp"
#include "reports/result_json_internal.hpp"
#include "reports/utf8_text.hpp"

// Writes and reads the check part of reports/schema/result.schema.json. The
// reader refuses what the schema refuses (unknown fields included) and what
// only the code can check: counts that disagree with the results, a repeated
// id, an octets_base64 that is not the bytes of its text.

namespace smtp::reports {
namespace detail {
namespace {

using check::CheckResult;
using check::CheckRunResult;
using check::Level;
using check::ServerIdentity;
using check::TranscriptEntry;
using check::Verdict;
using nlohmann::json;

constexpr std::array<std::string_view, 4> kProfiles{"mx", "relay", "submission", "implicit-tls"};

// (name, value) tables for read_named, the names from the model's to_string,
// so that the file and the terminal spell them alike.
template <typename Enum, std::size_t N>
std::vector<std::pair<std::string_view, Enum>> named(const std::array<Enum, N>& values) {
  std::vector<std::pair<std::string_view, Enum>> table;
  for (const Enum value : values) table.emplace_back(to_string(value), value);
  return table;
}

std::array<Verdict, check::kVerdictCount> all_verdicts() {
  std::array<Verdict, check::kVerdictCount> verdicts{};
  for (std::size_t i = 0; i < verdicts.size(); ++i) verdicts[i] = static_cast<Verdict>(i);
  return verdicts;
}

const auto& verdict_names() {
  static const auto table = named(all_verdicts());
  return table;
}

const auto& level_names() {
  static const auto table = named(std::array{Level::must, Level::should, Level::info});
  return table;
}

const auto& kind_names() {
  static const auto table =
      named(std::array{TranscriptEntry::Kind::client, TranscriptEntry::Kind::server,
                       TranscriptEntry::Kind::event, TranscriptEntry::Kind::note});
  return table;
}

// --- Writing ----------------------------------------------------------------

// JSON strings must be UTF-8 (nlohmann::json::dump throws otherwise).
json text(std::string_view bytes) {
  return escape_non_utf8(bytes);
}

json entry_to_json(const TranscriptEntry& entry) {
  json value{
      {"at_seconds", entry.at_seconds},
      {"connection", entry.connection},
      {"kind", check::to_string(entry.kind)},
      {"text", text(entry.text)},
  };
  if (!proto::is_utf8(entry.text)) value["octets_base64"] = proto::base64_encode(entry.text);
  return value;
}

json result_to_json(const CheckResult& result) {
  json notes = json::array();
  for (const std::string& note : result.notes) notes.push_back(text(note));
  json transcript = json::array();
  for (const TranscriptEntry& entry : result.transcript) transcript.push_back(entry_to_json(entry));
  json value{
      {"id", text(result.id)},
      {"title", text(result.title)},
      {"rfc", text(result.rfc)},
      {"level", check::to_string(result.level)},
      {"area", text(result.area)},
      {"source", text(result.source)},
      {"verdict", check::to_string(result.verdict)},
      {"reason", text(result.reason)},
      {"notes", std::move(notes)},
      {"seconds", result.seconds},
      {"transcript_truncated", result.transcript_truncated},
      {"transcript", std::move(transcript)},
  };
  if (!result.hint.empty()) value["hint"] = text(result.hint);
  return value;
}

json server_to_json(const ServerIdentity& server) {
  return json{
      {"software", text(server.software)},
      {"version", text(server.version)},
      {"banner", text(server.banner)},
      {"ehlo", text(server.ehlo)},
  };
}

json counts_to_json(const CheckRunResult& run) {
  json counts = json::object();
  for (const auto& [name, verdict] : verdict_names())
    counts[std::string(name)] = run.count(verdict);
  return counts;
}

json run_to_json(const CheckRunResult& run) {
  json results = json::array();
  for (const CheckResult& result : run.results) results.push_back(result_to_json(result));
  json value{
      {"target", text(run.target)},
      {"profile", text(run.profile)},
      {"elapsed_seconds", run.elapsed_seconds},
      {"counts", counts_to_json(run)},
      {"results", std::move(results)},
  };
  if (run.server) value["server"] = server_to_json(*run.server);
  return value;
}

// --- Reading ----------------------------------------------------------------

TranscriptEntry read_entry(const json& value, const std::string& path) {
  const Fields fields(value, path, {"at_seconds", "connection", "kind", "text"}, {"octets_base64"});
  TranscriptEntry entry;
  entry.at_seconds = fields.non_negative("at_seconds");
  entry.connection = fields.unsigned_as<int>("connection");
  entry.kind = read_named(fields["kind"], fields.path("kind"), kind_names());
  entry.text = fields.string("text");
  if (!fields.has("octets_base64")) {
    if (!proto::is_utf8(entry.text)) fail(fields.path("text"), "not UTF-8");
    return entry;
  }
  const auto octets = proto::base64_decode(fields.string("octets_base64"));
  if (!octets) fail(fields.path("octets_base64"), "not base64 (RFC 4648 §4)");
  if (proto::is_utf8(*octets)) {
    fail(fields.path("octets_base64"), "present, but the bytes are UTF-8 (text alone holds them)");
  }
  if (escape_non_utf8(*octets) != entry.text) {
    fail(fields.path("text"), "disagrees with octets_base64");
  }
  entry.text = *octets;
  return entry;
}

CheckResult read_result(const json& value, const std::string& path) {
  const Fields fields(value, path,
                      {"id", "title", "rfc", "level", "area", "source", "verdict", "reason",
                       "notes", "seconds", "transcript_truncated", "transcript"},
                      {"hint"});
  CheckResult result;
  result.id = fields.string("id");
  if (result.id.empty()) fail(fields.path("id"), "empty");
  result.title = fields.string("title");
  result.rfc = fields.string("rfc");
  result.level = read_named(fields["level"], fields.path("level"), level_names());
  result.area = fields.string("area");
  result.source = fields.string("source");
  result.verdict = read_named(fields["verdict"], fields.path("verdict"), verdict_names());
  result.reason = fields.string("reason");
  result.notes = read_list<std::string>(fields["notes"], fields.path("notes"), read_string);
  result.seconds = fields.non_negative("seconds");
  result.transcript_truncated = fields.flag("transcript_truncated");
  result.transcript =
      read_list<TranscriptEntry>(fields["transcript"], fields.path("transcript"), read_entry);
  // Absent in files written before hints, and whenever there is none.
  if (fields.has("hint")) {
    result.hint = fields.string("hint");
    if (result.hint.empty()) fail(fields.path("hint"), "empty (a result without a hint has none)");
  }
  return result;
}

ServerIdentity read_server(const json& value, const std::string& path) {
  const Fields fields(value, path, {"software", "version", "banner", "ehlo"});
  ServerIdentity server;
  server.software = fields.string("software");
  if (server.software.empty()) fail(fields.path("software"), "empty (\"unknown\" when not shown)");
  server.version = fields.string("version");
  if (server.version.empty()) fail(fields.path("version"), "empty (\"unknown\" when not shown)");
  server.banner = fields.string("banner");
  server.ehlo = fields.string("ehlo");
  return server;
}

// "counts" is derived from "results", so it is checked, not read.
void check_counts(const json& value, const std::string& path, const CheckRunResult& run) {
  const Fields counts(value, path, names_of(verdict_names()));
  for (const auto& [name, verdict] : verdict_names()) {
    const std::uint64_t written = counts.u64(name);
    const std::size_t counted = run.count(verdict);
    if (written != counted) {
      fail(counts.path(name), std::to_string(written) + ", but " + std::to_string(counted) +
                                  " results have this verdict");
    }
  }
}

CheckRunResult read_run(const json& value, const std::string& path) {
  const Fields fields(value, path, {"target", "profile", "elapsed_seconds", "counts", "results"},
                      {"server"});
  CheckRunResult run;
  run.target = fields.string("target");
  run.profile = read_enum(fields["profile"], fields.path("profile"), kProfiles);
  run.elapsed_seconds = fields.non_negative("elapsed_seconds");
  // Absent in files written before the probe named the server.
  if (fields.has("server")) run.server = read_server(fields["server"], fields.path("server"));
  run.results = read_list<CheckResult>(fields["results"], fields.path("results"), read_result);
  std::set<std::string> ids;
  for (std::size_t i = 0; i < run.results.size(); ++i) {
    if (!ids.insert(run.results[i].id).second) {
      fail(field_path(item_path(fields.path("results"), i), "id"),
           "\"" + run.results[i].id + "\" is used twice");
    }
  }
  check_counts(fields["counts"], fields.path("counts"), run);
  return run;
}

// The envelope (schema, version, kind, tool, started_at), then the check part.
CheckRunResult read_document(const json& document) {
  const Envelope envelope = read_envelope(document, "check");
  CheckRunResult run = read_run(*envelope.part, "check");
  run.started_at = envelope.started_at;
  return run;
}

}  // namespace
}  // namespace detail

nlohmann::json to_json(const check::CheckRunResult& run) {
  return detail::envelope_to_json("check", run.started_at, detail::run_to_json(run));
}

std::optional<check::CheckRunResult> check_result_from_json(const nlohmann::json& document,
                                                            std::string& error) {
  return detail::catch_read_error(error, [&] { return detail::read_document(document); });
}

std::optional<check::ServerIdentity> server_of(const nlohmann::json& check_part) {
  if (!check_part.contains("server")) return std::nullopt;
  std::string error;
  auto server = detail::catch_read_error(
      error, [&] { return detail::read_server(check_part.at("server"), "check.server"); });
  // Validated when the file was read; a document that was not is a bug.
  if (!server) throw std::logic_error("server_of: " + error);
  return server;
}

}  // namespace smtp::reports
