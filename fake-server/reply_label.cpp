#include "fake-server/reply_label.hpp"

#include "proto/command.hpp"

namespace smtp::fake {

std::string_view reply_label(std::string_view command_line) {
  const auto verb = proto::verb_from_string(command_line.substr(0, command_line.find(' ')));
  return verb == proto::Verb::unknown ? kOtherLabel : proto::to_string(verb);
}

}  // namespace smtp::fake
