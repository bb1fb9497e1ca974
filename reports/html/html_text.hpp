#pragma once
// Text from a result file as HTML (the HTML report). Every string of a result
// may hold what a server sent (banners, replies, reasons quoting them,
// transcripts) or what a user typed (targets, paths, threshold text), so
// everything that goes into the page goes through here, in element content
// and in double-quoted attribute values alike (HTML Living Standard §13.1.4,
// §13.2.5: & < > " ' as character references). What HTML must not carry, or
// would show misleadingly, is made visible as \xnn per byte, as the JSON
// writer and JUnit do (reports/utf8_text.hpp, reports/transcript_text.hpp):
// bytes that are not UTF-8, control characters other than TAB and LF (CR as
// \r), C1 controls, noncharacters and the bidirectional overrides. U+2028 and
// U+2029 become character references, so that no raw line separator reaches
// the file. The output is always valid UTF-8.
#include <string>
#include <string_view>

namespace smtp::reports::html {

std::string html_text(std::string_view bytes);

// Transcript bytes (the exact bytes of one entry): the line endings and
// controls made visible by reports::visible_bytes ("\r\n" written out, a line
// break after each LF, backslash doubled), then html_text. For a <pre>.
std::string html_transcript_bytes(std::string_view bytes);

}  // namespace smtp::reports::html
