#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "check/runner.hpp"

namespace smtp::check::selection_test {
namespace {

using Indexes = std::vector<std::size_t>;

script::CheckInfo info(std::string id, std::string area, bool slow = false) {
  script::CheckInfo check;
  check.id = std::move(id);
  check.area = std::move(area);
  check.slow = slow;
  return check;
}

// Two areas and a slow check, as the suite files declare them.
const std::vector<script::CheckInfo>& suite() {
  static const std::vector<script::CheckInfo> checks = {
      info("G1", "greeting"), info("G2", "greeting"), info("L1", "limits"),
      info("L7", "limits", true), info("C1", "core")};
  return checks;
}

Indexes select(std::vector<std::string> only, std::vector<std::string> skip,
               std::string* error = nullptr) {
  Selection selection;
  selection.only = std::move(only);
  selection.skip = std::move(skip);
  std::string ignored;
  return select_checks(suite(), selection, error != nullptr ? error : &ignored);
}

TEST(SelectChecks, EmptyOnlyKeepsAllButSlowChecks) {
  std::string error = "stale";
  EXPECT_EQ(select({}, {}, &error), (Indexes{0, 1, 2, 4}));
  EXPECT_EQ(error, "");
}

TEST(SelectChecks, OnlyByIdOrAreaInSuiteOrder) {
  EXPECT_EQ(select({"C1", "G2"}, {}), (Indexes{1, 4}));
  EXPECT_EQ(select({"greeting"}, {}), (Indexes{0, 1}));
  EXPECT_EQ(select({"core", "greeting"}, {}), (Indexes{0, 1, 4}));
}

TEST(SelectChecks, NamesMatchWithoutCase) {
  EXPECT_EQ(select({"g1", "CORE"}, {}), (Indexes{0, 4}));
  EXPECT_EQ(select({}, {"Greeting"}), (Indexes{2, 4}));
}

TEST(SelectChecks, SkipByIdOrAreaWinsOverOnly) {
  EXPECT_EQ(select({}, {"G1"}), (Indexes{1, 2, 4}));
  EXPECT_EQ(select({"greeting"}, {"G2"}), (Indexes{0}));
  EXPECT_EQ(select({}, {"limits", "core"}), (Indexes{0, 1}));
}

TEST(SelectChecks, SlowCheckOnlyWhenOnlyNamesItsId) {
  EXPECT_EQ(select({"limits"}, {}), (Indexes{2}));
  EXPECT_EQ(select({"L7"}, {}), (Indexes{3}));
  EXPECT_EQ(select({"limits", "l7"}, {}), (Indexes{2, 3}));
  EXPECT_EQ(select({"L7"}, {"L7"}), (Indexes{}));
}

TEST(SelectChecks, UnknownNameIsAnError) {
  std::string error;
  EXPECT_EQ(select({"G1", "Z9"}, {}, &error), (Indexes{}));
  EXPECT_EQ(error, "unknown check or area 'Z9'");
  EXPECT_EQ(select({}, {"greetings"}, &error), (Indexes{}));
  EXPECT_EQ(error, "unknown check or area 'greetings'");
}

TEST(SelectChecks, IdMustMatchWhole) {
  std::string error;
  EXPECT_EQ(select({"G"}, {}, &error), (Indexes{}));
  EXPECT_EQ(error, "unknown check or area 'G'");
}

TEST(SelectChecks, EmptySuiteSelectsNothing) {
  std::string error;
  EXPECT_EQ(select_checks({}, Selection{}, &error), (Indexes{}));
  EXPECT_EQ(error, "");
}

}  // namespace
}  // namespace smtp::check::selection_test
