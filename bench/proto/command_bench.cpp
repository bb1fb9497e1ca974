// Command parsing and encoding throughput. Target (bench/README.md): at least
// 5 million typical commands per second parsed, release build.
#include <benchmark/benchmark.h>

#include <array>
#include <string_view>

#include "proto/command_encoder.hpp"
#include "proto/command_parser.hpp"
#include "proto/path.hpp"

namespace {

using namespace smtp::proto;

// One transaction's worth of typical lines, as the LineFramer yields them.
constexpr std::array<std::string_view, 6> typical = {
    "EHLO client.example",
    "MAIL FROM:<sender@example.org> SIZE=1024 BODY=8BITMIME",
    "RCPT TO:<user42@example.net>",
    "RCPT TO:<postmaster@example.net> NOTIFY=SUCCESS,FAILURE",
    "DATA",
    "QUIT",
};

void run_parse(benchmark::State& state, std::string_view line) {
  const CommandParseOptions options;
  for (auto _ : state) {
    auto r = parse_command(line, options);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(line.size()));
}

void BM_CommandParse_Mail(benchmark::State& state) {
  run_parse(state, "MAIL FROM:<sender@example.org> SIZE=1024 BODY=8BITMIME");
}
BENCHMARK(BM_CommandParse_Mail);

void BM_CommandParse_Rcpt(benchmark::State& state) {
  run_parse(state, "RCPT TO:<user42@example.net>");
}
BENCHMARK(BM_CommandParse_Rcpt);

void BM_CommandParse_Data(benchmark::State& state) {
  run_parse(state, "DATA");
}
BENCHMARK(BM_CommandParse_Data);

void BM_CommandParse_Ehlo(benchmark::State& state) {
  run_parse(state, "EHLO client.example");
}
BENCHMARK(BM_CommandParse_Ehlo);

void BM_CommandParse_Utf8Mail(benchmark::State& state) {
  CommandParseOptions options;
  options.smtputf8 = true;
  const std::string_view line = "MAIL FROM:<j\xC3\xB6rg@b\xC3\xBC\x63her.example> SMTPUTF8";
  for (auto _ : state) {
    auto r = parse_command(line, options);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(line.size()));
}
BENCHMARK(BM_CommandParse_Utf8Mail);

// The mix of a transaction, cycled: the number to compare with the target.
void BM_CommandParse_TransactionMix(benchmark::State& state) {
  const CommandParseOptions options;
  std::size_t i = 0;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    const std::string_view line = typical[i];
    i = i + 1 == typical.size() ? 0 : i + 1;
    auto r = parse_command(line, options);
    benchmark::DoNotOptimize(r);
    bytes += static_cast<std::int64_t>(line.size());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_CommandParse_TransactionMix);

void BM_PathParse(benchmark::State& state) {
  const std::string_view text = "<first.last+tag@sub.example.co.uk>";
  const PathOptions options;
  for (auto _ : state) {
    auto r = parse_path(text, options);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_PathParse);

// The encoders build the line and read it back with the parser (one grammar
// in both directions), so an encode costs about a parse plus the building.
void BM_CommandEncode_Mail(benchmark::State& state) {
  const Path from = std::get<Path>(path_from_address("sender@example.org"));
  const std::vector<EsmtpParam> params = {{"SIZE", "1024"}, {"BODY", "8BITMIME"}};
  for (auto _ : state) {
    auto line = encode_mail(from, params);
    benchmark::DoNotOptimize(line);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CommandEncode_Mail);

void BM_CommandEncode_Rcpt(benchmark::State& state) {
  const Path to = std::get<Path>(path_from_address("user42@example.net"));
  for (auto _ : state) {
    auto line = encode_rcpt(to);
    benchmark::DoNotOptimize(line);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CommandEncode_Rcpt);

void BM_CommandEncode_Data(benchmark::State& state) {
  for (auto _ : state) {
    auto line = encode_simple(Verb::data);
    benchmark::DoNotOptimize(line);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CommandEncode_Data);

void BM_CommandEncode_Bdat(benchmark::State& state) {
  for (auto _ : state) {
    auto line = encode_bdat(65536, true);
    benchmark::DoNotOptimize(line);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CommandEncode_Bdat);

void BM_CommandEncode_Ehlo(benchmark::State& state) {
  for (auto _ : state) {
    auto line = encode_ehlo("client.example");
    benchmark::DoNotOptimize(line);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CommandEncode_Ehlo);

}  // namespace
