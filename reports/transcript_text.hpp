#pragma once
// A check's transcript as plain text for a person reading a CI log (JUnit's
// <system-out>; the Markdown summary can use it too). Each line on the wire
// is one line of text, with its line ending shown ("\r\n", or a bare "\n"
// that a smuggling check is about), so that the evidence is exact and
// readable:
//
//    0.000 #1 event  connected to 127.0.0.1:2525
//    0.003 #1 server 250-fake.test\r\n
//                    250 SIZE 10240000\r\n
//    0.004 #1 client MAIL FROM:<a@example.org>\r\n
#include <string>
#include <string_view>
#include <vector>

#include "check/check_result.hpp"

namespace smtp::reports {

// The bytes with everything invisible or misleading made visible: printable
// ASCII and UTF-8 letters stay; backslash becomes \\; CR, LF and TAB become
// \r \n \t; other controls (C0, DEL, C1), U+FFFE, U+FFFF, the bidirectional
// embeddings, overrides and isolates (which would reorder what the reader
// sees: U+202A..U+202E, U+2066..U+2069) and bytes that are not UTF-8 become
// \xnn per byte. A line break follows each \n, so a line on the wire is a
// line of text; the result has no other control character.
std::string visible_bytes(std::string_view bytes);

// Every entry: time since the check started, connection (" -" for notes),
// kind, then its text through visible_bytes. Ends with a newline unless empty.
std::string transcript_text(const std::vector<check::TranscriptEntry>& transcript);

}  // namespace smtp::reports
