#pragma once
// rule { } and greylist { } of a profile (SCRIPTING.md), and the same action
// fields in a hook's return value. Everything is checked here, when the
// profile loads, so a running server never meets a rule it cannot carry out.
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fake-server/rules/greylist.hpp"
#include "fake-server/rules/rule.hpp"

struct lua_State;

namespace smtp::fake {

struct RuleSet {
  std::vector<rules::Rule> rules;
  std::set<std::string, std::less<>> names;  // rule names are unique
  std::optional<rules::GreylistSettings> greylist;
};

// Defines the globals `rule` and `greylist`, which add to `target`. `target`
// must outlive every call the script makes.
void register_rule_functions(lua_State* L, RuleSet* target);

// Reads the action fields of the table at `index` (a hook's return value),
// and checks them for the event `on`. Raises a Lua error on a bad field.
rules::Action read_action(lua_State* L, int index, std::string_view on);

// A PUT /api/rules body: Lua text with rule { } and greylist { } calls only.
// Throws script::ScriptError "rules:LINE: reason".
RuleSet load_rules_text(std::string_view code);

}  // namespace smtp::fake
