// Writes the reports tests' sample result, so that the schema test can check
// a real file against reports/schema/result.schema.json with the Python
// validator.
//
// usage: write_sample_result [--sink] OUT.json [UNKNOWN_FIELD.json]
// The second file, if given, gets the same result with one field the schema
// does not know (load.latency[0].p95_ns; with --sink,
// load.delivery.counts.lost_messages), which the validator must refuse.
// --sink: the sample of a run with --sink, with its delivery section.
#include <fstream>
#include <iostream>
#include <string_view>

#include "reports/result_json.hpp"
#include "sample_result.hpp"

namespace {

bool write(const char* path, const nlohmann::json& document) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << document.dump(2) << '\n';
  out.close();
  if (!out) {
    std::cerr << path << ": cannot write\n";
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const bool sink = argc > 1 && std::string_view(argv[1]) == "--sink";
  if (sink) {
    --argc;
    ++argv;
  }
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: write_sample_result [--sink] OUT.json [UNKNOWN_FIELD.json]\n";
    return 2;
  }
  using namespace smtp::reports;
  nlohmann::json document =
      to_json(sink ? testing::sample_sink_result() : testing::sample_result());
  if (!write(argv[1], document)) return 1;
  if (argc == 3) {
    if (sink) {
      document["load"]["delivery"]["counts"]["lost_messages"] = 1;
    } else {
      document["load"]["latency"][0]["p95_ns"] = 12345;
    }
    if (!write(argv[2], document)) return 1;
  }
  return 0;
}
