// Reply side of the protocol core: framing, reply parsing and EHLO parsing.
// Target (bench/README.md): >= 5M typical replies/s in release,
// a multiline EHLO reply counting as one reply.
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>
#include <variant>

#include "proto/ehlo.hpp"
#include "proto/line_framer.hpp"
#include "proto/reply_parser.hpp"

namespace {

using namespace smtp::proto;

constexpr std::string_view kEhlo =
    "250-mx.example.org Hello client.example [192.0.2.1]\r\n"
    "250-PIPELINING\r\n"
    "250-SIZE 10240000\r\n"
    "250-VRFY\r\n"
    "250-ETRN\r\n"
    "250-STARTTLS\r\n"
    "250-AUTH PLAIN LOGIN\r\n"
    "250-ENHANCEDSTATUSCODES\r\n"
    "250-8BITMIME\r\n"
    "250 SMTPUTF8\r\n";

// Feeds `wire` (one reply) and parses it, as a client does per read.
void parse_each(benchmark::State& state, std::string_view wire) {
  ReplyParser p;
  for (auto _ : state) {
    p.feed(wire);
    auto r = p.next();
    if (!std::holds_alternative<Reply>(r)) {
      state.SkipWithError("not a reply");
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
}

void BM_ReplyParser_SingleLine(benchmark::State& state) {
  parse_each(state, "250 2.1.0 Ok\r\n");
}
BENCHMARK(BM_ReplyParser_SingleLine);

void BM_ReplyParser_SingleLineLong(benchmark::State& state) {
  parse_each(state, "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown\r\n");
}
BENCHMARK(BM_ReplyParser_SingleLineLong);

void BM_ReplyParser_Ehlo10Lines(benchmark::State& state) {
  parse_each(state, kEhlo);
}
BENCHMARK(BM_ReplyParser_Ehlo10Lines);

// A pipelined burst (RFC 2920): many replies arrive in one read.
void BM_ReplyParser_PipelinedBurst(benchmark::State& state) {
  std::string burst;
  for (int i = 0; i < 16; ++i) {
    burst += "250 2.1.0 Ok\r\n";
    burst += "250 2.1.5 Ok\r\n";
    burst += "354 End data with <CR><LF>.<CR><LF>\r\n";
    burst += "250 2.0.0 Ok: queued as 4BcTzG1Kz9z9sW\r\n";
  }
  ReplyParser p;
  std::int64_t replies = 0;
  for (auto _ : state) {
    p.feed(burst);
    for (;;) {
      auto r = p.next();
      if (!std::holds_alternative<Reply>(r)) break;
      benchmark::DoNotOptimize(r);
      ++replies;
    }
  }
  if (replies != static_cast<std::int64_t>(state.iterations()) * 64) state.SkipWithError("lost");
  state.SetItemsProcessed(replies);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * burst.size()));
}
BENCHMARK(BM_ReplyParser_PipelinedBurst);

void BM_ParseEhlo(benchmark::State& state) {
  ReplyParser p;
  p.feed(kEhlo);
  const Reply reply = std::get<Reply>(p.next());
  for (auto _ : state) {
    auto caps = parse_ehlo(reply);
    benchmark::DoNotOptimize(caps);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_ParseEhlo);

// The replies of one typical transaction, read one by one: greeting, EHLO
// (10 lines, one reply), MAIL, RCPT, DATA, end of data, QUIT. Items = replies.
void BM_ReplyParser_TypicalSession(benchmark::State& state) {
  const std::string_view replies[] = {
      "220 mx.example.org ESMTP Postfix\r\n",
      kEhlo,
      "250 2.1.0 Ok\r\n",
      "250 2.1.5 Ok\r\n",
      "354 End data with <CR><LF>.<CR><LF>\r\n",
      "250 2.0.0 Ok: queued as 4BcTzG1Kz9z9sW\r\n",
      "221 2.0.0 Bye\r\n",
  };
  std::int64_t bytes = 0;
  for (auto r : replies) bytes += static_cast<std::int64_t>(r.size());
  ReplyParser p;
  for (auto _ : state) {
    for (auto wire : replies) {
      p.feed(wire);
      auto r = p.next();
      benchmark::DoNotOptimize(r);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 7);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * bytes);
}
BENCHMARK(BM_ReplyParser_TypicalSession);

// Reply bytes to capabilities, as the client does after EHLO.
void BM_EhloEndToEnd(benchmark::State& state) {
  ReplyParser p;
  for (auto _ : state) {
    p.feed(kEhlo);
    auto caps = parse_ehlo(std::get<Reply>(p.next()));
    benchmark::DoNotOptimize(caps);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kEhlo.size()));
}
BENCHMARK(BM_EhloEndToEnd);

// Command-sized lines through the framer (the server side's first step).
void BM_LineFramer_Lines(benchmark::State& state) {
  std::string chunk;
  for (int i = 0; i < 64; ++i) chunk += "RCPT TO:<user" + std::to_string(i) + "@example.org>\r\n";
  LineFramer f;
  std::int64_t lines = 0;
  for (auto _ : state) {
    f.feed(chunk);
    for (auto ev = f.next(); ev.kind == LineFramer::Event::Kind::line; ev = f.next()) {
      benchmark::DoNotOptimize(ev.line.data());
      ++lines;
    }
  }
  state.SetItemsProcessed(lines);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * chunk.size()));
}
BENCHMARK(BM_LineFramer_Lines);

// An endless line is dropped without buffering: the cost per byte of overflow.
void BM_LineFramer_OverflowDrop(benchmark::State& state) {
  const std::string chunk(64 * 1024, 'x');
  LineFramer f;
  f.next();
  for (auto _ : state) {
    f.feed(chunk);
    benchmark::DoNotOptimize(f.next());
  }
  if (!f.overflowing()) state.SkipWithError("not overflowing");
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * chunk.size()));
}
BENCHMARK(BM_LineFramer_OverflowDrop);

}  // namespace
