// Fuzzes parse_reply_spec and render (fake-server/rules/reply_spec.hpp): a
// rule's reply, as a profile or a hook writes it, must come out as exactly
// one well-formed reply that our own reply parser reads back.
// Input: byte 0 holds the render context (bit 0 enhanced codes, bit 1 an odd
// host name); the rest is the spec text. Traps when:
//  - an accepted spec renders to bytes the reply parser rejects, or to more
//    or less than one reply, or to trailing bytes;
//  - the parsed reply's code or line count differs from the spec's;
//  - with enhanced codes on (and not 3xx), a line lacks the spec's enhanced
//    code (or class.0.0); with them off, a line's text is not the spec's;
//  - 220/421 do not start with the host name.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "fake-server/rules/reply_spec.hpp"
#include "proto/reply_parser.hpp"

namespace {

using namespace smtp::fake::rules;
using smtp::proto::EnhancedCode;
using smtp::proto::Reply;
using smtp::proto::ReplyParser;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const auto flags = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto parsed = parse_reply_spec(text);
  if (auto* error = std::get_if<std::string>(&parsed)) {
    check(!error->empty());
    return 0;
  }
  const auto& spec = std::get<ReplySpec>(parsed);
  check(spec.code >= 200 && spec.code <= 559 && !spec.lines.empty());
  if (spec.enhanced) check(spec.enhanced->cls == spec.code / 100);

  RenderContext context;
  context.enhanced = (flags & 1) != 0;
  context.hostname = (flags & 2) != 0 ? "mx-1.example.org" : "fake.test";
  const auto wire = render(spec, context);

  // The client-side limits are the lenient ones (2048): a spec line is
  // bounded at 500 octets, so even with a host name and a code it fits.
  ReplyParser parser;
  parser.feed(wire);
  auto result = parser.next();
  check(std::holds_alternative<Reply>(result));
  const auto& reply = std::get<Reply>(result);
  check(std::holds_alternative<smtp::proto::NeedMore>(parser.expect_no_trailing_data()));
  check(reply.code == spec.code);
  check(reply.lines.size() == spec.lines.size());

  const bool with_enhanced = context.enhanced && spec.code / 100 != 3;
  const EnhancedCode expected =
      spec.enhanced.value_or(EnhancedCode{static_cast<std::uint8_t>(spec.code / 100), 0, 0});
  for (std::size_t i = 0; i < reply.lines.size(); ++i) {
    if (with_enhanced) check(reply.lines[i].enhanced == expected);
    const bool named = i == 0 && (spec.code == 220 || spec.code == 421);
    if (!with_enhanced && !named) check(reply.lines[i].text == spec.lines[i]);
  }
  if (spec.code == 220 || spec.code == 421) {
    std::string_view first = reply.lines.front().text;
    if (with_enhanced) first.remove_prefix(std::min(first.size(), expected.to_string().size() + 1));
    check(first.substr(0, context.hostname.size()) == context.hostname);
  }
  return 0;
}
