#pragma once
// What one run of the compliance suite found: per check its verdict, the
// reason, and the transcript as evidence (ARCHITECTURE.md §2, check step 4:
// every verdict carries its transcript). Standard library only; reports/ writes
// it as JSON (reports/schema/result.schema.json, kind "check") and JUnit XML.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "check/server_identity.hpp"
#include "check/verdict.hpp"

namespace smtp::check {

struct TranscriptEntry {
  enum class Kind : std::uint8_t {
    client,  // bytes the harness wrote
    server,  // bytes the target sent
    event,   // connected, TLS established, closed by the peer, a timeout ...
    note,    // the check's own remark (t:note)
  };
  double at_seconds = 0;  // since the check started
  int connection = 0;     // 1, 2, ... within the check; 0 for notes
  Kind kind = Kind::event;
  // client/server: the bytes as they went over the wire (credentials
  // replaced by "<redacted N octets>"), not escaped: writers escape.
  std::string text;
};
std::string_view to_string(TranscriptEntry::Kind kind);

struct CheckResult {
  std::string id;     // "E7"
  std::string title;  // "A second EHLO resets the transaction"
  std::string rfc;    // "RFC 5321 §4.1.4"
  Level level = Level::must;
  std::string area;    // the suite file's name without ".lua": "ehlo"
  std::string source;  // "scenarios/compliance/ehlo.lua:42"
  Verdict verdict = Verdict::error;
  std::string reason;              // why, one line; empty for a plain PASS
  std::vector<std::string> notes;  // t:info and t:note lines, in order
  // What to change on this server to fix it (remediation_hints.hpp); empty
  // when the table has nothing for its software, this check and verdict.
  std::string hint;
  std::vector<TranscriptEntry> transcript;
  bool transcript_truncated = false;  // the check sent or received more than the cap
  double seconds = 0;                 // how long the check ran
};

struct CheckRunResult {
  std::string target;   // "host:port" as given
  std::string profile;  // "mx", "relay", "submission", "implicit-tls"
  std::chrono::system_clock::time_point started_at;
  double elapsed_seconds = 0;
  // What the probe before the checks found out about the server (runner.hpp);
  // absent in result files older than it.
  std::optional<ServerIdentity> server;
  std::vector<CheckResult> results;  // in suite order

  std::size_t count(Verdict verdict) const;
};

// The exit code's rule (README, "smtp-harness check"): a FAIL, or an ERROR,
// fails the run; with fail_on_should a WARN does too.
bool run_failed(const CheckRunResult& run, bool fail_on_should);

}  // namespace smtp::check
