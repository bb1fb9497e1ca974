// Client-side command lines: exact bytes, refusals, and the round trip
// through the server's parser.
#include "proto/command_encoder.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "proto/line_framer.hpp"
#include "support/split.hpp"

namespace smtp::proto::command_encoder_test {
namespace {

std::string line_of(const Encoded& e) {
  if (const auto* s = std::get_if<std::string>(&e)) return *s;
  return "refused: " + std::get<EncodeError>(e).reason;
}

void expect_line(const Encoded& e, std::string_view expected) {
  EXPECT_EQ(line_of(e), expected);
}

// Refused, and the reason mentions `why`.
void expect_refused(const Encoded& e, std::string_view why) {
  ASSERT_TRUE(std::holds_alternative<EncodeError>(e)) << "encoded " << line_of(e);
  EXPECT_NE(std::get<EncodeError>(e).reason.find(why), std::string::npos)
      << std::get<EncodeError>(e).reason;
}

Path path(std::string_view address, const PathOptions& options = {}) {
  auto p = path_from_address(address, options);
  EXPECT_TRUE(std::holds_alternative<Path>(p)) << address;
  return std::holds_alternative<Path>(p) ? std::get<Path>(p) : Path{};
}

const std::string utf8_address = "j\xC3\xB6rg@b\xC3\xBC\x63her.example";

TEST(CommandEncoder, Hello) {
  expect_line(encode_ehlo("client.example"), "EHLO client.example\r\n");
  expect_line(encode_helo("client.example"), "HELO client.example\r\n");
  expect_line(encode_ehlo("[192.0.2.1]"), "EHLO [192.0.2.1]\r\n");
  expect_refused(encode_ehlo(""), "needs a domain");
  expect_refused(encode_ehlo("two words"), "single word");
  expect_refused(encode_ehlo("a\r\nMAIL FROM:<x@y>"), "control_character");
  // RFC 6531 §3.7.1: the EHLO domain stays ASCII.
  expect_refused(encode_ehlo("b\xC3\xBC\x63her.example"), "non_ascii");
}

TEST(CommandEncoder, Mail) {
  expect_line(encode_mail(path("")), "MAIL FROM:<>\r\n");
  expect_line(encode_mail(path("sender@example.org"), {{"SIZE", "1024"}, {"BODY", "8BITMIME"}}),
              "MAIL FROM:<sender@example.org> SIZE=1024 BODY=8BITMIME\r\n");
  expect_line(encode_mail(path("a@b"), {{"SMTPUTF8", std::nullopt}, {"AUTH", "<>"}}),
              "MAIL FROM:<a@b> SMTPUTF8 AUTH=<>\r\n");
  expect_line(encode_mail(path("a@b"), {{"size", "1"}}), "MAIL FROM:<a@b> size=1\r\n");
  expect_line(encode_mail(path("<@r.example:u@[IPv6:::1]>")),
              "MAIL FROM:<@r.example:u@[IPv6:::1]>\r\n");
  expect_line(encode_mail(path("\"a b\"@example.com")), "MAIL FROM:<\"a b\"@example.com>\r\n");
}

TEST(CommandEncoder, MailRefusals) {
  expect_refused(encode_mail(path("a@b"), {{"SIZE", ""}}), "bad_parameter");
  expect_refused(encode_mail(path("a@b"), {{"", "1"}}), "bad_parameter");
  expect_refused(encode_mail(path("a@b"), {{"X_Y", "1"}}), "bad_parameter");
  expect_refused(encode_mail(path("a@b"), {{"A", "B=C"}}), "bad_parameter");
  expect_refused(encode_mail(path("a@b"), {{"A B", std::nullopt}}), "read back differently");
  expect_refused(encode_mail(path("a@b"), {{"A", "1 B=2"}}), "read back differently");
  expect_refused(encode_mail(path("a@b"), {{"A", "1\r\nRSET"}}), "control_character");
  // A field that would smuggle syntax into the line.
  Path smuggled;
  smuggled.mailbox = {"a", "b> SIZE=5"};
  expect_refused(encode_mail(smuggled), "reads back differently");
  Path bad_domain;
  bad_domain.mailbox = {"u", "exa_mple.com"};
  expect_refused(encode_mail(bad_domain), "bad_domain");
  Path null_with_mailbox;
  null_with_mailbox.null = true;
  null_with_mailbox.mailbox = {"a", "b"};
  expect_refused(encode_mail(null_with_mailbox), "reads back differently");
  Path postmaster;
  postmaster.mailbox = {"Postmaster", ""};
  expect_refused(encode_mail(postmaster), "bad_domain");
}

TEST(CommandEncoder, Smtputf8) {
  const Path p = path(utf8_address, PathOptions{true, true, false});
  const EsmtpParam flag{"SMTPUTF8", std::nullopt};
  expect_line(encode_mail(p, {flag}, true), "MAIL FROM:<" + utf8_address + "> SMTPUTF8\r\n");
  expect_refused(encode_mail(p, {flag}, false), "non_ascii");
  expect_refused(encode_mail(p, {}, true), "non_ascii");  // RFC 6531 §3.4
  expect_line(encode_rcpt(p, {}, true), "RCPT TO:<" + utf8_address + ">\r\n");
  expect_refused(encode_rcpt(p), "non_ascii");
}

TEST(CommandEncoder, Rcpt) {
  expect_line(encode_rcpt(path("user42@example.net")), "RCPT TO:<user42@example.net>\r\n");
  expect_line(encode_rcpt(path("<@a,@b:u@c>")), "RCPT TO:<@a,@b:u@c>\r\n");
  expect_line(encode_rcpt(path("Postmaster", PathOptions{false, false, true})),
              "RCPT TO:<Postmaster>\r\n");
  expect_line(encode_rcpt(path("u@d"), {{"NOTIFY", "SUCCESS,FAILURE"}}),
              "RCPT TO:<u@d> NOTIFY=SUCCESS,FAILURE\r\n");
  expect_refused(encode_rcpt(path("")), "bad_local_part");  // §4.1.1.3: no "<>" for RCPT
}

TEST(CommandEncoder, LineLimit) {
  // §4.5.3.1.4: 512 octets with CRLF. "MAIL FROM:<a@b> X=" is 18 octets.
  const std::string fill(510 - 18, 'v');
  const Encoded at_limit = encode_mail(path("a@b"), {{"X", fill}});
  ASSERT_TRUE(std::holds_alternative<std::string>(at_limit)) << line_of(at_limit);
  EXPECT_EQ(std::get<std::string>(at_limit).size(), 512u);
  expect_refused(encode_mail(path("a@b"), {{"X", fill + "v"}}), "line_too_long");
  expect_refused(encode_simple(Verb::noop, std::string(506, 'x')), "line_too_long");
}

TEST(CommandEncoder, Bdat) {
  expect_line(encode_bdat(0, true), "BDAT 0 LAST\r\n");
  expect_line(encode_bdat(4096, false), "BDAT 4096\r\n");
  expect_line(encode_bdat(std::numeric_limits<std::uint64_t>::max(), true),
              "BDAT 18446744073709551615 LAST\r\n");
}

TEST(CommandEncoder, Auth) {
  expect_line(encode_auth("PLAIN"), "AUTH PLAIN\r\n");
  expect_line(encode_auth("PLAIN", "dGVzdAB0ZXN0ADEyMzQ="), "AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=\r\n");
  expect_line(encode_auth("EXTERNAL", "="), "AUTH EXTERNAL =\r\n");  // RFC 4954 §4
  expect_line(encode_auth("login"), "AUTH login\r\n");
  expect_refused(encode_auth(""), "bad_syntax");
  expect_refused(encode_auth("PL AIN"), "bad_syntax");
  expect_refused(encode_auth("PLAIN", "abc"), "bad_syntax");
  expect_refused(encode_auth("PLAIN", "=AAA"), "bad_syntax");
  expect_refused(encode_auth("A BBBB"), "single word");
  // RFC 4954 §4: the initial response must not push AUTH past the SMTP limit.
  const std::string fits(496, 'Q');  // "AUTH PLAIN " + 496 + CRLF = 509
  EXPECT_TRUE(std::holds_alternative<std::string>(encode_auth("PLAIN", fits)));
  expect_refused(encode_auth("PLAIN", std::string(500, 'Q')), "answer the 334");
}

TEST(CommandEncoder, Simple) {
  expect_line(encode_simple(Verb::data), "DATA\r\n");
  expect_line(encode_simple(Verb::rset), "RSET\r\n");
  expect_line(encode_simple(Verb::quit), "QUIT\r\n");
  expect_line(encode_simple(Verb::starttls), "STARTTLS\r\n");
  expect_line(encode_simple(Verb::noop), "NOOP\r\n");
  expect_line(encode_simple(Verb::noop, "xyz"), "NOOP xyz\r\n");
  expect_line(encode_simple(Verb::help, "MAIL"), "HELP MAIL\r\n");
  expect_line(encode_simple(Verb::vrfy, "postmaster"), "VRFY postmaster\r\n");
  expect_line(encode_simple(Verb::expn, "staff"), "EXPN staff\r\n");
  expect_line(encode_simple(Verb::vrfy, "Jos\xC3\xA9 SMTPUTF8", true),
              "VRFY Jos\xC3\xA9 SMTPUTF8\r\n");
  expect_refused(encode_simple(Verb::vrfy, "Jos\xC3\xA9"), "non_ascii");
  expect_refused(encode_simple(Verb::data, "x"), "unexpected_argument");
  expect_refused(encode_simple(Verb::vrfy), "missing_argument");
  expect_refused(encode_simple(Verb::noop, "x "), "trailing space");
  expect_refused(encode_simple(Verb::noop, "x\r\nQUIT"), "control_character");
  expect_refused(encode_simple(Verb::mail, "FROM:<a@b>"), "own encoder");
  expect_refused(encode_simple(Verb::ehlo, "x"), "own encoder");
  expect_refused(encode_simple(Verb::unknown, "x"), "own encoder");
}

TEST(CommandEncoder, PathFromAddress) {
  const Path p = path("a@b");
  EXPECT_EQ(p.mailbox.local_part, "a");
  EXPECT_EQ(p.mailbox.domain, "b");
  EXPECT_EQ(path("<a@b>"), p);
  EXPECT_TRUE(path("").null);
  EXPECT_TRUE(path("<>").null);
  EXPECT_EQ(path("<@r:a@b>").source_route.size(), 1u);

  auto no_null = path_from_address("", PathOptions{false, false, false});
  ASSERT_TRUE(std::holds_alternative<PathError>(no_null));
  EXPECT_EQ(std::get<PathError>(no_null).kind, PathErrorKind::bad_local_part);

  // Offsets are in the text the user wrote.
  auto underscore = path_from_address("u@exa_mple.com");
  ASSERT_TRUE(std::holds_alternative<PathError>(underscore));
  EXPECT_EQ(std::get<PathError>(underscore).kind, PathErrorKind::bad_domain);
  EXPECT_EQ(std::get<PathError>(underscore).offset, 5u);
  auto bracketed = path_from_address("<u@exa_mple.com>");
  EXPECT_EQ(std::get<PathError>(bracketed).offset, 6u);

  for (const char* trailing : {"a@b>x", "<a@b> x", "<a@b>>"}) {
    auto r = path_from_address(trailing);
    ASSERT_TRUE(std::holds_alternative<PathError>(r)) << trailing;
    EXPECT_EQ(std::get<PathError>(r).kind, PathErrorKind::missing_brackets) << trailing;
  }
  EXPECT_EQ(std::get<PathError>(path_from_address("a@b>x")).offset, 4u);
  EXPECT_EQ(std::get<PathError>(path_from_address("<a@b> x")).offset, 5u);
  auto unterminated = path_from_address("<a@b");
  EXPECT_EQ(std::get<PathError>(unterminated).kind, PathErrorKind::missing_brackets);
  EXPECT_EQ(std::get<PathError>(unterminated).offset, 4u);
}

// Whatever the chunking on the way to the server, an encoded line frames as
// one line and parses back to what the client asked for.
void expect_server_reads(const Encoded& encoded, const Command& wanted,
                         const CommandParseOptions& options = {}) {
  ASSERT_TRUE(std::holds_alternative<std::string>(encoded)) << line_of(encoded);
  const std::string& wire = std::get<std::string>(encoded);
  for (const auto& chunks : smtp::test::every_split(wire)) {
    SCOPED_TRACE(wire + " / " + smtp::test::describe_split(chunks));
    LineFramer framer;
    int lines = 0;
    for (auto chunk : chunks) {
      framer.feed(chunk);
      for (auto ev = framer.next(); ev.kind != LineFramer::Event::Kind::need_more;
           ev = framer.next()) {
        ASSERT_EQ(ev.kind, LineFramer::Event::Kind::line);
        auto parsed = parse_command(ev.line, options);
        ASSERT_TRUE(std::holds_alternative<Command>(parsed));
        EXPECT_EQ(std::get<Command>(parsed), wanted);
        ++lines;
      }
    }
    EXPECT_EQ(lines, 1);
  }
}

TEST(CommandEncoder, ServerReadsWhatWasSentAtEverySplit) {
  Command mail;
  mail.verb = Verb::mail;
  mail.verb_text = "MAIL";
  mail.argument = "FROM:<sender@example.org> SIZE=1024";
  mail.path = path("sender@example.org");
  mail.params = {{"SIZE", "1024"}};
  expect_server_reads(encode_mail(*mail.path, mail.params), mail);

  Command rcpt;
  rcpt.verb = Verb::rcpt;
  rcpt.verb_text = "RCPT";
  rcpt.argument = "TO:<Postmaster>";
  rcpt.path = path("Postmaster", PathOptions{false, false, true});
  expect_server_reads(encode_rcpt(*rcpt.path), rcpt);

  Command bdat;
  bdat.verb = Verb::bdat;
  bdat.verb_text = "BDAT";
  bdat.argument = "65536 LAST";
  bdat.chunk_size = 65536;
  bdat.last_chunk = true;
  expect_server_reads(encode_bdat(65536, true), bdat);

  Command ehlo;
  ehlo.verb = Verb::ehlo;
  ehlo.verb_text = "EHLO";
  ehlo.argument = "client.example";
  ehlo.domain = "client.example";
  expect_server_reads(encode_ehlo("client.example"), ehlo);

  Command auth;
  auth.verb = Verb::auth;
  auth.verb_text = "AUTH";
  auth.argument = "plain =";
  auth.mechanism = "PLAIN";
  auth.initial_response = "=";
  expect_server_reads(encode_auth("plain", "="), auth);
}

}  // namespace
}  // namespace smtp::proto::command_encoder_test
