#include "proto/status_catalogue.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace smtp::proto::status_catalogue_test {
namespace {

TEST(StatusCatalogue, ReplyCodesAreSortedUniqueAndSourced) {
  const auto codes = reply_code_catalogue();
  ASSERT_GE(codes.size(), 30u);
  for (std::size_t i = 0; i < codes.size(); ++i) {
    SCOPED_TRACE(codes[i].code);
    EXPECT_GE(codes[i].code, 200);
    EXPECT_LE(codes[i].code, 559);
    EXPECT_FALSE(codes[i].meaning.empty());
    EXPECT_TRUE(codes[i].source.starts_with("RFC ")) << codes[i].source;
    if (i > 0) {
      EXPECT_LT(codes[i - 1].code, codes[i].code);
    }
    EXPECT_EQ(describe_reply_code(codes[i].code), codes[i].meaning);
  }
}

TEST(StatusCatalogue, HasEveryRfc5321ReplyCode) {
  // RFC 5321 §4.2.3, in numeric order.
  for (int code : {211, 214, 220, 221, 250, 251, 252, 354, 421, 450, 451, 452,
                   455, 500, 501, 502, 503, 504, 550, 551, 552, 553, 554, 555}) {
    SCOPED_TRACE(code);
    bool found = false;
    for (const auto& info : reply_code_catalogue()) {
      if (info.code == code) {
        found = true;
        EXPECT_NE(info.source.find("RFC 5321 §4.2.3"), std::string_view::npos);
      }
    }
    EXPECT_TRUE(found);
  }
}

TEST(StatusCatalogue, DescribesReplyCodes) {
  EXPECT_EQ(describe_reply_code(250), "Requested mail action okay, completed");
  EXPECT_EQ(describe_reply_code(354), "Start mail input; end with <CRLF>.<CRLF>");
  EXPECT_EQ(describe_reply_code(555),
            "MAIL FROM/RCPT TO parameters not recognized or not implemented");
  EXPECT_EQ(describe_reply_code(535), "Authentication credentials invalid");
  EXPECT_EQ(describe_reply_code(521), "Host does not accept mail");
  EXPECT_EQ(describe_reply_code(556), "Domain does not accept mail");
}

TEST(StatusCatalogue, FallsBackToTheReplyClass) {
  EXPECT_EQ(describe_reply_code(299), "Positive completion");
  EXPECT_EQ(describe_reply_code(399), "Positive intermediate");
  EXPECT_EQ(describe_reply_code(457), "Transient negative completion");
  EXPECT_EQ(describe_reply_code(599), "Permanent negative completion");
  for (int code = 200; code <= 599; ++code) EXPECT_FALSE(describe_reply_code(code).empty());
  EXPECT_EQ(describe_reply_code(199), "Unknown");
  EXPECT_EQ(describe_reply_code(600), "Unknown");
  EXPECT_EQ(describe_reply_code(-250), "Unknown");
}

TEST(StatusCatalogue, EnhancedCodesAreSortedUniqueAndSourced) {
  const auto codes = enhanced_code_catalogue();
  for (std::size_t i = 0; i < codes.size(); ++i) {
    SCOPED_TRACE(std::to_string(codes[i].subject) + "." + std::to_string(codes[i].detail));
    EXPECT_GE(codes[i].subject, 0);
    EXPECT_LE(codes[i].subject, 7);
    EXPECT_GE(codes[i].detail, 0);
    EXPECT_FALSE(codes[i].meaning.empty());
    EXPECT_FALSE(codes[i].source.empty());
    if (i > 0) {
      EXPECT_LT(std::pair(codes[i - 1].subject, codes[i - 1].detail),
                std::pair(codes[i].subject, codes[i].detail));
    }
    const EnhancedCode code{5, static_cast<std::uint16_t>(codes[i].subject),
                            static_cast<std::uint16_t>(codes[i].detail)};
    EXPECT_EQ(describe_enhanced_code(code), codes[i].meaning);
  }
}

TEST(StatusCatalogue, HasAllOfRfc3463Section3) {
  // X.0.0 and X.1.0-X.1.8, X.2.0-X.2.4, X.3.0-X.3.5, X.4.0-X.4.7, X.5.0-X.5.5,
  // X.6.0-X.6.5, X.7.0-X.7.7.
  const int last_detail[] = {0, 8, 4, 5, 7, 5, 5, 7};
  std::set<std::pair<int, int>> have;
  for (const auto& info : enhanced_code_catalogue()) {
    if (info.source.starts_with("RFC 3463 §3.")) have.insert({info.subject, info.detail});
  }
  std::size_t expected = 0;
  for (int subject = 0; subject <= 7; ++subject) {
    for (int detail = 0; detail <= last_detail[subject]; ++detail) {
      EXPECT_TRUE(have.count({subject, detail})) << subject << "." << detail;
      ++expected;
    }
  }
  EXPECT_EQ(have.size(), expected);
}

TEST(StatusCatalogue, DescribesEnhancedCodes) {
  EXPECT_EQ(describe_enhanced_code({5, 1, 1}), "Bad destination mailbox address");
  EXPECT_EQ(describe_enhanced_code({4, 2, 2}), "Mailbox full");
  EXPECT_EQ(describe_enhanced_code({2, 0, 0}), "Other undefined status");
  EXPECT_EQ(describe_enhanced_code({5, 5, 6}), "Authentication exchange line is too long");
  EXPECT_EQ(describe_enhanced_code({5, 6, 7}),
            "Non-ASCII addresses not permitted for that sender/recipient");
  EXPECT_EQ(describe_enhanced_code({5, 7, 8}), "Authentication credentials invalid");
  EXPECT_EQ(describe_enhanced_code({4, 7, 12}), "A password transition is needed");
  EXPECT_EQ(describe_enhanced_code({5, 7, 26}), "Multiple authentication checks failed");
  EXPECT_EQ(describe_enhanced_code({5, 7, 30}), "REQUIRETLS support required");
}

TEST(StatusCatalogue, EnhancedCodesFallBackToTheSubjectThenUnknown) {
  EXPECT_EQ(describe_enhanced_code({5, 1, 99}), "Addressing status");
  EXPECT_EQ(describe_enhanced_code({4, 7, 999}), "Security or policy status");
  EXPECT_EQ(describe_enhanced_code({5, 0, 1}), "Other or undefined status");
  EXPECT_EQ(describe_enhanced_code({5, 8, 0}), "Unknown");
  EXPECT_EQ(describe_enhanced_code({5, 999, 1}), "Unknown");
}

TEST(StatusCatalogue, DescribesEnhancedClasses) {
  EXPECT_EQ(describe_enhanced_class(2), "Success");
  EXPECT_EQ(describe_enhanced_class(4), "Persistent transient failure");
  EXPECT_EQ(describe_enhanced_class(5), "Permanent failure");
  EXPECT_EQ(describe_enhanced_class(3), "Unknown");
  EXPECT_EQ(describe_enhanced_class(0), "Unknown");
}

TEST(StatusCatalogue, CitesTheLaterRegistrations) {
  auto source_of = [](int subject, int detail) {
    for (const auto& info : enhanced_code_catalogue()) {
      if (info.subject == subject && info.detail == detail) return info.source;
    }
    return std::string_view{};
  };
  EXPECT_EQ(source_of(7, 8), "RFC 4954 §6");
  EXPECT_EQ(source_of(6, 9), "RFC 6531");
  EXPECT_EQ(source_of(7, 23), "RFC 7372");
  EXPECT_EQ(source_of(7, 29), "RFC 8617 §5.2.2");
  EXPECT_EQ(source_of(1, 10), "RFC 7505");
}

}  // namespace
}  // namespace smtp::proto::status_catalogue_test
