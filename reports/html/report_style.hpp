#pragma once
// The report's stylesheet (reports/html/style.css), embedded at build time by
// embed_style.cmake.
#include <string>

namespace smtp::reports::html {

const std::string& report_style();

}  // namespace smtp::reports::html
