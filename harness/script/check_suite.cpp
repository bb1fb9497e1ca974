// Loading the compliance suite: the prelude (the API checks use), then the
// suite files, whose check { } calls register checks here.
#include "script/check_suite.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <lua.hpp>
#include <map>
#include <set>

#include "proto/ascii.hpp"
#include "script/check_prelude_source.hpp"
#include "script/check_primitives.hpp"
#include "script/lua_fields.hpp"
#include "script/lua_state.hpp"

namespace smtp::script {
namespace {

namespace f = lua_fields;
constexpr std::string_view kContext = "check";

const std::set<std::string, std::less<>> kProfiles = {"mx", "relay", "submission", "implicit-tls"};

bool valid_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
  });
}

std::vector<std::string> string_list(lua_State* L, const char* field) {
  std::vector<std::string> out;
  f::each_element(L, kContext, field, [&] { out.push_back(f::string(L, kContext, field)); });
  return out;
}

// check { ... }: reads and validates the table; the suite is the upvalue.
int check_declaration(lua_State* L) {
  auto* suite = static_cast<CheckSuite*>(lua_touserdata(L, lua_upvalueindex(1)));
  if (!lua_istable(L, 1))
    f::fail(L, kContext, "check takes a table: check { id = ..., run = ... }");
  return suite->declare(L);
}

}  // namespace

CheckSuite::CheckSuite()
    : run_nonce_(static_cast<std::uint64_t>(
          std::chrono::steady_clock::now().time_since_epoch().count() % 1000000)) {
  LuaState::Options options;
  // Per resume (each stretch of Lua between two I/O requests): a loop that
  // never reaches I/O ends its check in ERROR instead of hanging the run.
  options.instruction_limit = 50'000'000;
  lua_ = std::make_unique<LuaState>(options);
  lua_State* L = lua_->get();

  const std::string& prelude = check_prelude_source();
  if (luaL_loadbufferx(L, prelude.data(), prelude.size(), "=check_prelude.lua", "t") != LUA_OK) {
    throw ScriptError(lua_tostring(L, -1));
  }
  lua_pushcfunction(L, check_primitives::io);
  lua_pushcfunction(L, check_primitives::parse_ehlo);
  lua_pushcfunction(L, check_primitives::dot_stuff);
  lua_pushcfunction(L, check_primitives::base64);
  lua_pushcfunction(L, check_primitives::is_domain);
  lua_pushlstring(L, kClientName.data(), kClientName.size());
  lua_->call(6, 2);
  body_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);      // the second result
  new_test_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);  // the first

  lua_pushlightuserdata(L, this);
  lua_pushcclosure(L, check_declaration, 1);
  lua_setglobal(L, "check");
}

CheckSuite::~CheckSuite() = default;

void CheckSuite::load(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      if (entry.is_regular_file() && entry.path().extension() == ".lua") {
        files.push_back(entry.path().string());
      }
    }
    if (ec) throw ScriptError(path + ": " + ec.message());
    std::sort(files.begin(), files.end());
    if (files.empty()) throw ScriptError(path + ": no .lua files in this directory");
    for (const auto& file : files) load_file(file);
    return;
  }
  if (!fs::exists(path, ec)) throw ScriptError(path + ": no such file or directory");
  load_file(path);
}

void CheckSuite::load_file(const std::string& path) {
  // "03-core.lua" is area "core": the number only orders the files (and so
  // the report) as docs/CONFORMANCE.md orders its checks.
  current_area_ = std::filesystem::path(path).stem().string();
  const auto digits = current_area_.find_first_not_of("0123456789");
  if (digits != std::string::npos && digits > 0 && current_area_[digits] == '-' &&
      digits + 1 < current_area_.size()) {
    current_area_.erase(0, digits + 1);
  }
  const std::size_t before = checks_.size();
  lua_->run_file(path);
  if (checks_.size() == before) throw ScriptError(path + ": declares no check { }");
}

int CheckSuite::declare(lua_State* L) {
  CheckInfo info;
  info.area = current_area_;
  // luaL_where's "file:line: ", without the separator after the line.
  info.source = caller_location(L);
  while (!info.source.empty() && (info.source.back() == ' ' || info.source.back() == ':')) {
    info.source.pop_back();
  }
  bool has_level = false;
  bool has_run = false;
  const std::map<std::string_view, int> known = {{"id", 0},     {"title", 0},    {"rfc", 0},
                                                 {"level", 0},  {"profiles", 0}, {"needs", 0},
                                                 {"oracle", 0}, {"slow", 0},     {"run", 0}};
  f::each_field(L, 1, kContext, [&](const std::string& name) {
    if (name == "id") {
      info.id = f::string(L, kContext, "id");
    } else if (name == "title") {
      info.title = f::string(L, kContext, "title");
    } else if (name == "rfc") {
      info.rfc = f::string(L, kContext, "rfc");
    } else if (name == "level") {
      auto level = check::parse_level(f::string(L, kContext, "level"));
      if (!level) f::fail(L, kContext, "level must be \"MUST\", \"SHOULD\" or \"INFO\"");
      info.level = *level;
      has_level = true;
    } else if (name == "profiles") {
      info.profiles = string_list(L, "profiles");
      for (const auto& p : info.profiles) {
        if (!kProfiles.count(p)) {
          f::fail(L, kContext,
                  "unknown profile '" + p + "' (known: implicit-tls, mx, relay, submission)");
        }
      }
    } else if (name == "needs") {
      info.needs = string_list(L, "needs");
      for (auto& keyword : info.needs) keyword = proto::to_upper_ascii(keyword);
    } else if (name == "oracle") {
      info.oracle = f::boolean(L, kContext, "oracle");
    } else if (name == "slow") {
      info.slow = f::boolean(L, kContext, "slow");
    } else if (name == "run") {
      if (!lua_isfunction(L, -1)) f::fail(L, kContext, "run must be a function(t)");
      has_run = true;
    } else {
      f::unknown_field(L, kContext, name, known);
    }
  });
  if (!valid_id(info.id)) {
    f::fail(L, kContext, "id must be letters, digits, '.', '-' or '_' (at most 64)");
  }
  const std::string context = "check " + info.id;
  if (info.title.empty()) f::fail(L, context, "needs a title");
  if (info.rfc.empty()) f::fail(L, context, "needs rfc = the clause it judges");
  if (!has_level) f::fail(L, context, "needs level = \"MUST\", \"SHOULD\" or \"INFO\"");
  if (!has_run) f::fail(L, context, "needs run = function(t) ... end");
  for (const auto& other : checks_) {
    if (other.id == info.id) f::fail(L, context, "id already used at " + other.source);
  }
  lua_getfield(L, 1, "run");
  run_refs_.push_back(luaL_ref(L, LUA_REGISTRYINDEX));
  checks_.push_back(std::move(info));
  return 0;
}

}  // namespace smtp::script
