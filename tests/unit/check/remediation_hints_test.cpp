// remediation_hint: the table's lookup by software, check id and verdict.
#include "check/remediation_hints.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <tuple>

namespace smtp::check {
namespace {

TEST(RemediationHint, PostfixBareNewlineFailuresNameTheSetting) {
  const std::string d3 = remediation_hint("Postfix", "D3", Verdict::fail);
  EXPECT_EQ(d3.rfind("set smtpd_forbid_bare_newline = normalize in main.cf", 0), 0u) << d3;
  EXPECT_NE(d3.find("smtpd_forbid_bare_newline_exclusions (default $mynetworks)"),
            std::string::npos)
      << d3;
  EXPECT_NE(d3.find("(needs Postfix 3.5.24, 3.6.14, 3.7.10, 3.8.5, 3.9 or later)"),
            std::string::npos)
      << d3;
  EXPECT_EQ(remediation_hint("Postfix", "D4", Verdict::fail), d3);
  const std::string d5 = remediation_hint("Postfix", "D5", Verdict::fail);
  EXPECT_EQ(d5.rfind("set smtpd_forbid_bare_newline = reject in main.cf", 0), 0u) << d5;
  EXPECT_NE(d5.find("(needs Postfix 3.5.24"), std::string::npos) << d5;
}

TEST(RemediationHint, NoneForAnotherVerdictCheckOrServer) {
  EXPECT_EQ(remediation_hint("Postfix", "D3", Verdict::pass), "");
  EXPECT_EQ(remediation_hint("Postfix", "D3", Verdict::warn), "");
  EXPECT_EQ(remediation_hint("Postfix", "C5", Verdict::warn), "");  // no HELP setting exists
  EXPECT_EQ(remediation_hint("Exim", "D5", Verdict::fail), "");
  EXPECT_EQ(remediation_hint("unknown", "D3", Verdict::fail), "");
  EXPECT_EQ(remediation_hint("postfix", "D3", Verdict::fail), "");  // the name as identified
}

TEST(RemediationHint, TheTableHasOneEntryPerKeyAndOnlyFailOrWarn) {
  std::set<std::tuple<std::string_view, std::string_view, Verdict>> keys;
  for (const RemediationHint& hint : remediation_hints()) {
    EXPECT_TRUE(keys.emplace(hint.software, hint.check, hint.verdict).second)
        << hint.software << " " << hint.check;
    // A hint fixes a finding; PASS, INFO, SKIP and ERROR have nothing to fix.
    EXPECT_TRUE(hint.verdict == Verdict::fail || hint.verdict == Verdict::warn) << hint.check;
    EXPECT_FALSE(hint.advice.empty()) << hint.check;
  }
  EXPECT_GE(keys.size(), 3u);
}

}  // namespace
}  // namespace smtp::check
