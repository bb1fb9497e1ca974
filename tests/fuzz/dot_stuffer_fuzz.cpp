// Fuzzes the client-side dot-stuffer together with the server-side scanner.
// Input: bit 0 of byte 0 picks normalise_line_endings, byte 0 also picks the
// split point; the rest is the body. Traps when:
//  - whole, split and byte-at-a-time feeding give different payloads;
//  - the payload does not end with ".\r\n" or the unstuffer ends elsewhere;
//  - unstuff(stuff(body)) is not the (normalised) body with a final CRLF;
//  - a normalised payload shows the server a bare CR/LF or a look-alike
//    terminator other than CRLF NUL "." CRLF (which only a NUL can make).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "../unit/proto/dot_stuffer_oracle.hpp"
#include "proto/dot_stuffer.hpp"
#include "proto/dot_unstuffer.hpp"

namespace {

using smtp::test::normalised;
using smtp::test::with_final_crlf;

using smtp::proto::DataAnomaly;
using smtp::proto::DotStuffer;
using smtp::proto::FakeTerminator;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const DotStuffer::Options options{.normalise_line_endings = (data[0] & 1) != 0};
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);

  const std::string wire = smtp::proto::dot_stuff(body, options);
  check(wire.ends_with(".\r\n"));

  const std::size_t cut = (static_cast<std::size_t>(data[0]) * 257 + size) % (body.size() + 1);
  {
    DotStuffer s(options);
    std::string out;
    s.feed(body.substr(0, cut), out);
    s.feed(body.substr(cut), out);
    s.finish(out);
    check(out == wire);
  }
  {
    DotStuffer s(options);
    std::string out;
    for (std::size_t i = 0; i < body.size(); ++i) s.feed(body.substr(i, 1), out);
    s.finish(out);
    check(out == wire);
  }

  smtp::proto::DotUnstuffer u;
  std::string back;
  const auto progress = u.feed(wire, &back);
  check(progress.complete && progress.consumed == wire.size());
  if (options.normalise_line_endings) {
    check(back == with_final_crlf(normalised(body)));
    check(u.count(DataAnomaly::bare_cr) == 0 && u.count(DataAnomaly::bare_lf) == 0);
    check(u.count(DataAnomaly::fake_terminator) == u.count(FakeTerminator::crlf_nul_dot_crlf));
    check(u.count(DataAnomaly::nul) ==
          static_cast<std::uint64_t>(std::count(body.begin(), body.end(), '\0')));
  } else {
    check(back == with_final_crlf(std::string(body)));
  }
  return 0;
}
