#pragma once
// The delivery block of a load result's Markdown summary (markdown.hpp), for
// a run with --sink; "" for a load part without a delivery section. Every
// string from the result goes through markdown_text.
#include <nlohmann/json.hpp>
#include <string>

namespace smtp::reports {

// `load`: the document's validated "load" object.
std::string delivery_markdown(const nlohmann::json& load);

}  // namespace smtp::reports
