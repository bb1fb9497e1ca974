#include "reports/result_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "hostile_results.hpp"
#include "proto/utf8.hpp"

namespace smtp::reports::result_file_test {
namespace {

using testing::sample_check_document;
using testing::sample_load_document;

class ResultFile : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        std::filesystem::temp_directory_path() /
        ("result_file_test." + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "." + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::string write(const std::string& name, const std::string& text) {
    const std::string path = (directory_ / name).string();
    std::ofstream out(path, std::ios::binary);
    out << text;
    return path;
  }

  // The message read_result_file throws for `text`, or "" when it reads.
  std::string refusal(const std::string& text) {
    const std::string path = write("result.json", text);
    try {
      read_result_file(path);
    } catch (const ResultFileError& e) {
      EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << "names the file";
      return std::string(e.what()).substr(path.size() + 2);
    }
    return {};
  }

  std::filesystem::path directory_;
};

TEST_F(ResultFile, ReadsBothKinds) {
  const std::string load = write("load.json", sample_load_document().document.dump(1));
  const ResultDocument read = read_result_file(load);
  EXPECT_EQ(read.kind, "load");
  EXPECT_EQ(read.name, load);
  EXPECT_EQ(read.document, sample_load_document().document);
  EXPECT_EQ(read_result_file(write("check.json", sample_check_document().document.dump())).kind,
            "check");
}

TEST_F(ResultFile, RefusesWhatIsNotJson) {
  EXPECT_EQ(refusal("{\"schema\": "),
            "not JSON: parse error at line 1, column 12: syntax error while parsing value - "
            "unexpected end of input; expected '[', '{', or a literal");
  EXPECT_EQ(refusal("").rfind("not JSON: ", 0), 0u);
}

TEST_F(ResultFile, RefusesBytesThatAreNotUtf8WithoutEchoingThem) {
  const std::string message = refusal("{\"schema\": \"x\xff\"}");
  EXPECT_EQ(message.rfind("not JSON: ", 0), 0u) << message;
  EXPECT_TRUE(proto::is_utf8(message));
}

TEST_F(ResultFile, RefusesOtherFilesAndVersions) {
  EXPECT_EQ(refusal("[1, 2]"), "not a result file (a JSON object is expected)");
  EXPECT_EQ(refusal("{\"name\": \"package.json\"}"),
            "not an smtp-harness result file (\"schema\" is not \"smtp-harness/result\")");
  nlohmann::json document = sample_load_document().document;
  document["schema_version"] = 3;
  document["kind"] = "merged";
  EXPECT_EQ(refusal(document.dump()),
            "schema_version: 3 is not supported (this build reads 1 and 2)");
  document["schema_version"] = -1;
  EXPECT_EQ(refusal(document.dump()),
            "schema_version: -1 is not supported (this build reads 1 and 2)");
  document["schema_version"] = "1";
  EXPECT_EQ(refusal(document.dump()), "schema_version: missing or not a version number");
  document["schema_version"] = 1;
  EXPECT_EQ(refusal(document.dump()), "kind: expected \"load\" or \"check\", got \"merged\"");
}

TEST_F(ResultFile, RefusesAResultThatDoesNotFollowTheSchema) {
  nlohmann::json document = sample_load_document().document;
  document["load"]["latency"][0]["p95_ns"] = 1;
  EXPECT_EQ(refusal(document.dump()).rfind("load.latency[0]", 0), 0u) << refusal(document.dump());
  nlohmann::json check = sample_check_document().document;
  check["check"]["counts"]["PASS"] = 99;
  EXPECT_EQ(refusal(check.dump()).rfind("check.counts", 0), 0u) << refusal(check.dump());
}

TEST_F(ResultFile, ReportsAFileThatCannotBeRead) {
  const std::string path = (directory_ / "missing.json").string();
  try {
    read_result_file(path);
    FAIL() << "read a missing file";
  } catch (const ResultFileError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": cannot read: No such file or directory");
  }
}

// What --json writes reads back as the same document, and stays valid JSON
// when a string is not UTF-8.
TEST_F(ResultFile, WrittenTextReadsBack) {
  const std::string text = result_file_text(sample_load_document().document);
  EXPECT_EQ(text.substr(0, 3), "{\n ");
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(read_result_file(write("load.json", text)).document, sample_load_document().document);

  nlohmann::json document = sample_check_document().document;
  document["check"]["target"] = "mx\xff.example:25";
  const std::string replaced = result_file_text(document);
  EXPECT_TRUE(proto::is_utf8(replaced));
  EXPECT_EQ(nlohmann::json::parse(replaced)["check"]["target"], "mx\xef\xbf\xbd.example:25");
}

}  // namespace
}  // namespace smtp::reports::result_file_test
