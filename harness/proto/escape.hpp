#pragma once
// Makes untrusted bytes safe to print in one line: error details, transcripts
// on a terminal, log lines. Printable ASCII stays; CR, LF, TAB and backslash
// become \r \n \t \\; every other byte becomes \xNN. HTML escaping is a
// different job and lives with the HTML writer.
#include <cstddef>
#include <string>
#include <string_view>

namespace smtp::proto {

// At most `max_input` bytes of `bytes` are escaped; a longer input ends with
// "..." so a 1 MiB line cannot flood a log.
std::string escape_bytes(std::string_view bytes, std::size_t max_input = 256);

}  // namespace smtp::proto
