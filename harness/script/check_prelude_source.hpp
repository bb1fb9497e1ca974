#pragma once
// check_prelude.lua, compiled into the program (CMake generates the
// definition from the file, so the Lua stays readable and testable as Lua).
#include <string>

namespace smtp::script {

const std::string& check_prelude_source();

}  // namespace smtp::script
