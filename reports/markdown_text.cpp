#include "reports/markdown_text.hpp"

#include "proto/path.hpp"
#include "reports/html/html_text.hpp"
#include "reports/utf8_text.hpp"

namespace smtp::reports {
namespace {

// With [ and ] escaped no link or image can form, so ( ) ! stay as they are;
// # matters at the end of a heading (a closing sequence, CommonMark §4.2).
constexpr std::string_view kMarkdownPunctuation = "\\`*_[]|~#";

}  // namespace

std::string markdown_text(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  for (std::size_t at = 0; at < bytes.size();) {
    const std::size_t length = proto::utf8_char_length(bytes.substr(at));
    if (length == 0) {
      append_hex_escape(out, static_cast<unsigned char>(bytes[at]));
      ++at;
      continue;
    }
    const std::string_view sequence = bytes.substr(at, length);
    at += length;
    if (length == 1 && kMarkdownPunctuation.find(sequence[0]) != std::string_view::npos) {
      out += '\\';
      out += sequence[0];
    } else if (length == 1 && (sequence[0] == '\r' || sequence[0] == '\n' || sequence[0] == '\t')) {
      out += ' ';
    } else {
      // Entities for & < > " ', \xnn for controls and hidden characters.
      out += html::html_text(sequence);
    }
  }
  return out;
}

}  // namespace smtp::reports
