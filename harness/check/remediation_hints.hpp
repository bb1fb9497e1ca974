#pragma once
// What to change on a known server when a check found a fault that a setting
// fixes: a table (remediation_hints.cpp) keyed by the server's software (as
// identify_server names it), the check's id and its verdict, never code
// paths. The runner adds the hint to a result after its verdict is given
// (runner.cpp); a check never sees it, so a hint can never change a verdict.
// Only fixes the server's own documentation states are in the table
// (docs/CONFORMANCE.md, "Hints"). Standard library only (the check model).
#include <span>
#include <string>
#include <string_view>

#include "check/verdict.hpp"

namespace smtp::check {

struct RemediationHint {
  std::string_view software;  // ServerIdentity::software: "Postfix"
  std::string_view check;     // "D3"
  Verdict verdict;            // the verdict the setting fixes
  std::string_view advice;    // what to set, and what else it changes
  std::string_view since;     // the versions that have the setting; empty: all
};

// The whole table, for the tests and the documentation.
std::span<const RemediationHint> remediation_hints();

// The hint for `verdict` of `check` on `software`, its versions in
// parentheses: "set ... (needs Postfix 3.5.24, ...)". Empty when the table
// has none.
std::string remediation_hint(std::string_view software, std::string_view check, Verdict verdict);

}  // namespace smtp::check
