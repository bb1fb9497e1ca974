#include "sample_check_result.hpp"

#include <chrono>
#include <utility>

namespace smtp::reports::testing {
namespace {

using check::CheckResult;
using check::Level;
using check::TranscriptEntry;
using check::Verdict;
using Kind = TranscriptEntry::Kind;
using namespace std::string_literals;

TranscriptEntry entry(double at, int connection, Kind kind, std::string text) {
  TranscriptEntry e;
  e.at_seconds = at;
  e.connection = connection;
  e.kind = kind;
  e.text = std::move(text);
  return e;
}

CheckResult check(std::string id, std::string title, std::string rfc, Level level, std::string area,
                  int line, Verdict verdict, std::string reason) {
  CheckResult r;
  r.id = std::move(id);
  r.title = std::move(title);
  r.rfc = std::move(rfc);
  r.level = level;
  r.area = area;
  r.source = "scenarios/compliance/" + area + ".lua:" + std::to_string(line);
  r.verdict = verdict;
  r.reason = std::move(reason);
  return r;
}

CheckResult ehlo_passes() {
  CheckResult r = check("E1", "EHLO is answered with 250", "RFC 5321 §4.1.1.1", Level::must, "ehlo",
                        12, Verdict::pass, "");
  r.seconds = 0.012;
  r.transcript = {
      entry(0, 1, Kind::event, "connected to 127.0.0.1:2525"),
      entry(0.0021, 1, Kind::server, "220 fake.test ESMTP\r\n"),
      entry(0.0023, 1, Kind::client, "EHLO harness.test\r\n"),
      entry(0.0031, 1, Kind::server, "250-fake.test\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n"),
      entry(0.0032, 1, Kind::client, "AUTH PLAIN <redacted 24 octets>\r\n"),
      entry(0.0040, 1, Kind::server, "235 2.7.0 Authentication successful\r\n"),
      entry(0.0125, 1, Kind::event, "closed by the harness"),
  };
  return r;
}

CheckResult ehlo_fails() {
  CheckResult r = check("E7", "A second EHLO resets the transaction", "RFC 5321 §4.1.4",
                        Level::must, "ehlo", 42, Verdict::fail,
                        "DATA after a second EHLO was not refused: \"354 <go ahead>\" & more");
  r.seconds = 0.25;
  r.notes = {"the server advertised PIPELINING", "sent at once: 'MAIL' and 'RCPT'"};
  r.hint = sample_hint();
  r.transcript = {
      entry(0, 1, Kind::event, "connected to 127.0.0.1:2525"),
      entry(0.001, 1, Kind::client, "EHLO harness.test\r\n"),
      entry(0.002, 1, Kind::server, "250 fake.test\r\n"),
      entry(0.003, 0, Kind::note, "the server advertised PIPELINING"),
      entry(0.004, 1, Kind::client, "DATA\r\n"),
      entry(0.005, 1, Kind::server, "354 go ahead\r\n"),
  };
  return r;
}

CheckResult data_warns() {
  CheckResult r = check("D3", hostile_reason(), "RFC 5321 §4.1.1.4", Level::should, "data", 7,
                        Verdict::warn, hostile_reason());
  r.seconds = 1.5;
  r.hint = hostile_reason();
  r.transcript = {
      entry(0, 1, Kind::event, "connected to 127.0.0.1:2525"),
      entry(0.01, 1, Kind::client, "DATA\r\nSubject: x\n.\n"),
      entry(0.02, 1, Kind::server, hostile_server_bytes()),
      entry(0.03, 1, Kind::client, "\r\n\r\n\r\n"),
      entry(0.04, 1, Kind::event, ""),
  };
  r.transcript_truncated = true;
  return r;
}

CheckResult data_informs() {
  CheckResult r = check("D9", "Largest message accepted", "RFC 1870 §4", Level::info, "data", 90,
                        Verdict::info, "accepted 10 MB");
  r.seconds = 0.5;
  r.notes = {"SIZE 10240000 advertised"};
  return r;
}

CheckResult starttls_skips() {
  return check("T1", "STARTTLS is advertised and works", "RFC 3207 §4", Level::must, "starttls", 3,
               Verdict::skip, "STARTTLS is not advertised");
}

CheckResult starttls_errors() {
  CheckResult r =
      check("T4", "Plaintext after STARTTLS is discarded", "RFC 3207 §4.2", Level::must, "starttls",
            55, Verdict::error, "127.0.0.1:2525: connect: Connection refused");
  r.seconds = 0.001;
  r.transcript = {entry(0.001, 1, Kind::event, "connect failed: Connection refused")};
  return r;
}

}  // namespace

std::string hostile_server_bytes() {
  return "250 ok <script>alert(1)</script> ]]> & \"q\" 'a'\r\n"
         "250-NUL \0 ESC \x1b[31mred\x1b[0m\r\n"
         "250-bad \xff, \xc3\x28, \xc0\xaf, \xed\xa0\x80\r\n"
         "250-C1 \xc2\x85 U+FFFE \xef\xbf\xbe RLO \xe2\x80\xae"
         "abc\r\n"
         "250 Gr\xc3\xbc\xc3\x9f"
         "e \xf0\x9f\x99\x82\n"
         "tail \xe2\x82"s;
}

std::string hostile_reason() {
  return "<script>x</script> ]]> \"q\" 'a' & NUL \0 ESC \x1b tab\tline\nCR\r U+FFFE \xef\xbf\xbe "
         "Gr\xc3\xbc\xc3\x9f"
         "e"s;
}

std::string hostile_banner() {
  return "220 <b>mx</b> & \"q\" 'a' ESMTP Postfix <script>alert(5)</script>";
}

std::string sample_hint() {
  return "set smtpd_forbid_bare_newline = normalize & keep <CR><LF>.<CR><LF>";
}

check::CheckRunResult sample_check_result() {
  using namespace std::chrono;
  check::CheckRunResult run;
  run.target = "127.0.0.1:2525";
  run.profile = "mx";
  run.started_at = system_clock::time_point{sys_days{year{2026} / 11 / 22} + hours{4} +
                                            minutes{43} + seconds{41} + milliseconds{123}};
  run.elapsed_seconds = 3.25;
  run.server = check::identify_server(hostile_banner() + "\r\n", "250-fake.test\r\n250 OK\r\n");
  run.results = {ehlo_passes(),  ehlo_fails(),     data_warns(),
                 data_informs(), starttls_skips(), starttls_errors()};
  return run;
}

}  // namespace smtp::reports::testing
