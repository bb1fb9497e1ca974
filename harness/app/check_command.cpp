#include "app/check_command.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/capture_oracle.hpp"
#include "app/check_text.hpp"
#include "app/conformance_catalogue.hpp"
#include "app/exit_codes.hpp"
#include "app/output_file.hpp"
#include "app/rendered_outputs.hpp"
#include "check/runner.hpp"
#include "common/duration.hpp"
#include "common/host_port.hpp"
#include "reports/check_result_json.hpp"
#include "reports/junit.hpp"
#include "reports/result_file.hpp"
#include "script/check_suite.hpp"
#include "script/lua_state.hpp"

namespace smtp::app {
namespace {

struct Options {
  std::string target;
  std::string profile = "mx";
  bool tls = false;
  std::string auth;
  std::string domain = "example.com";
  std::vector<std::string> only;
  std::vector<std::string> skip;
  std::string suite = SMTP_COMPLIANCE_SUITE;
  std::string json;
  std::string junit;
  std::string fail_on = "must";
  std::size_t concurrency = 8;
  std::string timeout = "5s";
  std::string connect_timeout = "5s";
  std::string check_timeout = "60s";
  RenderedOutputs rendered;
  std::string oracle;   // HOST:PORT the capture server listens on; empty: no oracle
  std::string explain;  // a check id: print its docs/CONFORMANCE.md entry and exit
  bool list = false;
  bool quiet = false;
};

int fail(int code, const std::string& message) {
  std::fprintf(stderr, "smtp-harness check: %s\n", message.c_str());
  return code;
}

std::chrono::milliseconds duration_flag(const std::string& flag, const std::string& text) {
  auto d = common::parse_duration(text);
  const auto ms =
      d ? std::chrono::duration_cast<std::chrono::milliseconds>(*d) : std::chrono::milliseconds(0);
  // At least a millisecond, at most a day: a zero timeout would end every
  // wait at once, a huge one overflow the clock.
  if (!d || ms < std::chrono::milliseconds(1) || ms > std::chrono::hours(24)) {
    throw std::invalid_argument(
        flag + ": expected a duration from 1ms to 24h, like 5s or 250ms, got '" + text + "'");
  }
  return ms;
}

std::string list_text(const std::vector<script::CheckInfo>& checks) {
  std::string out;
  for (const auto& info : checks) {
    std::string line = info.id;
    line.resize(std::max<std::size_t>(line.size(), 10), ' ');
    line += ' ';
    std::string level(check::to_string(info.level));
    level.resize(7, ' ');
    line += level + info.area;
    line.resize(std::max<std::size_t>(line.size(), 32), ' ');
    line += ' ' + info.title + "  (" + info.rfc + ")";
    if (info.oracle) line += " [oracle]";
    if (info.slow) line += " [slow]";
    out += line + '\n';
  }
  return out;
}

// --explain ID: the check's entry of docs/CONFORMANCE.md, compiled in.
int explain(const std::string& id) {
  const auto entry = conformance_entry(conformance_catalogue_text(), id);
  if (!entry) {
    return fail(exit_usage, "--explain: no check '" + id +
                                "' in docs/CONFORMANCE.md (ids are case-sensitive, e.g. E4; "
                                "smtp-harness check HOST:PORT --list lists them)");
  }
  std::fputs(entry->c_str(), stdout);
  return exit_ok;
}

int run(const Options& options) {
  if (!options.explain.empty()) return explain(options.explain);
  if (options.target.empty()) return fail(exit_usage, "the target HOST:PORT is required");
  check::RunnerConfig config;
  std::optional<common::HostPort> oracle_at;
  try {
    auto hp = common::parse_host_port(options.target);
    if (!hp || hp->port == 0) {
      throw std::invalid_argument("the target must be HOST:PORT, got '" + options.target + "'");
    }
    config.host = hp->host;
    config.port = hp->port;
    if (options.fail_on != "must" && options.fail_on != "should") {
      throw std::invalid_argument("--fail-on: must or should, got '" + options.fail_on + "'");
    }
    config.target.target = hp->to_string();
    config.target.profile = options.profile;
    config.target.domain = options.domain;
    config.target.starttls = options.tls;
    if (!options.auth.empty()) {
      auto colon = options.auth.find(':');
      if (colon == std::string::npos || colon == 0) {
        throw std::invalid_argument("--auth: expected USER:PASS");
      }
      // RFC 4954 §4: PLAIN and LOGIN would put the password on the wire in
      // clear text; the suite opens dozens of sessions.
      if (!options.tls && options.profile != "implicit-tls") {
        throw std::invalid_argument(
            "--auth sends the password in every session: give --tls (STARTTLS) or "
            "--profile implicit-tls");
      }
      config.target.user = options.auth.substr(0, colon);
      config.target.password = options.auth.substr(colon + 1);
    }
    if (options.concurrency == 0) throw std::invalid_argument("--concurrency: at least 1");
    config.concurrency = options.concurrency;
    config.target.reply_timeout = duration_flag("--timeout", options.timeout);
    config.connect_timeout = duration_flag("--connect-timeout", options.connect_timeout);
    config.check_timeout = duration_flag("--check-timeout", options.check_timeout);
    if (!options.oracle.empty()) {
      oracle_at = common::parse_host_port(options.oracle);
      if (!oracle_at) {
        throw std::invalid_argument("--oracle: expected HOST:PORT to listen on, got '" +
                                    options.oracle + "'");
      }
    }
  } catch (const std::invalid_argument& e) {
    return fail(exit_usage, e.what());
  }

  script::CheckSuite suite;
  try {
    suite.load(options.suite);
  } catch (const script::ScriptError& e) {
    return fail(exit_usage, std::string("bad suite: ") + e.what());
  }
  if (options.list) {
    std::fputs(list_text(suite.checks()).c_str(), stdout);
    return exit_ok;
  }
  check::Selection selection{options.only, options.skip};
  std::string error;
  auto selected = check::select_checks(suite.checks(), selection, &error);
  if (!error.empty()) return fail(exit_usage, error);
  if (selected.empty()) return fail(exit_usage, "no check selected");

  // The capture server listens before the first check, for the whole run.
  std::unique_ptr<CaptureOracle> oracle;
  if (oracle_at) {
    try {
      oracle = std::make_unique<CaptureOracle>(*oracle_at);
    } catch (const std::exception& e) {
      return fail(exit_usage, std::string("--oracle: ") + e.what());
    }
    config.oracle = oracle.get();
    config.target.oracle = true;
  }

  const bool live = !options.quiet && isatty(STDERR_FILENO) == 1 && std::getenv("CI") == nullptr;
  // Once the probe reached the target: one that cannot be reached gets its
  // one error line and nothing else.
  auto on_reached = [&](const check::ServerIdentity&) {
    if (options.quiet) return;
    std::printf("smtp-harness check %s (profile %s, domain %s): %zu checks from %s\n",
                config.target.target.c_str(), options.profile.c_str(), options.domain.c_str(),
                selected.size(), options.suite.c_str());
    if (oracle) {
      std::printf("delivery oracle listening on %s: the target must relay mail for %s there\n",
                  oracle->where().c_str(), options.domain.c_str());
    }
    std::fflush(stdout);
  };
  auto on_done = [&](const check::CheckResult& result, std::size_t done, std::size_t total) {
    if (options.quiet) return;
    // A terminal gets the lines as checks end and a counter under them.
    if (live) std::fprintf(stderr, "\r\033[K");
    std::fputs(check_line(result).c_str(), stdout);
    std::fflush(stdout);
    if (live && done < total) std::fprintf(stderr, "%zu/%zu checks done", done, total);
  };

  check::CheckRunResult result;
  try {
    result = check::run_checks(suite, selected, config, on_done, on_reached);
  } catch (const std::runtime_error& e) {
    // check::TargetUnreachable, above all: nothing was judged, so no result
    // file is written.
    return fail(exit_failed, e.what());
  }
  if (live) std::fprintf(stderr, "\r\033[K");
  const bool fail_on_should = options.fail_on == "should";
  std::fputs(check_summary(result, fail_on_should).c_str(), stdout);
  std::fflush(stdout);

  int code = check::run_failed(result, fail_on_should) ? exit_failed : exit_ok;
  const auto document = reports::to_json(result);
  if (!options.json.empty() &&
      !write_output_file(options.json, reports::result_file_text(document))) {
    code = fail(exit_failed, "cannot write " + options.json);
  }
  const std::string name = options.json.empty() ? "check " + result.target : options.json;
  if (!write_rendered("check", name, document, options.rendered)) code = exit_failed;
  if (!options.junit.empty() && !write_output_file(options.junit, reports::to_junit(result))) {
    code = fail(exit_failed, "cannot write " + options.junit);
  }
  return code;
}

}  // namespace

Subcommand register_check(CLI::App& app) {
  auto options = std::make_shared<Options>();
  auto& o = *options;
  auto* cmd = app.add_subcommand(
      "check", "Judge an SMTP server against the RFCs: clause-level verdicts with evidence");
  cmd->footer(
      "Verdicts: PASS, FAIL (a MUST violated), WARN (a SHOULD), INFO, SKIP (does not apply),\n"
      "ERROR (could not judge). Before the checks one probe session connects, reads the\n"
      "greeting and sends EHLO and QUIT; its replies name the server, and a FAIL or WARN\n"
      "gets a hint when the server is one whose fix is known. A target that cannot be\n"
      "reached (no address, no connection, no byte of a greeting) is one error line, exit\n"
      "1, and no result file (--json, --junit, --html, --markdown) is written.\n"
      "Exit codes: 0 no FAIL or ERROR (and no WARN with --fail-on should), 1 otherwise or\n"
      "the target cannot be reached, 2 usage or suite error.\n"
      "Examples:\n"
      "  smtp-harness check 127.0.0.1:2525\n"
      "  smtp-harness check mx.example.org:25 --domain example.org --junit checks.xml\n"
      "  smtp-harness check smtp.example.org:587 --profile submission --tls --auth u:p\n"
      "  smtp-harness check 127.0.0.1:2525 --only D3,tls --json result.json\n"
      "  smtp-harness check relay.test:25 --domain oracle.test --oracle 127.0.0.1:2526\n"
      "  smtp-harness check 127.0.0.1:2525 --list\n"
      "  smtp-harness check --explain E4");
  cmd->add_option("target", o.target, "HOST:PORT of the server under test");
  cmd->add_option("--profile", o.profile, "mx (default), relay, submission or implicit-tls")
      ->check(CLI::IsMember({"mx", "relay", "submission", "implicit-tls"}));
  cmd->add_flag("--tls", o.tls, "upgrade every session with STARTTLS before anything else");
  cmd->add_option("--auth", o.auth,
                  "authenticate sessions as USER:PASS (PLAIN, else LOGIN); needs --tls or "
                  "--profile implicit-tls");
  cmd->add_option("--domain", o.domain,
                  "a domain the target accepts mail for (default example.com)");
  cmd->add_option("--only", o.only, "run only these check ids or areas (comma-separated)")
      ->delimiter(',');
  cmd->add_option("--skip", o.skip, "leave out these check ids or areas (comma-separated)")
      ->delimiter(',');
  cmd->add_option("--suite", o.suite,
                  "a suite file or directory of *.lua (default: the bundled scenarios/compliance)");
  cmd->add_option("--json", o.json, "write the result (reports/schema/, kind check) to this file");
  cmd->add_option("--junit", o.junit, "write JUnit XML to this file");
  add_render_flags(cmd, o.rendered, false);
  cmd->add_option("--fail-on", o.fail_on, "must (default) or should: which verdicts fail the run");
  cmd->add_option("--concurrency", o.concurrency, "checks running at once (default 8)");
  cmd->add_option("--timeout", o.timeout, "reply timeout (default 5s)");
  cmd->add_option("--connect-timeout", o.connect_timeout, "connect timeout (default 5s)");
  cmd->add_option("--check-timeout", o.check_timeout,
                  "longest a check may run (default 60s; slow checks at least 10m)");
  cmd->add_option("--oracle", o.oracle,
                  "listen on HOST:PORT as the delivery oracle's capture server (port 0: any); "
                  "the target must relay mail for --domain to it. Without it the [oracle] "
                  "checks are SKIP");
  cmd->add_flag("--list", o.list, "list the suite's checks and exit");
  cmd->add_option("--explain", o.explain,
                  "print what check ID sends and expects, and the RFC sentences its verdicts "
                  "rest on (docs/CONFORMANCE.md), and exit; no target needed");
  cmd->add_flag("--quiet,-q", o.quiet, "print only the summary");
  return {cmd, [options] { return run(*options); }};
}

}  // namespace smtp::app
