#pragma once
// A check's transcript as the body of a <pre>, laid out as JUnit's
// (reports/transcript_text.hpp): time, connection, kind, then the bytes with
// their line endings and controls made visible, one wire line per text line.
// An entry's exact bytes are its octets_base64 when present (bytes that are
// not UTF-8), else its text (the schema's BYTES THAT ARE NOT UTF-8), so stray
// bytes show as \xnn and a backslash the server sent as \\.
#include <nlohmann/json.hpp>
#include <string>

namespace smtp::reports::html {

std::string transcript_html(const nlohmann::json& transcript);

}  // namespace smtp::reports::html
