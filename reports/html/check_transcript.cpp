#include "reports/html/check_transcript.hpp"

#include "proto/base64.hpp"
#include "reports/fixed_decimal.hpp"
#include "reports/html/html_blocks.hpp"
#include "reports/html/html_text.hpp"
#include "reports/transcript_text.hpp"

namespace smtp::reports::html {
namespace {

std::string entry_bytes(const nlohmann::json& entry) {
  if (entry.contains("octets_base64")) {
    // Validated on reading (check_result_from_json): it decodes.
    if (auto bytes = proto::base64_decode(json_text(entry, "octets_base64"))) return *bytes;
  }
  return json_text(entry, "text");
}

std::string padded(std::string text, std::size_t width, bool left) {
  if (text.size() < width) text.insert(left ? 0 : text.size(), width - text.size(), ' ');
  return text;
}

}  // namespace

std::string transcript_html(const nlohmann::json& transcript) {
  std::string html;
  for (const nlohmann::json& entry : transcript) {
    const std::uint64_t connection = json_count(entry, "connection");
    const std::string kind = json_text(entry, "kind");
    const std::string meta =
        padded(fixed_decimal(json_number(entry, "at_seconds"), 3), 8, true) + " " +
        padded(connection == 0 ? " -" : "#" + std::to_string(connection), 2, false) + " " +
        padded(kind, 6, false) + " ";
    const std::string indent(meta.size(), ' ');
    // The kind is one of four (validated); the class names are ours.
    const std::string css = kind == "client" || kind == "server" || kind == "event" ? kind : "note";
    const std::string text = visible_bytes(entry_bytes(entry));
    html += "<span class=\"meta\">" + html_text(meta) + "</span>";
    if (text.empty()) {
      html += "\n";
      continue;
    }
    // visible_bytes breaks the line after each \n it writes.
    for (std::size_t at = 0; at < text.size();) {
      const std::size_t end = text.find('\n', at);
      const std::size_t stop = end == std::string::npos ? text.size() : end;
      if (at > 0) html += indent;
      html += "<span class=\"" + css + "\">" + html_text(text.substr(at, stop - at)) + "</span>\n";
      at = stop + 1;
    }
  }
  return html;
}

}  // namespace smtp::reports::html
