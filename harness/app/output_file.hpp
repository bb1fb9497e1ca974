#pragma once
// Writing what a command produced (a result, a report) to the file the user
// named: created or truncated, written whole, and closed; false on any
// failure, for the command's "cannot write FILE".
#include <string>
#include <string_view>

namespace smtp::app {

bool write_output_file(const std::string& path, std::string_view text);

}  // namespace smtp::app
