// Writes the reports tests' sample compliance run as a result file and as
// JUnit XML, so that ctest can check the file against
// reports/schema/result.schema.json and the XML with a real XML parser
// (junit_wellformed.py).
//
// usage: write_sample_check_result OUT.json OUT.xml [UNKNOWN_FIELD.json]
// The third file, if given, gets the same result with one field the schema
// does not know (check.results[0].transcript[0].octets_hex), which the
// validator must refuse.
#include <fstream>
#include <iostream>
#include <string>

#include "reports/check_result_json.hpp"
#include "reports/junit.hpp"
#include "sample_check_result.hpp"

namespace {

bool write(const char* path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::cerr << path << ": cannot write\n";
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    std::cerr << "usage: write_sample_check_result OUT.json OUT.xml [UNKNOWN_FIELD.json]\n";
    return 2;
  }
  const smtp::check::CheckRunResult run = smtp::reports::testing::sample_check_result();
  nlohmann::json document = smtp::reports::to_json(run);
  if (!write(argv[1], document.dump(2) + "\n")) return 1;
  if (!write(argv[2], smtp::reports::to_junit(run))) return 1;
  if (argc == 4) {
    document["check"]["results"][0]["transcript"][0]["octets_hex"] = "00";
    if (!write(argv[3], document.dump(2) + "\n")) return 1;
  }
  return 0;
}
