// select_checks (runner.hpp): which checks of a suite --only and --skip keep.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "check/runner.hpp"
#include "proto/ascii.hpp"

namespace smtp::check {

namespace {

// Whether `name` (from --only or --skip) names this check, by id or area.
bool names(std::string_view name, const script::CheckInfo& check) {
  return proto::iequals(name, check.id) || proto::iequals(name, check.area);
}

bool names_any(const std::vector<std::string>& list, const script::CheckInfo& check) {
  return std::any_of(list.begin(), list.end(),
                     [&](const std::string& name) { return names(name, check); });
}

// The first name of `list` that is no check's id or area: a typo in
// --only would otherwise silently run nothing, one in --skip run too much.
const std::string* unknown_name(const std::vector<std::string>& list,
                                const std::vector<script::CheckInfo>& checks) {
  for (const auto& name : list) {
    bool known = std::any_of(checks.begin(), checks.end(),
                             [&](const script::CheckInfo& check) { return names(name, check); });
    if (!known) return &name;
  }
  return nullptr;
}

}  // namespace

std::vector<std::size_t> select_checks(const std::vector<script::CheckInfo>& checks,
                                       const Selection& selection, std::string* error) {
  for (const auto* list : {&selection.only, &selection.skip}) {
    if (const std::string* name = unknown_name(*list, checks)) {
      if (error != nullptr) *error = "unknown check or area '" + *name + "'";
      return {};
    }
  }
  if (error != nullptr) error->clear();
  std::vector<std::size_t> selected;
  for (std::size_t i = 0; i < checks.size(); ++i) {
    const auto& check = checks[i];
    if (!selection.only.empty() && !names_any(selection.only, check)) continue;
    if (names_any(selection.skip, check)) continue;
    // A slow check (minutes long, L7) runs only when asked for by its id:
    // neither the whole suite nor its area brings it in.
    if (check.slow) {
      bool by_id =
          std::any_of(selection.only.begin(), selection.only.end(),
                      [&](const std::string& name) { return proto::iequals(name, check.id); });
      if (!by_id) continue;
    }
    selected.push_back(i);
  }
  return selected;
}

}  // namespace smtp::check
