#include "fake-server/http_form.hpp"

#include <gtest/gtest.h>

namespace smtp::fake::http_form_test {
namespace {

TEST(HttpForm, DecodesPlusAndPercent) {
  EXPECT_EQ(form_value("rules=rule+%7B+on+%3D+%22MAIL%22+%7D&x=1", "rules"),
            "rule { on = \"MAIL\" }");
  EXPECT_EQ(form_value("a=1&b=&c", "b"), "");
  EXPECT_EQ(form_value("a=1&b=&c", "c"), "");
  EXPECT_EQ(form_value("a=1", "b"), std::nullopt);
  EXPECT_EQ(form_value("a=%zz%4", "a"), "%zz%4") << "a malformed escape is kept";
  EXPECT_EQ(form_value("a=%00%FF", "a"), std::string("\0\xff", 2));
  EXPECT_EQ(form_value("first=1&first=2", "first"), "1");
}

TEST(HttpForm, QueryOfATarget) {
  EXPECT_EQ(query_param("/api/messages?wait=2&timeout=5s", "timeout"), "5s");
  EXPECT_EQ(query_param("/sessions", "peer"), std::nullopt);
  EXPECT_EQ(query_param("/sessions?peer=127.0.0.1%3A5", "peer"), "127.0.0.1:5");
}

TEST(HttpForm, EncodeRoundTrips) {
  const std::string odd("a b&c=d/\"<\0\xff~", 14);
  EXPECT_EQ(form_encode("a b&c"), "a+b%26c");
  EXPECT_EQ(form_value("x=" + form_encode(odd), "x"), odd);
}

}  // namespace
}  // namespace smtp::fake::http_form_test
