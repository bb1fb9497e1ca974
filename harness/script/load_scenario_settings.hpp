#pragma once
// Reading a load scenario's table of settings (SCRIPTING.md "Load
// scenarios"): a table of known fields, each with its type and range; an
// unknown field is an error that lists the known ones.
#include <string>

#include "script/load_scenario.hpp"

struct lua_State;

namespace smtp::script {

// Reads the table at `index`. Call it inside a protected call: a bad field
// raises a Lua error "path: <field> must be ..." or
// "path: unknown field 'x' (known: ...)".
ScenarioSettings read_scenario_settings(lua_State* L, int index, const std::string& path);

// Checks that the value at the top of the stack is a function (a hook) or
// nil; raises "path: <field> must be a function" otherwise. True for a
// function.
bool read_hook(lua_State* L, const std::string& path, const char* field);

}  // namespace smtp::script
