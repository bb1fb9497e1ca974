#pragma once
// What makes the server misbehave on purpose: rules, greylisting, hooks.
// Replaceable at run time (PUT /api/rules), except the hooks.
#include <memory>
#include <optional>
#include <utility>

#include "fake-server/lua_hooks.hpp"
#include "fake-server/profile_rules.hpp"
#include "fake-server/rules/greylist.hpp"
#include "fake-server/rules/rule_engine.hpp"

namespace smtp::fake {

struct Behaviour {
  rules::RuleEngine rules;
  std::optional<rules::Greylist> greylist;
  std::shared_ptr<LuaHooks> hooks;

  void replace(RuleSet set) {
    rules.replace(std::move(set.rules));
    greylist.reset();
    if (set.greylist) greylist.emplace(std::move(*set.greylist));
  }
};

}  // namespace smtp::fake
