// Fuzzes ReplyParser: results must not depend on chunking, every failure is a
// classified, sticky error, and a parsed reply re-encodes to a wire form that
// parses back to the same reply (ARCHITECTURE.md §7).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "proto/reply_parser.hpp"

namespace {

using namespace smtp::proto;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// Results up to and including the final NeedMore or error.
struct Outcome {
  std::vector<Reply> replies;
  bool failed = false;
  ReplyErrorKind kind{};
  std::string detail;
  std::size_t offset = 0;

  bool operator==(const Outcome& o) const {
    return replies == o.replies && failed == o.failed &&
           (!failed || (kind == o.kind && detail == o.detail && offset == o.offset));
  }
};

void check_reply(const Reply& r, const ReplyParser::Limits& limits) {
  check(r.code >= 200 && r.code <= 559 && r.code % 100 <= 59);
  check(!r.lines.empty() && r.lines.size() <= limits.max_lines);
  for (const auto& l : r.lines) {
    // "ddd" [SP or "-" text] CRLF fitted in max_line.
    check((l.text.empty() ? 5 : l.text.size() + 6) <= limits.max_line);
    check(l.enhanced == parse_enhanced_code(l.text));
  }
}

// Feeds `in` cut at `cuts`, draining after each piece.
Outcome parse(const ReplyParser::Limits& limits, std::string_view in,
              const std::vector<std::size_t>& cuts) {
  ReplyParser p(limits);
  Outcome out;
  std::size_t pos = 0;
  for (std::size_t i = 0; i <= cuts.size(); ++i) {
    const std::size_t end = i < cuts.size() ? cuts[i] : in.size();
    p.feed(in.substr(pos, end - pos));
    pos = end;
    for (;;) {
      auto r = p.next();
      if (std::holds_alternative<NeedMore>(r)) break;
      if (auto* e = std::get_if<ReplyError>(&r)) {
        out.failed = true;
        out.kind = e->kind;
        out.detail = e->detail;
        out.offset = e->offset;
        check(e->kind != ReplyErrorKind::trailing_data);  // only from expect_no_trailing_data
        check(e->offset < in.size());
        for (char c : e->detail) {
          check(static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f);
        }
        // Sticky, whatever comes next.
        p.feed("250 ok\r\n");
        const auto again = p.next();
        const auto* e2 = std::get_if<ReplyError>(&again);
        check(e2 != nullptr && e2->kind == e->kind && e2->detail == e->detail &&
              e2->offset == e->offset);
        return out;
      }
      check_reply(std::get<Reply>(r), limits);
      out.replies.push_back(std::get<Reply>(std::move(r)));
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  ReplyParser::Limits limits;
  limits.max_line = (data[0] & 0x80) ? 2048 : 4 + (data[0] & 0x7f);
  limits.max_lines = 1 + data[1] % 16;
  const std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);

  const Outcome whole = parse(limits, in, {});

  std::vector<std::size_t> one{in.empty() ? 0 : (data[0] * 257u + data[1]) % (in.size() + 1)};
  std::vector<std::size_t> bytes;
  for (std::size_t i = 1; i < in.size(); ++i) bytes.push_back(i);
  std::vector<std::size_t> uneven;
  std::uint32_t x = data[1] * 2654435761u + static_cast<std::uint32_t>(in.size());
  for (std::size_t pos = 0;;) {
    x = x * 1103515245u + 12345u;
    pos += 1 + (x >> 16) % 23;
    if (pos >= in.size()) break;
    uneven.push_back(pos);
  }
  for (const auto* cuts : {&one, &bytes, &uneven}) check(parse(limits, in, *cuts) == whole);

  // Round trip: the canonical encoding parses back to the same reply, alone.
  for (const Reply& r : whole.replies) {
    const std::string wire = r.encode();
    ReplyParser p(limits);
    p.feed(wire);
    auto again = p.next();
    const Reply* back = std::get_if<Reply>(&again);
    check(back != nullptr && *back == r);
    check(std::holds_alternative<NeedMore>(p.next()));
    check(std::holds_alternative<NeedMore>(p.expect_no_trailing_data()));
    check(p.offset() == wire.size());
    check(back->encode() == wire);
  }
  return 0;
}
