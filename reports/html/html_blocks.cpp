#include "reports/html/html_blocks.hpp"

#include "reports/html/html_text.hpp"

namespace smtp::reports::html {
namespace {

std::string cells_html(const std::vector<Cell>& cells, std::string_view tag) {
  std::string html;
  for (const Cell& cell : cells) {
    html += "<" + std::string(tag);
    if (!cell.css_class.empty()) html += " class=\"" + html_text(cell.css_class) + "\"";
    html += ">" + cell.html + "</" + std::string(tag) + ">";
  }
  return html;
}

}  // namespace

Cell Cell::text(std::string_view text) {
  return {html_text(text), {}};
}

Cell Cell::number(std::uint64_t value) {
  return {std::to_string(value), "num"};
}

Cell Cell::number_text(std::string_view text) {
  return {html_text(text), "num"};
}

Cell Cell::markup(std::string html, std::string css_class) {
  return {std::move(html), std::move(css_class)};
}

void HtmlTable::header(const std::vector<Cell>& cells) {
  head_ += "<tr>" + cells_html(cells, "th") + "</tr>\n";
}

void HtmlTable::row(const std::vector<Cell>& cells, std::string_view row_attributes) {
  body_ += "<tr" + std::string(row_attributes) + ">" + cells_html(cells, "td") + "</tr>\n";
}

std::string HtmlTable::html() const {
  std::string html = "<table";
  if (!css_class_.empty()) html += " class=\"" + html_text(css_class_) + "\"";
  html += ">\n";
  if (!head_.empty()) html += "<thead>\n" + head_ + "</thead>\n";
  return html + "<tbody>\n" + body_ + "</tbody>\n</table>\n";
}

Fact fact(std::string label, std::string_view text) {
  return {std::move(label), html_text(text)};
}

std::string facts(const std::vector<Fact>& items) {
  std::string html = "<dl class=\"facts\">\n";
  for (const Fact& item : items) {
    html += "<dt>" + html_text(item.label) + "</dt><dd>" + item.html + "</dd>\n";
  }
  return html + "</dl>\n";
}

std::string badge(std::string_view text, std::string_view css_class) {
  return "<span class=\"badge " + html_text(css_class) + "\">" + html_text(text) + "</span>";
}

std::string heading(int level, std::string_view id, std::string_view text) {
  const std::string tag = "h" + std::to_string(level);
  return "<" + tag + " id=\"" + html_text(id) + "\">" + html_text(text) + "</" + tag + ">\n";
}

std::string json_text(const nlohmann::json& object, std::string_view key) {
  return object.at(std::string(key)).get<std::string>();
}

std::uint64_t json_count(const nlohmann::json& object, std::string_view key) {
  return object.at(std::string(key)).get<std::uint64_t>();
}

double json_number(const nlohmann::json& object, std::string_view key) {
  return object.at(std::string(key)).get<double>();
}

}  // namespace smtp::reports::html
