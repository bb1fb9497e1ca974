// run_checks (runner.hpp): one io_context on this thread, at most
// `concurrency` checks in flight, each started in suite order as a slot
// frees, results kept in suite order.
#include "check/runner.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <optional>
#include <stdexcept>
#include <utility>

#include "check/check_run.hpp"
#include "check/remediation_hints.hpp"
#include "check/target_probe.hpp"
#include "common/host_port.hpp"
#include "net/tls_context.hpp"

namespace smtp::check {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

std::string target_text(const RunnerConfig& config) {
  if (!config.target.target.empty()) return config.target.target;
  return common::HostPort{config.host, config.port}.to_string();
}

// Resolved once for the whole run (runner.hpp): a name that does not resolve
// is one error, not N checks in ERROR.
std::vector<tcp::endpoint> resolve(const RunnerConfig& config, const std::string& text) {
  asio::io_context io;
  tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto results = resolver.resolve(config.host, std::to_string(config.port),
                                  tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    throw TargetUnreachable(text + ": cannot resolve: " + (ec ? ec.message() : "no address"));
  }
  std::vector<tcp::endpoint> endpoints;
  for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  return endpoints;
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) {
    if (!text.empty()) text += ", ";
    text += item;
  }
  return text;
}

// Why a selected check does not run at all (docs/CONFORMANCE.md, SKIP: another
// profile, or it needs an oracle that is not configured); nullopt: it runs.
std::optional<std::string> skip_reason(const script::CheckInfo& info, const RunnerConfig& config) {
  const auto& profile = config.target.profile;
  if (!info.profiles.empty() &&
      std::find(info.profiles.begin(), info.profiles.end(), profile) == info.profiles.end()) {
    return "applies to " + joined(info.profiles) + "; the profile is " + profile;
  }
  if (info.oracle && config.oracle == nullptr) {
    return std::string("needs the delivery oracle (--oracle HOST:PORT, not given)");
  }
  return std::nullopt;
}

// The run's shared state: the next check to start and the results so far.
struct Progress {
  Progress(script::CheckSuite& suite, const std::vector<std::size_t>& selected,
           const RunEnvironment& env, const ServerIdentity& server, const CheckDone& on_done)
      : suite(suite),
        selected(selected),
        env(env),
        server(server),
        on_done(on_done),
        results(selected.size()) {}

  script::CheckSuite& suite;
  const std::vector<std::size_t>& selected;
  const RunEnvironment& env;
  const ServerIdentity& server;
  const CheckDone& on_done;
  std::size_t next = 0;  // position in `selected` of the next check to start
  std::size_t done = 0;
  std::vector<std::optional<CheckResult>> results;  // by position in `selected`
};

asio::awaitable<CheckResult> run_one(Progress& progress, std::size_t index) {
  const auto& info = progress.suite.checks().at(index);
  if (auto reason = skip_reason(info, progress.env.config)) {
    CheckResult result = result_for(info);
    result.verdict = Verdict::skip;
    result.reason = std::move(*reason);
    co_return result;
  }
  std::string escaped;
  try {
    co_return co_await run_check(progress.env, progress.suite, index);
  } catch (const std::exception& e) {
    // An allocation failure, say: that check's ERROR, not the run's end.
    escaped = e.what();
  }
  CheckResult result = result_for(info);
  result.verdict = Verdict::error;
  result.reason = "the runner failed: " + escaped;
  co_return result;
}

// One slot of the concurrency bound: runs checks one after another, taking
// the next one in suite order each time.
asio::awaitable<void> slot(Progress& progress) {
  while (progress.next < progress.selected.size()) {
    const std::size_t position = progress.next++;
    CheckResult result = co_await run_one(progress, progress.selected[position]);
    // After the verdict, never inside the check (remediation_hints.hpp).
    result.hint = remediation_hint(progress.server.software, result.id, result.verdict);
    auto& stored = progress.results[position].emplace(std::move(result));
    ++progress.done;
    if (progress.on_done) progress.on_done(stored, progress.done, progress.selected.size());
  }
}

// Runs the probe (target_probe.hpp) on `io` to its end.
ProbeOutcome probe(asio::io_context& io, const RunEnvironment& env) {
  std::optional<ProbeOutcome> outcome;
  asio::co_spawn(io, probe_target(env), [&outcome](std::exception_ptr error, ProbeOutcome probed) {
    if (error) std::rethrow_exception(error);  // out of io.run()
    outcome = std::move(probed);
  });
  io.run();
  io.restart();
  return std::move(outcome).value();
}

}  // namespace

CheckRunResult run_checks(script::CheckSuite& suite, const std::vector<std::size_t>& selected,
                          const RunnerConfig& config, const CheckDone& on_done,
                          const TargetReached& on_reached) {
  CheckRunResult run;
  run.target = target_text(config);
  run.profile = config.target.profile;
  run.started_at = std::chrono::system_clock::now();
  const auto started = std::chrono::steady_clock::now();

  auto tls = net::make_client_tls(config.tls_verify);
  RunEnvironment env{config, run.target, resolve(config, run.target), TlsSettings{}};
  env.tls.context = tls.get();
  env.tls.sni = config.sni.empty() ? config.host : config.sni;
  env.tls.verify = config.tls_verify;

  // One thread (runner.hpp): the hint lets Asio skip its locking.
  asio::io_context io(1);
  ProbeOutcome probed = probe(io, env);
  if (!probed.server) throw TargetUnreachable(run.target + ": " + probed.failure);
  run.server = std::move(probed.server);
  if (on_reached) on_reached(*run.server);

  Progress progress(suite, selected, env, *run.server, on_done);
  const std::size_t slots = std::min(std::max<std::size_t>(config.concurrency, 1), selected.size());
  for (std::size_t i = 0; i < slots; ++i) {
    asio::co_spawn(io, slot(progress), [](std::exception_ptr error) {
      if (error) std::rethrow_exception(error);  // from on_done: out of io.run()
    });
  }
  io.run();

  run.results.reserve(selected.size());
  for (auto& result : progress.results) {
    if (result) run.results.push_back(std::move(*result));
  }
  run.elapsed_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return run;
}

}  // namespace smtp::check
