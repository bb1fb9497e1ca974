#pragma once
// The reader tests' one assertion of a refusal: load_result_from_json must
// refuse `document` with an error that contains `expected`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "reports/result_json.hpp"

namespace smtp::reports::testing {

inline void expect_load_refused(const nlohmann::json& document, const std::string& expected) {
  std::string error;
  const auto result = load_result_from_json(document, error);
  EXPECT_FALSE(result.has_value()) << "accepted, expected: " << expected;
  EXPECT_NE(error.find(expected), std::string::npos)
      << "error: " << error << "\nexpected: " << expected;
}

}  // namespace smtp::reports::testing
