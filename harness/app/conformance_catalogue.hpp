#pragma once
// docs/CONFORMANCE.md, compiled into the program (CMake generates the
// definition of conformance_catalogue_text() from the file), and the entry of
// one check in it, for `smtp-harness check --explain ID`.
#include <optional>
#include <string>
#include <string_view>

namespace smtp::app {

const std::string& conformance_catalogue_text();

// The entry of check `id` in `catalogue`: from its "### ID — title" heading
// up to the next heading of level 2 or 3, trailing blank lines left out;
// nullopt when there is none (ids are compared exactly).
std::optional<std::string> conformance_entry(std::string_view catalogue, std::string_view id);

}  // namespace smtp::app
