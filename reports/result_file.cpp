#include "reports/result_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "reports/check_result_json.hpp"
#include "reports/result_envelope.hpp"
#include "reports/result_json.hpp"
#include "reports/utf8_text.hpp"

namespace smtp::reports {
namespace {

[[noreturn]] void refuse(const std::string& name, const std::string& what) {
  // A hostile file's bytes may be quoted in `what`: no stray byte reaches
  // the terminal.
  throw ResultFileError(escape_non_utf8(name + ": " + what));
}

// nlohmann's messages start with "[json.exception.parse_error.101] ".
std::string without_exception_tag(const std::string& message) {
  const std::size_t end = message.find("] ");
  return message.rfind("[json.exception.", 0) == 0 && end != std::string::npos
             ? message.substr(end + 2)
             : message;
}

}  // namespace

std::string result_file_text(const nlohmann::json& document) {
  return document.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

ResultDocument validate_result(std::string name, nlohmann::json document) {
  if (!document.is_object()) refuse(name, "not a result file (a JSON object is expected)");
  const auto schema = document.find("schema");
  if (schema == document.end() || *schema != "smtp-harness/result") {
    refuse(name, "not an smtp-harness result file (\"schema\" is not \"smtp-harness/result\")");
  }
  // The version first: a newer file may have kinds or fields this build
  // does not know, and that is what the user should hear.
  const auto version = document.find("schema_version");
  if (version == document.end() || !version->is_number_integer()) {
    refuse(name, "schema_version: missing or not a version number");
  }
  // Signed or unsigned in memory, as the document was built or parsed.
  const bool negative = !version->is_number_unsigned() && version->get<std::int64_t>() < 0;
  if (negative || !detail::supported_schema_version(version->get<std::uint64_t>())) {
    refuse(name, "schema_version: " + version->dump() + " is not supported (this build reads " +
                     detail::supported_schema_versions() + ")");
  }
  const auto kind = document.find("kind");
  if (kind == document.end() || !kind->is_string() || (*kind != "load" && *kind != "check")) {
    refuse(name, "kind: expected \"load\" or \"check\"" +
                     (kind == document.end() ? std::string() : ", got " + kind->dump()));
  }
  std::string error;
  const bool valid = *kind == "load" ? load_result_from_json(document, error).has_value()
                                     : check_result_from_json(document, error).has_value();
  if (!valid) refuse(name, error);
  std::string kind_text = kind->get<std::string>();
  return {std::move(name), std::move(kind_text), std::move(document)};
}

ResultDocument read_result_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) refuse(path, std::string("cannot read: ") + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) refuse(path, "cannot read");
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    refuse(path, "not JSON: " + without_exception_tag(e.what()));
  }
  return validate_result(path, std::move(document));
}

}  // namespace smtp::reports
