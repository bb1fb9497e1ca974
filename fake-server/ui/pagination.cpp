#include "fake-server/ui/pagination.hpp"

#include <algorithm>

#include "fake-server/http_form.hpp"

namespace smtp::fake::ui {

Slice slice(std::size_t rows, std::string_view requested) {
  Slice s;
  s.pages = std::max<std::size_t>(1, (rows + rows_per_page - 1) / rows_per_page);
  const auto page = to_number(requested).value_or(1);
  s.page = static_cast<std::size_t>(std::clamp<std::uint64_t>(page, 1, s.pages));
  s.first = (s.page - 1) * rows_per_page;
  s.end = std::min(rows, s.first + rows_per_page);
  return s;
}

std::string page_links(const Slice& slice, std::string_view link) {
  if (slice.pages == 1) return {};
  const auto to = [&](std::size_t page, std::string_view label) {
    return "<a href=\"" + std::string(link) + "page=" + std::to_string(page) + "\">" +
           std::string(label) + "</a>";
  };
  std::string out = "<nav class=\"pages\">";
  if (slice.page > 1) out += to(slice.page - 1, "&larr; newer");
  out +=
      "<span>page " + std::to_string(slice.page) + " of " + std::to_string(slice.pages) + "</span>";
  if (slice.page < slice.pages) out += to(slice.page + 1, "older &rarr;");
  return out + "</nav>\n";
}

}  // namespace smtp::fake::ui
