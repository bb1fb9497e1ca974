#pragma once
// Arbitrary bytes as XML 1.0 character data, for the JUnit writer. The
// transcript and the reasons hold what a server sent, so any byte can occur:
// what XML cannot carry is replaced, the rest is escaped, and the document
// stays well-formed whatever the peer sent.
#include <string>
#include <string_view>

namespace smtp::reports {

// Element content. Characters that XML 1.0 does not allow (§2.2 Char: the
// C0 controls other than TAB, LF and CR, U+FFFE, U+FFFF) and bytes that are
// not UTF-8 become \xnn per byte; & < > " ' become entity references (">"
// too, so that "]]>" cannot appear); CR becomes &#13;, which a parser would
// otherwise turn into LF (§2.11).
std::string xml_content(std::string_view bytes);

// An attribute value between double quotes: as xml_content, and TAB and LF
// become &#9; and &#10;, which attribute-value normalisation (§3.3.3) would
// otherwise turn into spaces.
std::string xml_attribute(std::string_view bytes);

}  // namespace smtp::reports
