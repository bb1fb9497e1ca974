#pragma once
// fake-smtpd's PROFILE.lua. A profile calls `server { ... }` to set what the
// server advertises and enforces (SCRIPTING.md "fake-smtpd profiles"). Command
// line flags given explicitly override the profile.
#include <string>

#include "fake-server/server_settings.hpp"

namespace smtp::fake {

// Runs the profile and applies its settings. Throws script::ScriptError with
// "file:line: reason" for a syntax error, an unknown field or a bad value.
void load_profile(const std::string& path, ServerSettings& options);

}  // namespace smtp::fake
