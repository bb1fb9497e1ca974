#pragma once
// Building blocks of the HTML report's sections: tables, fact lists, badges,
// and typed reads of a validated result document. A Cell is made either from
// text (escaped here) or from markup this code produced (Cell::markup), so
// that what came from a result file cannot reach the page unescaped by
// accident.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace smtp::reports::html {

struct Cell {
  std::string html;
  std::string css_class;  // "num" for numbers

  static Cell text(std::string_view text);
  static Cell number(std::uint64_t value);
  static Cell number_text(std::string_view text);  // right-aligned, escaped
  static Cell markup(std::string html, std::string css_class = {});
};

class HtmlTable {
 public:
  explicit HtmlTable(std::string css_class = {}) : css_class_(std::move(css_class)) {}
  void header(const std::vector<Cell>& cells);
  // `row_attributes`: markup for the <tr>, e.g. " class=\"zero\"".
  void row(const std::vector<Cell>& cells, std::string_view row_attributes = {});
  std::string html() const;

 private:
  std::string css_class_;
  std::string head_;
  std::string body_;
};

// A <dl class="facts"> of label and value markup.
struct Fact {
  std::string label;
  std::string html;
};
Fact fact(std::string label, std::string_view text);  // the value escaped
std::string facts(const std::vector<Fact>& items);

// <span class="badge CLASS">TEXT</span>
std::string badge(std::string_view text, std::string_view css_class);

// <h3 id="ID">TEXT</h3> and the like.
std::string heading(int level, std::string_view id, std::string_view text);

// Reads of a document that read_result_file validated.
std::string json_text(const nlohmann::json& object, std::string_view key);
std::uint64_t json_count(const nlohmann::json& object, std::string_view key);
double json_number(const nlohmann::json& object, std::string_view key);

}  // namespace smtp::reports::html
