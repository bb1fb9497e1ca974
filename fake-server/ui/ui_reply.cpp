#include "fake-server/ui/ui_reply.hpp"

namespace smtp::fake::ui {

UiReply see_other(std::string location) {
  UiReply reply;
  reply.status = 303;
  reply.content_type = "text/plain; charset=utf-8";
  reply.body = "See " + location + "\n";
  reply.headers.emplace_back("Location", std::move(location));
  return reply;
}

}  // namespace smtp::fake::ui
