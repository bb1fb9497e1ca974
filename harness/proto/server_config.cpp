#include "proto/server_config.hpp"

#include <utility>

#include "proto/ascii.hpp"

namespace smtp::proto {

bool set_extension(ServerExtensions& ext, std::string_view keyword, bool on) {
  const std::pair<std::string_view, bool ServerExtensions::*> table[] = {
      {"PIPELINING", &ServerExtensions::pipelining},
      {"SIZE", &ServerExtensions::size},
      {"8BITMIME", &ServerExtensions::eight_bit_mime},
      {"SMTPUTF8", &ServerExtensions::smtputf8},
      {"DSN", &ServerExtensions::dsn},
      {"ENHANCEDSTATUSCODES", &ServerExtensions::enhanced_status_codes},
      {"CHUNKING", &ServerExtensions::chunking},
      {"STARTTLS", &ServerExtensions::starttls},
      {"AUTH", &ServerExtensions::auth},
      {"HELP", &ServerExtensions::help},
      {"VRFY", &ServerExtensions::vrfy},
  };
  for (const auto& [name, member] : table) {
    if (iequals(keyword, name)) {
      ext.*member = on;
      return true;
    }
  }
  return false;
}

std::string_view extension_keywords() {
  return "PIPELINING SIZE 8BITMIME SMTPUTF8 DSN ENHANCEDSTATUSCODES CHUNKING STARTTLS AUTH HELP "
         "VRFY";
}

}  // namespace smtp::proto
