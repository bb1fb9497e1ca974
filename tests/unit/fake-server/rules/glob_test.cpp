#include "fake-server/rules/glob.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace smtp::fake::rules::glob_test {
namespace {

TEST(Glob, EmptyPatternMatchesOnlyEmptyText) {
  EXPECT_TRUE(glob_match("", ""));
  EXPECT_FALSE(glob_match("", "a"));
}

TEST(Glob, LiteralMatchesItselfOnly) {
  EXPECT_TRUE(glob_match("abc", "abc"));
  EXPECT_FALSE(glob_match("abc", "ab"));
  EXPECT_FALSE(glob_match("abc", "abcd"));
  EXPECT_FALSE(glob_match("abc", "abd"));
  EXPECT_FALSE(glob_match("abc", ""));
}

TEST(Glob, StarMatchesAnyRunIncludingEmpty) {
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("*", "anything at all"));
  EXPECT_TRUE(glob_match("**", ""));
  EXPECT_TRUE(glob_match("a*", "a"));
  EXPECT_TRUE(glob_match("a*c", "ac"));
  EXPECT_TRUE(glob_match("a*c", "abbbc"));
  EXPECT_FALSE(glob_match("a*c", "abbbd"));
  EXPECT_TRUE(glob_match("*@example.org", "alice@example.org"));
  EXPECT_FALSE(glob_match("*@example.org", "alice@example.org.evil"));
  EXPECT_TRUE(glob_match("FROM:<*@example.org>*", "FROM:<a@example.org> SIZE=10"));
}

TEST(Glob, StarRetriesAfterAFalseStart) {
  // The first "b" after the star is not the one that makes the rest match.
  EXPECT_TRUE(glob_match("*bc", "abbc"));
  EXPECT_TRUE(glob_match("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(glob_match("a*b*c", "aXbYbZ"));
}

TEST(Glob, QuestionMarkIsExactlyOneOctet) {
  EXPECT_TRUE(glob_match("?", "x"));
  EXPECT_FALSE(glob_match("?", ""));
  EXPECT_FALSE(glob_match("?", "xy"));
  EXPECT_TRUE(glob_match("a?c", "abc"));
  EXPECT_TRUE(glob_match("*?", "x"));
  EXPECT_FALSE(glob_match("*??", "x"));
}

TEST(Glob, AsciiCaseIsIgnored) {
  EXPECT_TRUE(glob_match("*@EXAMPLE.org", "Alice@example.ORG"));
  EXPECT_TRUE(glob_match("ehlo", "EHLO"));
  // Only ASCII folds: other octets must be equal.
  EXPECT_FALSE(glob_match("\xc3\xa9", "\xc3\x89"));
  EXPECT_TRUE(glob_match("\xc3\xa9", "\xc3\xa9"));
  // '[' and '{' are 0x20 apart like letters but are not letters.
  EXPECT_FALSE(glob_match("[", "{"));
}

// The obvious recursive definition, exponential but fine for short inputs.
bool oracle(std::string_view p, std::string_view t) {
  if (p.empty()) return t.empty();
  if (p.front() == '*') return oracle(p.substr(1), t) || (!t.empty() && oracle(p, t.substr(1)));
  if (t.empty()) return false;
  if (p.front() != '?' && p.front() != t.front()) return false;
  return oracle(p.substr(1), t.substr(1));
}

// Every string over `alphabet` up to `max_length` octets.
std::vector<std::string> all_strings(std::string_view alphabet, std::size_t max_length) {
  std::vector<std::string> out{""};
  for (std::size_t begin = 0; begin < out.size(); ++begin) {
    if (out[begin].size() == max_length) continue;
    for (char c : alphabet) out.push_back(out[begin] + c);
  }
  return out;
}

TEST(Glob, AgreesWithTheRecursiveDefinition) {
  const auto patterns = all_strings("ab*?", 5);
  const auto texts = all_strings("ab", 6);
  for (const auto& p : patterns) {
    for (const auto& t : texts) {
      ASSERT_EQ(glob_match(p, t), oracle(p, t)) << "pattern '" << p << "' text '" << t << "'";
    }
  }
}

TEST(Glob, PathologicalPatternFinishesQuickly) {
  const std::string text(20000, 'a');
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(glob_match("*a*a*a*a*b", text));
  EXPECT_TRUE(glob_match("*a*a*a*a*a", text));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

}  // namespace
}  // namespace smtp::fake::rules::glob_test
