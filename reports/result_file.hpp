#pragma once
// A result file read for rendering (smtp-harness report): parsed as JSON and
// validated in full by the strict readers of its kind (result_json.hpp,
// check_result_json.hpp), so that the renderers, which read the JSON itself
// (ARCHITECTURE.md §2, load step 6), can rely on every field the schema
// requires. Errors name the file and the place: "run.json: schema_version: 3 is
// not supported (this build reads 1 and 2)".
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace smtp::reports {

struct ResultDocument {
  std::string name;  // the file as given, for headings and errors
  std::string kind;  // "load" or "check"
  nlohmann::json document;
};

class ResultFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads `path` and validates it. Throws ResultFileError.
ResultDocument read_result_file(const std::string& path);

// The same checks for a document already in memory, named `name` in errors.
ResultDocument validate_result(std::string name, nlohmann::json document);

// The text of a result file (what load, merge and check write with --json):
// indented by one space, with a final newline. Strings that are not UTF-8 (a
// target's bytes, a counter's name from Lua) get U+FFFD in place of each
// ill-formed sequence, so the file is always valid JSON.
std::string result_file_text(const nlohmann::json& document);

}  // namespace smtp::reports
