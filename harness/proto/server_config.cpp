#include "proto/server_config.hpp"

#include <string>

#include "proto/ascii.hpp"

namespace smtp::proto {

bool set_extension(ServerExtensions& ext, std::string_view keyword, bool on) {
  for (const auto& [name, enabled] : kExtensionKeywords) {
    if (iequals(keyword, name)) {
      ext.*enabled = on;
      return true;
    }
  }
  return false;
}

std::string_view extension_keywords() {
  static const std::string names = [] {
    std::string joined;
    for (const auto& [name, enabled] : kExtensionKeywords) {
      if (!joined.empty()) joined += ' ';
      joined += name;
    }
    return joined;
  }();
  return names;
}

}  // namespace smtp::proto
