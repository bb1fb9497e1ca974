#pragma once
// Well-formed UTF-8 (RFC 3629 §4): no overlong forms, no surrogates, nothing
// above U+10FFFF. The one judge of it in the project: the reply parser (reply
// text, RFC 6531 §3.3), paths and command arguments under SMTPUTF8, the fake
// server's JSON and the report writers all ask here.
#include <cstddef>
#include <string_view>

namespace smtp::proto {

// The length of the character at text[0] when `text` may end in the middle
// of one (a stream cut short): 1 for ASCII, 2-4 for UTF8-non-ascii, 0 when it
// is ill-formed or `text` is empty, -1 when `text` ends inside a character
// that more octets could still complete.
int utf8_scan(std::string_view text);

// The length of the well-formed character that starts at text[0]: 1 for
// ASCII, 2-4 for UTF8-non-ascii, 0 for an ill-formed or cut-short sequence
// or empty text.
std::size_t utf8_char_length(std::string_view text);

// Whether all of `bytes` is well-formed UTF-8 (the empty text is).
bool is_utf8(std::string_view bytes);

}  // namespace smtp::proto
