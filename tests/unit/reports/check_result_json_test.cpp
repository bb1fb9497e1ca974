#include "reports/check_result_json.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "reports/result_json.hpp"
#include "sample_check_result.hpp"
#include "sample_result.hpp"

namespace smtp::reports::check_result_json_test {
namespace {

using check::CheckResult;
using check::CheckRunResult;
using check::TranscriptEntry;
using nlohmann::json;
using testing::hostile_server_bytes;
using testing::sample_check_result;

// The sample as a file would carry it: written, dumped, parsed again.
json sample_document() {
  static const json document = json::parse(to_json(sample_check_result()).dump());
  return document;
}

// Where the sample keeps what the tests below look at.
constexpr std::size_t kPasses = 0;   // E1, an ordinary exchange
constexpr std::size_t kHostile = 2;  // D3, whose transcript[2] is hostile_server_bytes()
constexpr std::size_t kHostileEntry = 2;

void expect_same_transcript(const std::vector<TranscriptEntry>& a,
                            const std::vector<TranscriptEntry>& b, const std::string& id) {
  ASSERT_EQ(a.size(), b.size()) << id;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].at_seconds, b[i].at_seconds) << id << " entry " << i;
    EXPECT_EQ(a[i].connection, b[i].connection) << id << " entry " << i;
    EXPECT_EQ(a[i].kind, b[i].kind) << id << " entry " << i;
    EXPECT_EQ(a[i].text, b[i].text) << id << " entry " << i;
  }
}

void expect_same(const CheckRunResult& a, const CheckRunResult& b) {
  EXPECT_EQ(a.target, b.target);
  EXPECT_EQ(a.profile, b.profile);
  EXPECT_EQ(a.started_at, b.started_at);
  EXPECT_EQ(a.elapsed_seconds, b.elapsed_seconds);
  EXPECT_EQ(a.server, b.server);
  ASSERT_EQ(a.results.size(), b.results.size());
  for (std::size_t i = 0; i < a.results.size(); ++i) {
    const CheckResult& x = a.results[i];
    const CheckResult& y = b.results[i];
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.title, y.title) << x.id;
    EXPECT_EQ(x.rfc, y.rfc) << x.id;
    EXPECT_EQ(x.level, y.level) << x.id;
    EXPECT_EQ(x.area, y.area) << x.id;
    EXPECT_EQ(x.source, y.source) << x.id;
    EXPECT_EQ(x.verdict, y.verdict) << x.id;
    EXPECT_EQ(x.reason, y.reason) << x.id;
    EXPECT_EQ(x.hint, y.hint) << x.id;
    EXPECT_EQ(x.notes, y.notes) << x.id;
    EXPECT_EQ(x.seconds, y.seconds) << x.id;
    EXPECT_EQ(x.transcript_truncated, y.transcript_truncated) << x.id;
    expect_same_transcript(x.transcript, y.transcript, x.id);
  }
}

// check_result_from_json must refuse `document` with an error containing `expected`.
void expect_refused(const json& document, const std::string& expected) {
  std::string error;
  const auto result = check_result_from_json(document, error);
  EXPECT_FALSE(result.has_value()) << "accepted, expected: " << expected;
  EXPECT_NE(error.find(expected), std::string::npos)
      << "error: " << error << "\nexpected: " << expected;
}

TEST(CheckResultJson, SampleHasWhatTheTestsBelowUse) {
  const json document = sample_document();
  EXPECT_EQ(document["schema"], "smtp-harness/result");
  EXPECT_EQ(document["schema_version"], 2);
  EXPECT_EQ(document["kind"], "check");
  EXPECT_EQ(document["tool"]["name"], "smtp-harness");
  EXPECT_EQ(document["started_at"], "2026-11-22T04:43:41.123Z");
  EXPECT_FALSE(document.contains("load"));
  const json& results = document["check"]["results"];
  ASSERT_EQ(results.size(), 6u);
  EXPECT_EQ(results[kPasses]["id"], "E1");
  EXPECT_EQ(results[kHostile]["id"], "D3");
  EXPECT_EQ(results[kHostile]["transcript"][kHostileEntry]["kind"], "server");
}

// A check result of version 1 (before the load part's delivery section) has
// the same check part: it still reads.
TEST(CheckResultJson, AVersionOneFileStillReads) {
  json document = sample_document();
  document["schema_version"] = 1;
  std::string error;
  EXPECT_TRUE(check_result_from_json(document, error).has_value()) << error;
}

TEST(CheckResultJson, CountsEveryVerdict) {
  const json counts = sample_document()["check"]["counts"];
  EXPECT_EQ(counts,
            (json{{"PASS", 1}, {"FAIL", 1}, {"WARN", 1}, {"INFO", 1}, {"SKIP", 1}, {"ERROR", 1}}));
}

TEST(CheckResultJson, RoundTripIsExact) {
  const CheckRunResult original = sample_check_result();
  std::string error;
  const auto read = check_result_from_json(json::parse(to_json(original).dump(2)), error);
  ASSERT_TRUE(read.has_value()) << error;
  expect_same(original, *read);
  // And writing what was read gives the same document again.
  EXPECT_EQ(to_json(original), to_json(*read));
}

TEST(CheckResultJson, TheServerAndTheHintsRoundTrip) {
  const json document = sample_document();
  const json& server = document["check"]["server"];
  EXPECT_EQ(server, (json{{"software", "Postfix"},
                          {"version", "unknown"},
                          {"banner", testing::hostile_banner()},
                          {"ehlo", "250-fake.test"}}));
  const json& results = document["check"]["results"];
  EXPECT_EQ(results[1]["hint"], testing::sample_hint());
  EXPECT_EQ(results[kHostile]["hint"], testing::hostile_reason());
  // No hint, no field.
  EXPECT_FALSE(results[kPasses].contains("hint"));
  std::string error;
  const auto read = check_result_from_json(document, error);
  ASSERT_TRUE(read.has_value()) << error;
  ASSERT_TRUE(read->server.has_value());
  EXPECT_EQ(*read->server, *sample_check_result().server);
  EXPECT_EQ(read->results[1].hint, testing::sample_hint());
  EXPECT_EQ(read->results[kPasses].hint, "");
  EXPECT_EQ(server_of(document["check"]), read->server);
}

TEST(CheckResultJson, FilesWrittenBeforeTheServerAndHintsAreStillRead) {
  json document = sample_document();
  document["check"].erase("server");
  for (json& result : document["check"]["results"]) result.erase("hint");
  std::string error;
  const auto read = check_result_from_json(document, error);
  ASSERT_TRUE(read.has_value()) << error;
  EXPECT_FALSE(read->server.has_value());
  for (const CheckResult& result : read->results) EXPECT_EQ(result.hint, "") << result.id;
  EXPECT_FALSE(server_of(document["check"]).has_value());
  // And they are written back as they were.
  EXPECT_EQ(to_json(*read), document);
}

TEST(CheckResultJson, BytesThatAreNotUtf8TravelInBase64BesideReadableText) {
  const json entry = sample_document()["check"]["results"][kHostile]["transcript"][kHostileEntry];
  const std::string text = entry["text"];
  // Each stray byte is \xnn; well-formed UTF-8 and control characters stay.
  EXPECT_NE(text.find("250-bad \\xff, \\xc3(, \\xc0\\xaf, \\xed\\xa0\\x80\r\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("tail \\xe2\\x82"), std::string::npos) << text;
  EXPECT_NE(text.find(std::string("NUL \0 ESC \x1b[31m", 13)), std::string::npos) << text;
  EXPECT_NE(text.find("Gr\xc3\xbc\xc3\x9f"
                      "e \xf0\x9f\x99\x82\n"),
            std::string::npos)
      << text;
  ASSERT_TRUE(entry.contains("octets_base64"));
  // Valid UTF-8, NUL and ESC included, needs no second copy.
  const json plain = sample_document()["check"]["results"][kHostile]["transcript"][1];
  EXPECT_EQ(plain["text"], "DATA\r\nSubject: x\n.\n");
  EXPECT_FALSE(plain.contains("octets_base64"));
}

TEST(CheckResultJson, OtherStringsThatAreNotUtf8GetTheirStrayBytesEscaped) {
  CheckRunResult run = sample_check_result();
  run.results[kPasses].reason = "server said \"\xff\xfe\"";
  run.results[kPasses].notes = {"note \xc0"};
  const json document = to_json(run);
  EXPECT_NO_THROW((void)document.dump());
  EXPECT_EQ(document["check"]["results"][kPasses]["reason"], "server said \"\\xff\\xfe\"");
  EXPECT_EQ(document["check"]["results"][kPasses]["notes"][0], "note \\xc0");
}

TEST(CheckResultJson, EmptyRunRoundTrips) {
  CheckRunResult run = sample_check_result();
  run.results.clear();
  std::string error;
  const auto read = check_result_from_json(json::parse(to_json(run).dump()), error);
  ASSERT_TRUE(read.has_value()) << error;
  EXPECT_TRUE(read->results.empty());
  EXPECT_EQ(to_json(*read)["check"]["counts"]["PASS"], 0);
}

// One corruption of the sample and the error it must give.
struct Corruption {
  std::string name;
  std::function<void(json&)> corrupt;
  std::string expected;
};

json& result_at(json& document, std::size_t index) {
  return document["check"]["results"][index];
}

json& hostile_entry(json& document) {
  return result_at(document, kHostile)["transcript"][kHostileEntry];
}

const std::vector<Corruption>& corruptions() {
  static const std::vector<Corruption> list = {
      {"schema", [](json& d) { d["schema"] = "other"; }, "schema: expected"},
      {"version", [](json& d) { d["schema_version"] = 3; },
       "schema_version: 3 is not supported (this build reads 1 and 2)"},
      {"kind", [](json& d) { d["kind"] = "load"; }, "kind: \"load\" is not a check result"},
      {"load part", [](json& d) { d["load"] = json::object(); },
       "load: only in a result of kind \"load\""},
      {"no check part", [](json& d) { d.erase("check"); }, "missing field \"check\""},
      {"started_at", [](json& d) { d["started_at"] = "2026-11-22 04:43:41Z"; },
       "started_at: \"2026-11-22 04:43:41Z\" is not"},
      {"tool", [](json& d) { d["tool"].erase("version"); }, "tool: missing field \"version\""},
      {"profile", [](json& d) { d["check"]["profile"] = "MX"; },
       "check.profile: unknown value \"MX\""},
      {"elapsed", [](json& d) { d["check"]["elapsed_seconds"] = -1; },
       "check.elapsed_seconds: expected a number >= 0"},
      {"unknown run field", [](json& d) { d["check"]["fail_on"] = "must"; },
       "check: unknown field \"fail_on\""},
      {"unknown result field", [](json& d) { result_at(d, 1)["extra"] = 1; },
       "check.results[1]: unknown field \"extra\""},
      {"missing result field", [](json& d) { result_at(d, 1).erase("notes"); },
       "check.results[1]: missing field \"notes\""},
      {"verdict", [](json& d) { result_at(d, 0)["verdict"] = "pass"; },
       "check.results[0].verdict: unknown value \"pass\""},
      {"level letter", [](json& d) { result_at(d, 0)["level"] = "M"; },
       "check.results[0].level: unknown value \"M\""},
      {"empty id", [](json& d) { result_at(d, 3)["id"] = ""; }, "check.results[3].id: empty"},
      {"duplicate id", [](json& d) { result_at(d, 4)["id"] = "E1"; },
       "check.results[4].id: \"E1\" is used twice"},
      {"seconds", [](json& d) { result_at(d, 0)["seconds"] = "0.1"; },
       "check.results[0].seconds: expected a number"},
      {"truncated flag", [](json& d) { result_at(d, 0)["transcript_truncated"] = 0; },
       "check.results[0].transcript_truncated: expected true or false"},
      {"note", [](json& d) { result_at(d, 1)["notes"][1] = 5; },
       "check.results[1].notes[1]: expected a string"},
      {"empty hint", [](json& d) { result_at(d, 0)["hint"] = ""; }, "check.results[0].hint: empty"},
      {"hint type", [](json& d) { result_at(d, 1)["hint"] = json::array(); },
       "check.results[1].hint: expected a string"},
      {"server field", [](json& d) { d["check"]["server"].erase("ehlo"); },
       "check.server: missing field \"ehlo\""},
      {"server unknown field", [](json& d) { d["check"]["server"]["os"] = "Debian"; },
       "check.server: unknown field \"os\""},
      {"server software", [](json& d) { d["check"]["server"]["software"] = ""; },
       "check.server.software: empty"},
      {"server version", [](json& d) { d["check"]["server"]["version"] = ""; },
       "check.server.version: empty"},
      {"counts disagree", [](json& d) { d["check"]["counts"]["FAIL"] = 2; },
       "check.counts.FAIL: 2, but 1 results have this verdict"},
      {"counts incomplete", [](json& d) { d["check"]["counts"].erase("ERROR"); },
       "check.counts: missing field \"ERROR\""},
      {"entry kind", [](json& d) { result_at(d, 0)["transcript"][1]["kind"] = "peer"; },
       "check.results[0].transcript[1].kind: unknown value \"peer\""},
      {"entry connection", [](json& d) { result_at(d, 0)["transcript"][1]["connection"] = -1; },
       "check.results[0].transcript[1].connection: expected a non-negative integer"},
      {"entry time", [](json& d) { result_at(d, 0)["transcript"][1]["at_seconds"] = -0.5; },
       "check.results[0].transcript[1].at_seconds: expected a number >= 0"},
      {"entry field", [](json& d) { result_at(d, 0)["transcript"][1]["bytes"] = ""; },
       "check.results[0].transcript[1]: unknown field \"bytes\""},
      {"base64 alphabet", [](json& d) { hostile_entry(d)["octets_base64"] = "not base64!"; },
       "check.results[2].transcript[2].octets_base64: not base64 (RFC 4648 §4)"},
      {"base64 disagrees", [](json& d) { hostile_entry(d)["octets_base64"] = "/w=="; },
       "check.results[2].transcript[2].text: disagrees with octets_base64"},
      {"base64 of UTF-8",
       [](json& d) {
         json& entry = result_at(d, 0)["transcript"][1];
         entry["text"] = "ok";
         entry["octets_base64"] = "b2s=";
       },
       "check.results[0].transcript[1].octets_base64: present, but the bytes are UTF-8"},
  };
  return list;
}

TEST(CheckResultJson, ReaderRefusesWhatTheSchemaRefusesAndMore) {
  for (const Corruption& corruption : corruptions()) {
    SCOPED_TRACE(corruption.name);
    json document = sample_document();
    corruption.corrupt(document);
    expect_refused(document, corruption.expected);
  }
}

TEST(CheckResultJson, TextWithoutBase64MustBeUtf8) {
  // A parsed file cannot hold such a string; a document built in memory can.
  json document = sample_document();
  result_at(document, 0)["transcript"][1]["text"] = "\xff";
  expect_refused(document, "check.results[0].transcript[1].text: not UTF-8");
}

TEST(CheckResultJson, LoadAndCheckReadersRefuseEachOthersFiles) {
  std::string error;
  EXPECT_FALSE(load_result_from_json(sample_document(), error).has_value());
  EXPECT_NE(error.find("kind: \"check\" is not a load result"), std::string::npos) << error;
  expect_refused(to_json(testing::sample_result()), "kind: \"load\" is not a check result");
}

TEST(CheckResultJson, ReaderRefusesWhatIsNotAnObject) {
  expect_refused(json::array(), "expected an object");
  expect_refused(json{{"schema", "smtp-harness/result"}}, "missing field \"schema_version\"");
}

TEST(CheckResultJson, HostileBytesSurviveADumpAndParse) {
  const json document = sample_document();
  std::string error;
  const auto read = check_result_from_json(json::parse(document.dump()), error);
  ASSERT_TRUE(read.has_value()) << error;
  EXPECT_EQ(read->results[kHostile].transcript[kHostileEntry].text, hostile_server_bytes());
}

}  // namespace
}  // namespace smtp::reports::check_result_json_test
