// fake-smtpd: composition only. The command line is a stable interface:
// flags may be added, never renamed.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "common/duration.hpp"
#include "common/host_port.hpp"
#include "fake-server/descriptor_budget.hpp"
#include "fake-server/fake_server.hpp"
#include "fake-server/http_api.hpp"
#include "fake-server/profile.hpp"
#include "net/endpoint_text.hpp"
#include "net/tls_context.hpp"
#include "net/tls_identity.hpp"
#include "proto/server_violations.hpp"
#include "script/lua_state.hpp"

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using smtp::fake::FakeServerOptions;

constexpr int exit_ok = 0;
constexpr int exit_usage = 2;

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

tcp::endpoint to_endpoint(const std::string& flag, const std::string& text) {
  const auto hp = smtp::common::parse_host_port(text);
  if (!hp) throw UsageError(flag + ": expected ADDR:PORT, got '" + text + "'");
  boost::system::error_code ec;
  // Only addresses, and "localhost": a listener never waits on DNS.
  const auto address = hp->host == "localhost" ? asio::ip::make_address("127.0.0.1")
                                               : asio::ip::make_address(hp->host, ec);
  if (ec) throw UsageError(flag + ": '" + hp->host + "' is not an IP address");
  return {address, hp->port};
}

// Written once every listener is bound, atomically (rename), so a script that
// sees the file can connect at once.
void write_ports_file(const std::string& path, const nlohmann::json& ports) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << ports.dump(2) << "\n";
    if (!out) throw std::runtime_error("--ports-file: cannot write " + tmp);
  }
  std::filesystem::rename(tmp, path);
}

// RFC 6750 §2.1's b64token, whose characters are all valid in a cookie
// (RFC 6265 §4.1.1) too: the login form stores the token in one.
void check_api_token(const std::string& token) {
  constexpr std::string_view extra = "-._~+/";
  const bool bad = std::any_of(token.begin(), token.end(), [&](char c) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    return !alnum && extra.find(c) == std::string_view::npos;
  });
  if (bad) throw UsageError("--api-token: use only letters, digits and -._~+/");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"fake-smtpd: a correct, scriptable ESMTP server for testing mail clients"};
  std::string profile, listen = "127.0.0.1:2525", tls_listen, api = "127.0.0.1:8025";
  std::string store = "memory", hostname, ports_file, cert, key, idle;
  std::optional<std::uint64_t> seed, max_size, store_bytes;
  std::optional<std::size_t> max_recipients, max_errors, max_line, store_limit, sessions_kept,
      max_sessions;
  std::vector<std::string> users, disabled, violations, api_hosts;
  std::string api_token;
  bool no_api = false, keep_bare = false, auth_cleartext = false, require_auth = false;

  app.add_option("profile", profile, "PROFILE.lua: server settings (SCRIPTING.md)")
      ->check(CLI::ExistingFile);
  app.add_option("--listen", listen, "Plain SMTP + STARTTLS listener ADDR:PORT (port 0: any)")
      ->capture_default_str();
  app.add_option("--tls-listen", tls_listen,
                 "Implicit-TLS listener ADDR:PORT (RFC 8314, the 465 style)");
  app.add_option("--api", api, "HTTP API and web UI (at /) ADDR:PORT")->capture_default_str();
  app.add_flag("--no-api", no_api, "Do not start the HTTP API");
  app.add_option("--api-host", api_hosts,
                 "A name the API and web UI may be reached by, besides the address they "
                 "listen on (repeat); other Host headers get 403 (DNS rebinding)")
      ->allow_extra_args(false);
  app.add_option("--api-token", api_token,
                 "Every API and web UI request needs this token: 'Authorization: Bearer TOKEN', "
                 "or log in at /login (an HttpOnly cookie); else 401. Letters, digits, -._~+/");
  app.add_option("--store", store, "none | memory | maildir:DIR")->capture_default_str();
  app.add_option("--store-limit", store_limit,
                 "Messages kept in the index, oldest dropped first (default 10000; 0 = no limit)");
  app.add_option("--store-bytes", store_bytes,
                 "Octets of messages kept in memory, oldest dropped first (default 268435456, "
                 "256 MiB; 0 = no limit)");
  app.add_option("--seed", seed,
                 "Master seed for per-session randomness (printed; default random)");
  app.add_option("--hostname", hostname,
                 "Name in the greeting, EHLO reply and Received: (default fake-smtpd.test)");
  app.add_option("--ports-file", ports_file, "Write the bound ports as JSON once listening");
  app.add_option("--cert", cert,
                 "TLS certificate chain (PEM); default: self-signed, made at start");
  app.add_option("--key", key, "TLS private key (PEM), with --cert");
  app.add_flag("--auth-cleartext", auth_cleartext, "Offer AUTH before STARTTLS");
  app.add_flag("--require-auth", require_auth, "MAIL needs AUTH first (530), as on submission");
  app.add_option("--user", users, "USER:PASSWORD that AUTH accepts (repeat); none: any credentials")
      ->allow_extra_args(false);
  app.add_option("--max-size", max_size,
                 "Largest message in octets, advertised as SIZE (default 32 MiB; 0 = SIZE 0, no "
                 "fixed limit advertised, with a hard ceiling of 1 GiB)");
  app.add_option("--max-recipients", max_recipients,
                 "Recipients per message, then 452 (default 100)")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--max-line", max_line, "Longest input line buffered, in octets (default 16384)")
      ->check(CLI::Range(514, 1 << 24));
  app.add_option("--max-sessions", max_sessions,
                 "Sessions at once; one more gets 421 4.3.2 and is closed (default: the open-file "
                 "limit, raised to its hard value, minus 64; 0 = no limit)");
  app.add_option("--max-errors", max_errors, "Errors before 421 and close (default 20; 0 = never)");
  app.add_option("--idle-timeout", idle,
                 "Close an idle session with 421 after this long (default 300s)");
  app.add_option("--disable", disabled, "Switch an EHLO keyword off (repeat)")
      ->allow_extra_args(false);
  app.add_flag("--keep-bare-line-endings", keep_bare,
               "Keep bare CR/LF in DATA as data instead of refusing the message (550)");
  app.add_option("--violate", violations,
                 "Break one requirement on purpose, by name (repeat; SCRIPTING.md lists them)")
      ->allow_extra_args(false);
  app.add_option("--sessions-kept", sessions_kept,
                 "Sessions whose transcripts are kept (default 1000)");

  FakeServerOptions options;
  std::optional<tcp::endpoint> api_endpoint;
  // `config`, not `smtp`: a variable named like the namespace reads badly.
  auto& config = options.smtp;
  try {
    app.parse(argc, argv);
    // The seed first: the profile's hooks seed math.random from it.
    options.seed = seed.value_or(std::random_device{}());
    // The profile next; then every flag that was given overrides it.
    if (!profile.empty()) smtp::fake::load_profile(profile, options);
    if (!hostname.empty()) config.hostname = hostname;
    if (keep_bare) config.reject_bare_line_endings = false;
    if (auth_cleartext) config.auth_cleartext = true;
    if (require_auth) config.require_auth = true;
    if (max_size) config.max_message_size = *max_size;
    if (max_recipients) config.max_recipients = *max_recipients;
    if (max_errors) config.max_errors = *max_errors;
    if (max_line) options.max_line = *max_line;
    if (max_sessions) options.max_sessions = *max_sessions;
    if (store_limit) options.store_limit = *store_limit;
    if (store_bytes) options.store_bytes = *store_bytes;
    if (sessions_kept) options.sessions_kept = *sessions_kept;
    for (const auto& d : disabled) {
      if (!smtp::proto::set_extension(config.extensions, d, false)) {
        throw UsageError("--disable: unknown keyword '" + d + "' (" +
                         std::string(smtp::proto::extension_keywords()) + ")");
      }
    }
    for (const auto& v : violations) {
      if (!smtp::proto::set_violation(config.violations, v)) {
        throw UsageError("--violate: unknown violation '" + v +
                         "' (known: " + smtp::proto::violation_names() + ")");
      }
    }
    for (const auto& u : users) {
      const auto colon = u.find(':');
      if (colon == std::string::npos) throw UsageError("--user: expected USER:PASSWORD");
      config.users[u.substr(0, colon)] = u.substr(colon + 1);
    }
    if (!idle.empty()) {
      const auto idle_timeout = smtp::common::parse_duration(idle);
      if (!idle_timeout || *idle_timeout <= smtp::common::Duration::zero()) {
        throw UsageError("--idle-timeout: expected a duration such as 300s, got '" + idle + "'");
      }
      options.idle_timeout = *idle_timeout;
    }
    if (cert.empty() != key.empty()) throw UsageError("--cert and --key go together");
    options.listen.push_back(to_endpoint("--listen", listen));
    if (!no_api) api_endpoint = to_endpoint("--api", api);
    check_api_token(api_token);
    if (!tls_listen.empty()) options.tls_listen.push_back(to_endpoint("--tls-listen", tls_listen));
    options.store = store;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "fake-smtpd: %s\nRun 'fake-smtpd --help' for usage.\n", e.what());
    return exit_usage;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "fake-smtpd: %s\n", e.what());
    return exit_usage;
  } catch (const smtp::script::ScriptError& e) {
    // "file:line: reason" is the first line; a traceback through a profile
    // of a few lines adds nothing for its author.
    const std::string what = e.what();
    std::fprintf(stderr, "fake-smtpd: bad profile: %s\n", what.substr(0, what.find('\n')).c_str());
    return exit_usage;
  }

  try {
    const auto identity = cert.empty() ? smtp::net::make_self_signed(config.hostname)
                                       : smtp::net::load_identity(cert, key);
    options.tls = smtp::net::make_server_tls(identity);
    const auto descriptors = smtp::fake::raise_descriptor_limit();
    const auto fitting = smtp::fake::sessions_for_descriptors(descriptors);
    if (!options.max_sessions) options.max_sessions = fitting;
    if (*options.max_sessions > fitting) {
      // Past the open-file limit, accept() fails with EMFILE: the client
      // waits in the listen queue, unanswered, instead of getting a 421.
      std::fprintf(stderr,
                   "fake-smtpd: warning: max_sessions %zu is over the %zu sessions the open-file "
                   "limit of %llu leaves room for\n",
                   *options.max_sessions, fitting, static_cast<unsigned long long>(descriptors));
    }
    asio::io_context io(1);
    smtp::fake::FakeServer server(io, options);
    server.start();
    std::unique_ptr<smtp::fake::HttpApi> http;
    if (!no_api) {
      http = std::make_unique<smtp::fake::HttpApi>(
          io, server, *api_endpoint, smtp::fake::ui::AccessPolicy{api_hosts, api_token});
      http->start();
    }

    nlohmann::json ports = {{"pid", ::getpid()},
                            {"seed", options.seed},
                            {"store", store},
                            {"max_sessions", *options.max_sessions}};
    std::string banner = "fake-smtpd ready:";
    const auto smtp_at = server.smtp_endpoints().front();
    ports["host"] = smtp_at.address().to_string();
    ports["smtp"] = smtp_at.port();
    banner += " smtp " + smtp::net::endpoint_text(smtp_at);
    ports["smtps"] = nullptr;
    if (!server.tls_endpoints().empty()) {
      ports["smtps"] = server.tls_endpoints().front().port();
      banner += ", smtps " + smtp::net::endpoint_text(server.tls_endpoints().front());
    }
    ports["api"] = nullptr;
    if (http) {
      ports["api"] = http->endpoint().port();
      banner += ", api http://" + smtp::net::endpoint_text(http->endpoint());
    }
    banner += ", store " + store + ", seed " + std::to_string(options.seed);
    // A broken server says so where its operator looks first.
    if (const auto broken = smtp::proto::active_violations(config.violations); !broken.empty()) {
      banner += ", violations " + broken;
      nlohmann::json names = nlohmann::json::array();
      for (const auto& v : smtp::proto::violation_table) {
        if (config.violations.*v.flag) names.push_back(std::string(v.name));
      }
      ports["violations"] = names;
    }
    // The handler exists before anyone can learn that we are ready, so a
    // supervisor's SIGTERM right after the ready line still ends us cleanly.
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) {
      server.stop();
      if (http) http->stop();
      io.stop();
    });
    if (!ports_file.empty()) write_ports_file(ports_file, ports);
    std::cout << banner << std::endl;
    io.run();
    return exit_ok;
  } catch (const std::invalid_argument& e) {  // --store and friends
    std::fprintf(stderr, "fake-smtpd: %s\n", e.what());
    return exit_usage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fake-smtpd: %s\n", e.what());
    return 1;
  }
}
