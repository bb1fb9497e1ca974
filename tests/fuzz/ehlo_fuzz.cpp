// Fuzzes parse_ehlo behind the reply parser: arbitrary bytes must never crash
// it, keywords come out upper-case, and the accessors agree with the items.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "proto/ehlo.hpp"
#include "proto/reply_parser.hpp"

namespace {

using namespace smtp::proto;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool has_lower(std::string_view s) {
  for (char c : s) {
    if (c >= 'a' && c <= 'z') return true;
  }
  return false;
}

void check_caps(const Reply& reply) {
  const auto r = parse_ehlo(reply);
  if (const auto* e = std::get_if<EhloError>(&r)) {
    check(e->kind == EhloErrorKind::not_positive);
    check(reply.code != 250 || reply.lines.empty());
    return;
  }
  check(reply.code == 250);
  const auto& caps = std::get<Capabilities>(r);
  check(caps.items.size() + caps.problems.size() >= reply.lines.size() - 1);
  for (const auto& item : caps.items) {
    check(!item.keyword.empty());
    check(!has_lower(item.keyword));
    check(caps.has(item.keyword));
    check(caps.find(item.keyword) != nullptr);
    for (const auto& p : item.params) check(!p.empty() && p.find(' ') == std::string::npos);
  }
  for (const auto& p : caps.problems) {
    check(p.kind != EhloErrorKind::not_positive);
    check(p.line >= 1 && p.line < reply.lines.size());
  }
  for (const auto& m : caps.auth_mechanisms()) check(!m.empty() && !has_lower(m));
  const auto size = caps.size_limit();
  if (size.has_value()) check(caps.has("SIZE"));
  check(caps.domain.find(' ') == std::string::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ReplyParser p;
  p.feed(std::string_view(reinterpret_cast<const char*>(data), size));
  for (;;) {
    auto r = p.next();
    Reply* reply = std::get_if<Reply>(&r);
    if (reply == nullptr) break;
    check_caps(*reply);
    // Most random replies are not 250: look at the lines as if they were.
    reply->code = 250;
    check_caps(*reply);
  }
  return 0;
}
