#include "reports/markdown_text.hpp"

#include "reports/html/html_text.hpp"

namespace smtp::reports {
namespace {

// With [ and ] escaped no link or image can form, so ( ) ! stay as they are;
// # matters at the end of a heading (a closing sequence, CommonMark §4.2).
constexpr std::string_view kMarkdownPunctuation = "\\`*_[]|~#";

}  // namespace

std::string markdown_text(std::string_view bytes) {
  // The Markdown layer first, byte by byte: ASCII never occurs inside a
  // multi-byte UTF-8 sequence (RFC 3629 §3), so this leaves every other
  // character whole. Then html_text: entities for & < > " ', \xnn for
  // controls, hidden characters and bytes that are not UTF-8.
  std::string marked;
  marked.reserve(bytes.size() + bytes.size() / 8);
  for (const char c : bytes) {
    if (kMarkdownPunctuation.find(c) != std::string_view::npos) {
      marked += '\\';
      marked += c;
    } else if (c == '\r' || c == '\n' || c == '\t') {
      marked += ' ';
    } else {
      marked += c;
    }
  }
  return html::html_text(marked);
}

}  // namespace smtp::reports
