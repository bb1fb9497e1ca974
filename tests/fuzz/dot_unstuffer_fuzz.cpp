// Fuzzes the server-side DATA scanner, our defence against SMTP smuggling
// (docs/CONFORMANCE.md D3). Input: byte 0 picks max_line, byte 1 max_events and the
// split point; the rest is the data stream. Traps when:
//  - whole, split and byte-at-a-time feeding disagree on anything;
//  - the naive whole-input oracle disagrees (body, end, counts, events);
//  - an event does not point at the bytes it names;
//  - capping events or discarding output changes the verdicts;
//  - the stream ends anywhere but CRLF "." CRLF, or data is eaten after it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "../unit/proto/dot_unstuffer_oracle.hpp"
#include "proto/dot_unstuffer.hpp"

namespace {

using smtp::proto::DataAnomaly;
using smtp::proto::DotUnstuffer;
using smtp::test::run_unstuffer;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// Does the event name the bytes at its offset?
bool points_at_its_bytes(std::string_view in, const smtp::proto::DataEvent& e) {
  const std::size_t at = e.offset;
  if (at >= in.size()) return false;
  switch (e.anomaly) {
    case DataAnomaly::bare_lf:
      return in[at] == '\n' && (at == 0 || in[at - 1] != '\r');
    case DataAnomaly::bare_cr:
      return in[at] == '\r' && at + 1 < in.size() && in[at + 1] != '\n';
    case DataAnomaly::nul:
      return in[at] == '\0';
    case DataAnomaly::long_line:
      return at == 0 || (at >= 2 && in.substr(at - 2, 2) == "\r\n");
    case DataAnomaly::fake_terminator: {
      const std::string_view bytes = smtp::proto::bytes_of(e.variant);
      if (in.substr(at, bytes.size()) == bytes) return true;
      // At the start of data the CRLF is implied.
      return at == 0 && bytes.starts_with("\r\n") &&
             in.substr(0, bytes.size() - 2) == bytes.substr(2);
    }
    default:
      return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::size_t max_line = data[0] % 2 == 1 ? 1000 : 1 + data[0] / 2 % 64;
  const std::size_t max_events = data[1] % 16;
  const std::string_view in(reinterpret_cast<const char*>(data + 2), size - 2);
  const DotUnstuffer::Options all{.max_line = max_line, .max_events = SIZE_MAX};

  const auto one = run_unstuffer({in}, all);

  // Chunking invariance: a data-derived cut, and one byte at a time.
  const std::size_t cut = (static_cast<std::size_t>(data[1]) * 131 + size) % (in.size() + 1);
  check(run_unstuffer({in.substr(0, cut), in.substr(cut)}, all) == one);
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < in.size(); ++i) bytes.push_back(in.substr(i, 1));
  check(run_unstuffer(bytes, all) == one);

  // The oracle (events compared as sets: it lists them by offset).
  auto sorted = one;
  smtp::test::sort_events(sorted.events);
  check(sorted == smtp::test::oracle_unstuff(in, max_line));

  // Where the data ends.
  check(one.consumed <= in.size());
  check(one.body.size() <= one.consumed);
  if (one.complete) {
    const std::string_view data_part = in.substr(0, one.consumed);
    check(data_part.ends_with(".\r\n"));
    check(one.consumed == 3 || data_part.substr(one.consumed - 5, 2) == "\r\n");
  } else {
    check(one.consumed == in.size());
  }
  for (const auto& e : one.events) {
    check(e.offset < one.consumed);
    check(points_at_its_bytes(in, e));
  }

  // Capped events: same counts, the first max_events events.
  auto capped = run_unstuffer({in}, {.max_line = max_line, .max_events = max_events});
  check(capped.events.size() == std::min(max_events, one.events.size()));
  check(std::equal(capped.events.begin(), capped.events.end(), one.events.begin()));
  capped.events = one.events;
  check(capped == one);

  // Draining (no output) decides the same, and nothing is eaten after the end.
  DotUnstuffer drain(all);
  const auto progress = drain.feed(in, nullptr);
  check(progress.consumed == one.consumed && progress.complete == one.complete);
  check(drain.message_size() == one.body.size());
  check(drain.wire_size() == one.consumed);
  check(drain.events() == one.events);
  if (drain.complete()) check(drain.feed(in, nullptr).consumed == 0);
  return 0;
}
