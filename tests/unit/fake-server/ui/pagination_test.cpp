#include "fake-server/ui/pagination.hpp"

#include <gtest/gtest.h>

namespace smtp::fake::ui::pagination_test {
namespace {

TEST(Pagination, PagesOfFiftyAndBadPageNumbers) {
  const auto empty = slice(0, "1");
  EXPECT_EQ(empty.pages, 1U);
  EXPECT_EQ(empty.end, 0U);
  const auto second = slice(120, "2");
  EXPECT_EQ(second.pages, 3U);
  EXPECT_EQ(second.first, 50U);
  EXPECT_EQ(second.end, 100U);
  EXPECT_EQ(slice(120, "3").end, 120U);
  EXPECT_EQ(slice(120, "99").page, 3U) << "past the end: the last page";
  EXPECT_EQ(slice(120, "0").page, 1U);
  EXPECT_EQ(slice(120, "x").page, 1U);
  EXPECT_EQ(slice(120, "99999999999999999999999").page, 1U);
}

TEST(Pagination, LinksKeepTheFilters) {
  EXPECT_EQ(page_links(slice(10, "1"), "/sessions?"), "");
  const auto links = page_links(slice(120, "2"), "/sessions?rule=r&amp;");
  EXPECT_NE(links.find("href=\"/sessions?rule=r&amp;page=1\""), std::string::npos) << links;
  EXPECT_NE(links.find("href=\"/sessions?rule=r&amp;page=3\""), std::string::npos) << links;
  EXPECT_NE(links.find("page 2 of 3"), std::string::npos);
}

}  // namespace
}  // namespace smtp::fake::ui::pagination_test
