#include "check/check_result.hpp"

#include <algorithm>

namespace smtp::check {

std::string_view to_string(TranscriptEntry::Kind kind) {
  switch (kind) {
    case TranscriptEntry::Kind::client:
      return "client";
    case TranscriptEntry::Kind::server:
      return "server";
    case TranscriptEntry::Kind::event:
      return "event";
    case TranscriptEntry::Kind::note:
      return "note";
  }
  return "?";
}

std::size_t CheckRunResult::count(Verdict verdict) const {
  return static_cast<std::size_t>(
      std::count_if(results.begin(), results.end(),
                    [verdict](const CheckResult& r) { return r.verdict == verdict; }));
}

bool run_failed(const CheckRunResult& run, bool fail_on_should) {
  return std::any_of(run.results.begin(), run.results.end(), [&](const CheckResult& r) {
    return r.verdict == Verdict::fail || r.verdict == Verdict::error ||
           (fail_on_should && r.verdict == Verdict::warn);
  });
}

}  // namespace smtp::check
