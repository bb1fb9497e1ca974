#pragma once
// Which actions make sense on which event (SCRIPTING.md "rule"): checked when
// a profile loads and when a hook returns, so that a profile cannot ask for
// an answer the session has no way to give.
#include <optional>
#include <string>
#include <string_view>

#include "fake-server/rules/rule.hpp"

namespace smtp::fake::rules {

// nullopt when `action` may answer an event `on` ("connect", ".", "tls", a
// verb or "*"); else one sentence saying why not.
std::optional<std::string> check_action(const Action& action, std::string_view on);

}  // namespace smtp::fake::rules
