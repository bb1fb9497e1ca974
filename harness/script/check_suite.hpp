#pragma once
// The compliance checks written in Lua (scenarios/compliance/*.lua),
// loaded into one LuaState, and each run as a Lua coroutine that asks the
// runner for I/O (check_io.hpp). SCRIPTING.md, "Compliance checks", documents
// the Lua side: check { ... }, the test object t, connections and replies.
//
// One CheckSuite per thread: every check's coroutine lives in the suite's
// LuaState, and the runner interleaves them on one io_context.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "check/verdict.hpp"
#include "script/check_io.hpp"

struct lua_State;

namespace smtp::script {

class LuaState;

// A check as its check { } declared it.
struct CheckInfo {
  std::string id;
  std::string title;
  std::string rfc;
  check::Level level = check::Level::must;
  std::string area;  // the file name without ".lua" and a leading "NN-": "03-core.lua" → "core"
  std::vector<std::string> profiles;  // where it applies; empty: every profile
  std::vector<std::string> needs;     // EHLO keywords that must be advertised, else SKIP
  bool oracle = false;                // needs the delivery oracle, else SKIP
  bool slow = false;                  // long (minutes): runs only when selected by id
  std::string source;                 // "file:line" of the check { }
};

// What the test object t shows a check.
struct CheckTarget {
  std::string target;     // "host:port", for messages
  std::string profile;    // "mx", "relay", "submission", "implicit-tls"
  std::string domain;     // a domain the target accepts mail for
  bool starttls = false;  // --tls: sessions upgrade with STARTTLS before anything else
  std::optional<std::string> user, password;  // --auth
  std::chrono::milliseconds reply_timeout{5000};
  bool oracle = false;  // a delivery oracle listens: t:delivered works
};

// How a check ended.
struct CheckOutcome {
  check::Verdict verdict = check::Verdict::pass;
  std::string reason;              // empty for a plain PASS
  std::vector<std::string> notes;  // t:info and t:note, in order
};

class CheckSuite;

// One running check. Not copyable; destroying it abandons the coroutine.
class CheckCoroutine {
 public:
  ~CheckCoroutine();
  CheckCoroutine(const CheckCoroutine&) = delete;
  CheckCoroutine& operator=(const CheckCoroutine&) = delete;

  // Runs the check until it needs I/O or ends. The first call passes
  // nullptr; each later call passes the result of the request the previous
  // call returned. After an outcome, do not call again.
  std::variant<IoRequest, CheckOutcome> resume(const IoResult* result);

  // Notes (t:note, t:info) since the last call, for the transcript in time order.
  std::vector<std::string> take_notes();

 private:
  friend class CheckSuite;
  CheckCoroutine(CheckSuite& suite, int thread_ref, int test_ref, lua_State* thread);
  CheckSuite& suite_;
  int thread_ref_;  // the Lua thread, anchored in the registry
  int test_ref_;    // its t
  lua_State* thread_;
};

class CheckSuite {
 public:
  CheckSuite();
  ~CheckSuite();
  CheckSuite(const CheckSuite&) = delete;
  CheckSuite& operator=(const CheckSuite&) = delete;

  // Loads a suite file or every *.lua of a directory (in name order). Throws
  // ScriptError with file:line for a Lua error, a bad check { } (unknown
  // field, missing run, bad level) or an id used twice.
  void load(const std::string& path);

  const std::vector<CheckInfo>& checks() const { return checks_; }

  // Starts checks()[index] against `target`; nothing runs until resume().
  std::unique_ptr<CheckCoroutine> start(std::size_t index, const CheckTarget& target);

  // check { ... } of a suite file (the table at index 1); for the C function
  // the suite registers, not for callers.
  int declare(lua_State* L);

 private:
  friend class CheckCoroutine;
  void load_file(const std::string& path);
  std::unique_ptr<LuaState> lua_;
  std::vector<CheckInfo> checks_;
  std::vector<int> run_refs_;  // the run functions, anchored in the registry
  int new_test_ref_ = 0;       // the prelude's new_test(target, info, nonce)
  int body_ref_ = 0;           // the prelude's body(run, t): a coroutine's function
  std::string current_area_;   // of the file being loaded
  std::uint64_t started_ = 0;
  std::uint64_t run_nonce_;  // differs between runs, for t:unique()
};

}  // namespace smtp::script
