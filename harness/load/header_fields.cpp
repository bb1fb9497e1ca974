#include "load/header_fields.hpp"

#include "proto/ascii.hpp"

namespace smtp::load {

std::vector<HeaderField> header_fields(std::string_view header) {
  std::vector<HeaderField> fields;
  std::size_t at = 0;
  while (at < header.size()) {
    auto end = header.find("\r\n", at);
    if (end == std::string_view::npos) end = header.size();
    const std::string_view line = header.substr(at, end - at);
    const std::size_t next = end == header.size() ? end : end + 2;
    if (line.empty()) break;  // the empty line: the header ends
    if ((line[0] == ' ' || line[0] == '\t') && !fields.empty()) {
      auto& last = fields.back();
      const auto* start = last.value.data();
      last.value = std::string_view(start, static_cast<std::size_t>(header.data() + end - start));
    } else if (const auto colon = line.find(':'); colon != std::string_view::npos && colon > 0) {
      fields.push_back({line.substr(0, colon), line.substr(colon + 1)});
    }
    at = next;
  }
  return fields;
}

std::string lower_name(std::string_view name) {
  return proto::to_lower_ascii(name);
}

std::string unfolded_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\r' && i + 1 < value.size() && value[i + 1] == '\n') {
      ++i;
      continue;
    }
    out += value[i];
  }
  const auto first = out.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  const auto last = out.find_last_not_of(" \t");
  return out.substr(first, last - first + 1);
}

}  // namespace smtp::load
