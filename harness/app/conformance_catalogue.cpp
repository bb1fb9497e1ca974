#include "app/conformance_catalogue.hpp"

namespace smtp::app {
namespace {

// The entry without its trailing blank lines, ending in one newline.
std::string trimmed(std::string_view entry) {
  while (!entry.empty() && (entry.back() == '\n' || entry.back() == ' ')) entry.remove_suffix(1);
  return std::string(entry) + '\n';
}

}  // namespace

std::optional<std::string> conformance_entry(std::string_view catalogue, std::string_view id) {
  const std::string heading = "### " + std::string(id) + " \u2014 ";
  std::size_t start = std::string_view::npos;
  std::size_t at = 0;
  while (at < catalogue.size()) {
    const auto end = catalogue.find('\n', at);
    const auto line = catalogue.substr(at, end == std::string_view::npos ? end : end - at);
    if (start == std::string_view::npos) {
      if (line.starts_with(heading)) start = at;
    } else if (line.starts_with("### ") || line.starts_with("## ")) {
      return trimmed(catalogue.substr(start, at - start));
    }
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  if (start == std::string_view::npos) return std::nullopt;
  return trimmed(catalogue.substr(start));
}

}  // namespace smtp::app
