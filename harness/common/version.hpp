#pragma once
// The version of smtp-harness, as the top-level CMakeLists.txt's project()
// gives it (PROJECT_VERSION, the one place it is written): what --version
// prints and what every result file names as its tool's version.
#include <string_view>

namespace smtp::common {

std::string_view harness_version();  // "0.1.0"

}  // namespace smtp::common
