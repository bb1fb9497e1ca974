// Fuzzes LineFramer: the event sequence must not depend on how the stream is
// cut into chunks, memory must stay bounded by max_line, and every byte must
// be accounted for (ARCHITECTURE.md §7).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/line_framer.hpp"

namespace {

using smtp::proto::LineEnding;
using smtp::proto::LineFramer;
using Kind = LineFramer::Event::Kind;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

struct Rec {
  Kind kind;
  std::string line;
  LineEnding ending;
  std::size_t discarded;
  bool operator==(const Rec&) const = default;
};

struct Run {
  std::vector<Rec> events;
  std::size_t accounted = 0;  // octets covered by the events
  std::size_t buffered = 0;   // left in the buffer at the end
  bool overflowing = false;
};

void drain(LineFramer& f, Run& run) {
  const std::size_t max = f.options().max_line;
  for (;;) {
    const auto ev = f.next();
    if (ev.kind == Kind::need_more) {
      // Only a partial line that may still fit is kept.
      check(f.buffered().size() <= max);
      check(!f.overflowing() || f.buffered().empty());
      return;
    }
    const std::size_t end = ev.ending == LineEnding::crlf ? 2 : 1;
    if (ev.kind == Kind::line) {
      const std::size_t total = ev.line.size() + end;
      check(total <= max);
      check(ev.line.find("\r\n") == std::string_view::npos);
      if (f.options().split_on_bare_lf) check(ev.line.find('\n') == std::string_view::npos);
      run.accounted += total;
    } else {
      check(ev.kind == Kind::overflow);
      check(ev.discarded > max);
      check(ev.line.empty());
      run.accounted += ev.discarded;
    }
    run.events.push_back({ev.kind, std::string(ev.line), ev.ending, ev.discarded});
  }
}

Run frame(LineFramer::Options o, std::string_view in, const std::vector<std::size_t>& cuts) {
  LineFramer f(o);
  Run run;
  std::size_t pos = 0;
  for (std::size_t cut : cuts) {
    f.feed(in.substr(pos, cut - pos));
    drain(f, run);
    pos = cut;
  }
  f.feed(in.substr(pos));
  drain(f, run);
  run.buffered = f.buffered().size();
  run.overflowing = f.overflowing();
  return run;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  LineFramer::Options o;
  // Small limits reach the boundaries; bit 7 selects the RFC command limit.
  o.max_line = (data[0] & 0x80) ? 512 : (data[0] & 0x3f);
  o.split_on_bare_lf = (data[1] & 1) != 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);

  const Run whole = frame(o, in, {});
  // Every byte is either in an event or still buffered (or being dropped).
  if (whole.overflowing) {
    check(whole.accounted < in.size() && whole.buffered == 0);
  } else {
    check(whole.accounted + whole.buffered == in.size());
  }

  // One cut at a point derived from the data.
  std::vector<std::size_t> one{in.empty() ? 0 : (data[1] * 131u + in.size() / 3) % (in.size() + 1)};
  // Byte at a time.
  std::vector<std::size_t> bytes;
  for (std::size_t i = 1; i < in.size(); ++i) bytes.push_back(i);
  // Uneven chunks from a small generator seeded by the data.
  std::vector<std::size_t> uneven;
  std::uint32_t x = data[0] * 2654435761u + static_cast<std::uint32_t>(in.size());
  for (std::size_t pos = 0;;) {
    x = x * 1103515245u + 12345u;
    pos += 1 + (x >> 16) % 17;
    if (pos >= in.size()) break;
    uneven.push_back(pos);
  }

  for (const auto* cuts : {&one, &bytes, &uneven}) {
    const Run r = frame(o, in, *cuts);
    check(r.events == whole.events);
    check(r.buffered == whole.buffered);
    check(r.overflowing == whole.overflowing);
  }
  return 0;
}
