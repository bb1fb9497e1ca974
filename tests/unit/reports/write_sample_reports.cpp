// Writes the renderers' output for the reports samples into a directory, so
// that ctest can check it with real parsers (report_wellformed.py: Python's
// html.parser and xml.etree):
//   report.html   the sample check and load results on one page
//   hostile.html  the hostile load result and the sample check result
//   load.xml, hostile_load.xml   JUnit of the load results
//   summary.md    Markdown of all three
//
// usage: write_sample_reports DIRECTORY
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "hostile_results.hpp"
#include "reports/html/html_report.hpp"
#include "reports/junit_load.hpp"
#include "reports/markdown.hpp"

namespace {

bool write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) std::cerr << path.string() << ": cannot write\n";
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: write_sample_reports DIRECTORY\n";
    return 2;
  }
  using namespace smtp::reports;
  const std::filesystem::path directory = argv[1];
  std::filesystem::create_directories(directory);
  const ResultDocument load = testing::sample_load_document();
  const ResultDocument check = testing::sample_check_document();
  const ResultDocument hostile = testing::hostile_load_document();
  const bool written = write(directory / "report.html", to_html({check, load})) &&
                       write(directory / "hostile.html", to_html({hostile, check})) &&
                       write(directory / "load.xml", load_junit(load.document)) &&
                       write(directory / "hostile_load.xml", load_junit(hostile.document)) &&
                       write(directory / "summary.md", to_markdown({check, load, hostile}));
  return written ? 0 : 1;
}
