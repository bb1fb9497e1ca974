#include "app/load_command.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>

#include "app/exit_codes.hpp"
#include "app/load_delivery.hpp"
#include "app/load_live_metrics.hpp"
#include "app/load_options.hpp"
#include "app/load_summary_value.hpp"
#include "app/load_text.hpp"
#include "app/output_file.hpp"
#include "app/rendered_outputs.hpp"
#include "load/engine.hpp"
#include "net/tls_context.hpp"
#include "reports/result_file.hpp"
#include "reports/result_json.hpp"
#include "script/load_scenario.hpp"

namespace smtp::app {
namespace {

std::atomic<bool> g_interrupted{false};

// First SIGINT: stop gracefully (partial results are still written). A
// second one: the default action, for a user who really wants out.
extern "C" void on_sigint(int) {
  g_interrupted.store(true);
  std::signal(SIGINT, SIG_DFL);
}

struct Options {
  RenderedOutputs rendered;
  LoadFlags flags;
  SinkFlags sink;
  MetricsFlags metrics;
  std::string json;
  bool quiet = false;
};

// A terminal gets one line rewritten in place; a log (CI) a line every few
// seconds, so that it stays readable.
class Progress {
 public:
  Progress(const load::LoadConfig& config, bool quiet)
      : config_(config),
        quiet_(quiet),
        live_(isatty(STDERR_FILENO) == 1 && std::getenv("CI") == nullptr) {}

  void second(const load::SecondSample& sample, const load::Metrics& so_far, double elapsed) {
    if (quiet_) return;
    // The drain after the last planned second (transactions finishing) is
    // in the result's series, but would read "rate 0/s" here.
    if (config_.duration &&
        sample.second >=
            std::chrono::duration_cast<std::chrono::seconds>(*config_.duration).count())
      return;
    std::string line = progress_line(config_, sample, so_far, elapsed);
    if (live_) {
      std::fprintf(stderr, "\r\033[K%s", line.c_str());
      drawn_ = true;
    } else if (sample.second % 5 == 4) {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
  }
  void finish() {
    if (drawn_) std::fprintf(stderr, "\n");
  }

 private:
  const load::LoadConfig& config_;
  bool quiet_;
  bool live_;
  bool drawn_ = false;
};

// The domain the built-in generator's recipients are in, for the hint when
// nothing reached the sink ("rcpt%d@example.test" → "example.test").
std::string recipient_domain(const load::LoadConfig& config) {
  const auto& pattern = config.message.to_pattern;
  const auto at = pattern.rfind('@');
  return at == std::string::npos ? std::string() : pattern.substr(at + 1);
}

int fail(int code, const std::string& message) {
  std::fprintf(stderr, "smtp-harness load: %s\n", message.c_str());
  return code;
}

int run(const Options& options) {
  std::unique_ptr<script::LoadScenario> scenario;
  LoadPlan plan;
  try {
    if (!options.flags.scenario.empty()) {
      scenario = std::make_unique<script::LoadScenario>(options.flags.scenario);
      scenario->run_init();
      if (scenario->settings().has_message) scenario->dry_run_message();
    }
    plan = plan_load(options.flags, scenario ? &scenario->settings() : nullptr);
    if (options.sink.given()) add_implied_thresholds(plan.config.thresholds);
  } catch (const script::ScriptError& e) {
    return fail(exit_usage, std::string("bad scenario: ") + e.what());
  } catch (const UsageError& e) {
    return fail(exit_usage, e.what());
  }

  std::unique_ptr<DeliveryRun> delivery;
  if (!options.sink.given() && (options.sink.drain || options.sink.profile || options.sink.name)) {
    return fail(exit_usage, "--drain, --sink-profile and --sink-name need --sink HOST:PORT");
  }
  if (options.sink.given()) {
    try {
      delivery = std::make_unique<DeliveryRun>(options.sink);
    } catch (const UsageError& e) {
      return fail(exit_usage, e.what());
    } catch (const script::ScriptError& e) {
      return fail(exit_usage, std::string("bad --sink-profile: ") + e.what());
    } catch (const std::runtime_error& e) {
      return fail(exit_usage, e.what());
    }
    if (!options.quiet) std::fprintf(stderr, "sink: listening on %s\n", delivery->where().c_str());
  }

  std::unique_ptr<LiveMetrics> live;
  if (!options.metrics.given() && (options.metrics.linger || options.metrics.run_id)) {
    return fail(exit_usage, "--metrics-linger and --run-id need --metrics ADDR:PORT");
  }
  if (options.metrics.given()) {
    try {
      live = std::make_unique<LiveMetrics>(options.metrics, plan.config, plan.settings);
    } catch (const UsageError& e) {
      return fail(exit_usage, e.what());
    } catch (const std::runtime_error& e) {
      return fail(exit_usage, e.what());
    }
    if (!options.quiet)
      std::fprintf(stderr, "metrics: serving http://%s/metrics (run_id %s)\n",
                   live->where().c_str(), live->run_id().c_str());
  }

  std::signal(SIGINT, on_sigint);
  Progress progress(plan.config, options.quiet);
  load::EngineCallbacks callbacks;
  callbacks.interrupted = &g_interrupted;
  if (delivery) callbacks.ledger = &delivery->ledger();
  callbacks.on_second = [&](const load::SecondSample& sample, const load::Metrics& so_far,
                            double elapsed) {
    progress.second(sample, so_far, elapsed);
    if (live) live->second(sample, so_far, delivery ? &delivery->ledger() : nullptr);
  };

  bool hooks = scenario && (scenario->settings().has_message || scenario->settings().has_reply);
  load::RunResult result;
  try {
    result = load::run_load(plan.config, plan.settings, hooks ? &options.flags.scenario : nullptr,
                            scenario ? &scenario->shared() : nullptr, callbacks);
  } catch (const load::TargetError& e) {
    return fail(exit_failed, e.what());
  } catch (const script::ScriptError& e) {
    return fail(exit_usage, std::string("bad scenario: ") + e.what());
  } catch (const net::TlsSetupError& e) {
    return fail(exit_usage, e.what());
  }
  progress.finish();
  if (delivery) {
    // SIGINT during the load skips the drain; during the drain it ends it,
    // and what arrived is judged.
    if (!result.interrupted) std::signal(SIGINT, on_sigint);
    std::function<void()> each_second;
    if (live) each_second = [&] { live->draining(result, delivery->ledger()); };
    delivery->finish(result, g_interrupted, options.quiet, each_second);
    judge_after_drain(result, plan.config.thresholds);
  }
  std::signal(SIGINT, SIG_DFL);

  std::fputs(summary_text(result).c_str(), stdout);
  std::fflush(stdout);

  int code = exit_ok;
  for (const auto& verdict : result.thresholds)
    if (!verdict.passed) code = exit_failed;
  if (result.delivery) {
    const auto hint = unrouted_hint(*result.delivery, recipient_domain(plan.config));
    if (!hint.empty()) std::fprintf(stderr, "smtp-harness load: %s\n", hint.c_str());
  }
  if (scenario && scenario->settings().has_done) {
    try {
      if (auto reason = scenario->run_done(summary_value(result))) {
        std::fprintf(stderr, "smtp-harness load: done(summary) failed the run: %s\n",
                     reason->c_str());
        code = exit_failed;
      }
    } catch (const script::ScriptError& e) {
      std::fprintf(stderr, "smtp-harness load: done(summary): %s\n", e.what());
      code = exit_failed;
    }
  }
  const auto document = reports::to_json(result);
  if (!options.json.empty() &&
      !write_output_file(options.json, reports::result_file_text(document))) {
    return fail(exit_failed, "cannot write " + options.json);
  }
  const std::string name = options.json.empty() ? "load " + result.settings.target : options.json;
  if (!write_rendered("load", name, document, options.rendered)) code = exit_failed;
  if (!result.interrupted && result.metrics.counters().transactions_started == 0 &&
      result.stop_reason != "stalled") {
    // A load run that sent nothing has failed, whatever the thresholds say.
    std::fprintf(stderr, "smtp-harness load: no transaction could start (see the errors above)\n");
    code = exit_failed;
  }
  if (result.stop_reason == "stalled") {
    std::fprintf(stderr,
                 "smtp-harness load: stopped: no transaction could start for 10 s while every "
                 "connection failed (see the errors above)\n");
    code = exit_failed;
  }
  // Last: the result is written and shown before the endpoint lingers for
  // the scrape that takes the final counts.
  // A SIGINT during the wait ends it (and so does one that ended the run).
  if (live) {
    if (!result.interrupted) std::signal(SIGINT, on_sigint);
    live->finish(result, g_interrupted, options.quiet);
    std::signal(SIGINT, SIG_DFL);
  }
  if (result.interrupted) return exit_interrupted;
  return code;
}

}  // namespace

Subcommand register_load(CLI::App& app) {
  auto options = std::make_shared<Options>();
  auto& f = options->flags;
  auto* cmd = app.add_subcommand(
      "load", "Load-test an SMTP server: closed or open model, latency per SMTP phase");
  cmd->footer(
      "Flags override the scenario file; without one the flags alone describe a plain run.\n"
      "Exit codes: 0 ok, 1 a threshold crossed or the target unreachable, 2 usage or\n"
      "scenario error, 130 interrupted (the partial result is still written).\n"
      "Examples:\n"
      "  smtp-harness load --target 127.0.0.1:2525 --connections 20 --duration 30s\n"
      "  smtp-harness load --target mx:25 --rate 500 --arrivals poisson --duration 1m \\\n"
      "      --threshold 'p99<250ms' --threshold 'errors<1%' --json result.json\n"
      "  smtp-harness load scenarios/load/steady-open.lua --rate 2000");
  cmd->add_option("scenario", f.scenario, "Lua scenario file (SCRIPTING.md, scenarios/load/)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--target", f.target, "HOST:PORT of the server under test");
  cmd->add_option("--connections", f.connections,
                  "closed model: concurrent sessions (default 10); open model: most "
                  "connections (default 64)");
  cmd->add_option("--rate", f.rate, "open model: transactions per second to start");
  cmd->add_option("--stage", f.stages,
                  "open model: ramp to RATE over DURATION (DURATION:RATE, repeatable)");
  cmd->add_option("--arrivals", f.arrivals, "open model: constant (default) or poisson");
  cmd->add_option("--duration", f.duration, "how long to run (30s, 2m; default 10s)");
  cmd->add_option("--messages", f.messages, "stop after starting this many transactions");
  cmd->add_option("--messages-per-connection", f.messages_per_connection,
                  "QUIT and reconnect after this many (default: unlimited)");
  cmd->add_option("--size", f.size, "message size in octets (default 1024)");
  cmd->add_option("--recipients", f.recipients, "recipients per message (default 1)");
  cmd->add_option("--from", f.from, "envelope sender (default load@harness.test)");
  cmd->add_option("--to", f.to, "recipient pattern, %d = a number (default rcpt%d@example.test)");
  cmd->add_option("--tls", f.tls, "none (default), starttls or implicit");
  cmd->add_flag("--tls-verify", f.tls_verify, "verify the server's certificate and name");
  cmd->add_option("--sni", f.sni, "TLS server name (default: the target host)");
  cmd->add_option("--ca-file", f.ca_file, "PEM trust anchors for --tls-verify");
  cmd->add_option("--auth", f.auth, "AUTH as USER:PASS (PLAIN, else LOGIN)");
  cmd->add_option("--auth-mechanism", f.auth_mechanism, "plain or login");
  cmd->add_flag("--cleartext-auth", f.cleartext_auth, "allow AUTH without TLS (test servers)");
  cmd->add_flag("--no-pipelining", f.no_pipelining, "never pipeline, even when advertised");
  cmd->add_flag("--chunking", f.chunking,
                "send with BDAT when CHUNKING is advertised (pipelined behind MAIL and RCPT, whose "
                "latency then includes the body's upload)");
  cmd->add_option("--helo", f.helo, "EHLO/HELO name (default localhost)");
  cmd->add_option("--threads", f.threads, "worker threads (default: one per core)");
  cmd->add_option("--timeout", f.timeout, "reply timeout (default 30s)");
  cmd->add_option("--connect-timeout", f.connect_timeout, "connect timeout (default 10s)");
  cmd->add_option("--seed", f.seed, "seed for Poisson arrivals (default 1)");
  cmd->add_option("--shard", f.shard,
                  "run shard I of N (I/N, like 2/4): this process takes its share of the "
                  "connections, the rate and --messages; merge the N results with "
                  "smtp-harness merge");
  cmd->add_option("--threshold", f.thresholds,
                  "pass/fail criterion, e.g. 'p99<250ms', 'errors<1%', 'p50:end_of_data<20ms'; "
                  "with --sink also 'lost<=0', 'delivered>=99.9%', 'p99:delivery<5s', "
                  "'duplicated<=0' (repeatable; exit 1 when one is crossed)");
  auto& s = options->sink;
  cmd->add_option("--sink", s.sink,
                  "load a relay end to end: listen at HOST:PORT as its next hop (port 0: any "
                  "free port), match every message that comes out to the one handed in, and "
                  "add a delivery section to the result (route the recipients' domain here)");
  cmd->add_option("--drain", s.drain,
                  "with --sink: after the load, wait up to this long for what the relay still "
                  "owes the sink (default 30s)");
  cmd->add_option("--sink-profile", s.profile,
                  "with --sink: a fake-smtpd profile (SCRIPTING.md) the sink runs: rules, "
                  "greylisting, hooks, to exercise the relay's retries")
      ->check(CLI::ExistingFile);
  cmd->add_option("--sink-name", s.name,
                  "with --sink: the name the sink greets with (default sink.smtp-harness.invalid)");
  auto& m = options->metrics;
  cmd->add_option("--metrics", m.address,
                  "serve the run live at http://ADDR:PORT/metrics in the Prometheus text format "
                  "(port 0: any free port; README, \"Prometheus metrics\")");
  cmd->add_option("--metrics-linger", m.linger,
                  "with --metrics: after the run, keep serving the final counts until one "
                  "scrape fetched them or this long has passed (default 15s; 0s: not at all)");
  cmd->add_option("--run-id", m.run_id,
                  "with --metrics: the run_id label of every series, 1 to 64 letters, digits, "
                  "'.', '_' or '-' (default: eight random hex digits); give the shards of one "
                  "run the same");
  cmd->add_option("--json", options->json, "write the result (reports/schema/) to this file");
  add_render_flags(cmd, options->rendered, true);
  cmd->add_flag("--quiet,-q", options->quiet, "no progress output");
  return {cmd, [options] { return run(*options); }};
}

}  // namespace smtp::app
