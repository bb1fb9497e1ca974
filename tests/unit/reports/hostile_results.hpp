#pragma once
// Result documents for the renderers' tests (HTML, Markdown, JUnit): the
// reports samples (sample_result, sample_check_result) as validated JSON, and
// a load result (with a delivery section) whose every free-text field is hostile: markup, quotes,
// "</style>", "]]>", control characters, U+2028, a bidirectional override and
// bytes that are not UTF-8 (the in-memory JSON keeps them, as a renderer
// handed a document by other code might get them).
#include <string>

#include "load/result.hpp"
#include "reports/result_file.hpp"

namespace smtp::reports::testing {

// Every kind of trouble in one string, invalid UTF-8 included.
std::string hostile_text();

load::RunResult hostile_load_result();

ResultDocument sample_load_document();
// sample_sink_result: a run with --sink, with its delivery section.
ResultDocument sample_sink_load_document();
ResultDocument sample_check_document();
ResultDocument hostile_load_document();

}  // namespace smtp::reports::testing
