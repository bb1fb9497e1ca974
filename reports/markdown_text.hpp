#pragma once
// Text from a result file inside Markdown (GitHub Flavored Markdown, as a CI
// step summary renders it). A string becomes one line of literal text, fit
// for a table cell or a heading: & < > " ' become HTML character references
// (GFM passes raw HTML through, so a server's "<script>" must not stay
// markup); the characters Markdown gives a meaning inline (\ ` * _ [ ] ~ #
// and the table's |) are backslash-escaped (CommonMark §2.4, GFM §4.10 for
// \| in a table cell); CR, LF and TAB become spaces; other controls,
// bytes that are not UTF-8 and invisible or reordering characters become
// \xnn, as in the HTML report.
#include <string>
#include <string_view>

namespace smtp::reports {

std::string markdown_text(std::string_view bytes);

}  // namespace smtp::reports
