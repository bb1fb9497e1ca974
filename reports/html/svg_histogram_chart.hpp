#pragma once
// The latency distribution as stacked bars (one colour per reply class) over
// a log axis of latency, bar height the number of timings in the bin.
#include <string>

#include "reports/html/latency_distribution.hpp"

namespace smtp::reports::html {

std::string svg_histogram_chart(const Distribution& distribution, const std::string& title);

}  // namespace smtp::reports::html
