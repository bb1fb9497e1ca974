#pragma once
// The compare tests' thresholds from their texts; a text that does not parse
// fails the test that gave it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reports/compare_threshold.hpp"

namespace smtp::reports::testing {

inline std::vector<CompareThreshold> thresholds(const std::vector<std::string>& texts) {
  std::vector<CompareThreshold> parsed;
  for (const std::string& text : texts) {
    std::string error;
    auto threshold = parse_compare_threshold(text, error);
    EXPECT_TRUE(threshold.has_value()) << text << ": " << error;
    if (threshold) parsed.push_back(*threshold);
  }
  return parsed;
}

}  // namespace smtp::reports::testing
