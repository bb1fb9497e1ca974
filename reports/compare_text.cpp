// compare_text: the comparison on a terminal (compare_output.hpp).
#include <algorithm>
#include <array>

#include "load/format.hpp"
#include "proto/escape.hpp"
#include "reports/compare_cells.hpp"
#include "reports/compare_output.hpp"

namespace smtp::reports {
namespace {

constexpr std::size_t kColumns = 6;
using Line = std::array<std::string, kColumns>;

// Numbers align on the right, words on the left.
constexpr std::array<bool, kColumns> kRightAligned = {false, true, true, true, false, false};

// Columns on a terminal: one per UTF-8 character ("µs" is two bytes, one
// column). Every cell is our own formatting, so no wide characters occur.
std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string padded(const std::string& text, std::size_t width, bool right) {
  const std::string fill(width - std::min(width, display_width(text)), ' ');
  return right ? fill + text : text + fill;
}

std::string run_line(std::string_view role, const ComparedRun& run) {
  return "  " + std::string(role) + proto::escape_bytes(run.name) + "  started " + run.started_at +
         "  target " + proto::escape_bytes(run.target) + "  ran " +
         load::format_number(run.elapsed_seconds) + " s (" + proto::escape_bytes(run.stop_reason) +
         ")\n";
}

}  // namespace

std::string compare_text(const Comparison& comparison) {
  std::vector<Line> lines = {{"metric", "BASE", "NEW", "change", "limit", "verdict"}};
  std::vector<bool> group_starts = {false};
  std::string group;
  for (const CompareRow& row : comparison.rows) {
    CompareCells cells = compare_cells(comparison, row);
    const std::string row_group_name = row_group(row);
    group_starts.push_back(!group.empty() && row_group_name != group);
    group = row_group_name;
    lines.push_back({std::move(cells.metric), std::move(cells.base), std::move(cells.candidate),
                     std::move(cells.change), std::move(cells.limit), std::move(cells.verdict)});
  }
  std::array<std::size_t, kColumns> widths{};
  for (const Line& line : lines) {
    for (std::size_t c = 0; c < kColumns; ++c) {
      widths[c] = std::max(widths[c], display_width(line[c]));
    }
  }

  std::string out = "smtp-harness compare\n" + run_line("BASE ", comparison.base) +
                    run_line("NEW  ", comparison.candidate) + "\n";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (group_starts[i]) out += '\n';
    std::string text;
    for (std::size_t c = 0; c < kColumns; ++c) {
      text += padded(lines[i][c], widths[c], kRightAligned[c]) + (c + 1 < kColumns ? "  " : "");
    }
    text.erase(text.find_last_not_of(' ') + 1);
    out += text + '\n';
  }
  return out + '\n' + summary_line(comparison) + '\n';
}

}  // namespace smtp::reports
