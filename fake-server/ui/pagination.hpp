#pragma once
// Lists of the web UI are shown a page at a time, newest first: ?page=N
// (1-based) over what the store and the session log keep (their limits,
// --store-limit and --sessions-kept, bound the lists themselves).
#include <cstddef>
#include <string>
#include <string_view>

namespace smtp::fake::ui {

inline constexpr std::size_t rows_per_page = 50;

struct Slice {
  std::size_t page = 1, pages = 1;
  std::size_t first = 0, end = 0;  // rows [first, end) of the list
};

// The rows of page `requested` (a ?page= value; absent or bad: the first).
Slice slice(std::size_t rows, std::string_view requested);

// "Page 2 of 5" with links to the others; `link` is the list's URL with its
// filters, ending in '?' or '&', to which "page=N" is added.
std::string page_links(const Slice& slice, std::string_view link);

}  // namespace smtp::fake::ui
