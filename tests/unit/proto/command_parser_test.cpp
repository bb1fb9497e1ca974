// Server-side command parsing: RFC 5321 §4.1.1-§4.1.4, RFC 3030 §2 (BDAT),
// RFC 4954 §4 (AUTH), RFC 6531 §3.3-3.5 (SMTPUTF8) and docs/CONFORMANCE.md ids.
#include "proto/command_parser.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "proto/line_framer.hpp"
#include "support/split.hpp"

namespace smtp::proto::command_parser_test {
namespace {

using Result = std::variant<Command, CommandError>;

std::string describe(const Result& r) {
  if (const auto* c = std::get_if<Command>(&r)) {
    return "command " + std::string(to_string(c->verb)) + " [" + c->argument + "]";
  }
  const auto& e = std::get<CommandError>(r);
  return std::string(to_string(e.kind)) + ": " + e.detail;
}

Command ok(std::string_view line, const CommandParseOptions& options = {}) {
  auto r = parse_command(line, options);
  EXPECT_TRUE(std::holds_alternative<Command>(r)) << line << " → " << describe(r);
  if (!std::holds_alternative<Command>(r)) return {};
  return std::get<Command>(r);
}

CommandError bad(std::string_view line, CommandErrorKind kind,
                 const CommandParseOptions& options = {}) {
  auto r = parse_command(line, options);
  EXPECT_TRUE(std::holds_alternative<CommandError>(r)) << line << " → " << describe(r);
  if (!std::holds_alternative<CommandError>(r)) return {};
  const auto& e = std::get<CommandError>(r);
  EXPECT_EQ(to_string(e.kind), to_string(kind)) << line << " → " << describe(r);
  EXPECT_FALSE(e.detail.empty());
  EXPECT_EQ(e.path_error.has_value(), kind == CommandErrorKind::bad_path) << line;
  return e;
}

PathErrorKind path_kind(const CommandError& e) {
  return e.path_error ? e.path_error->kind : PathErrorKind::missing_brackets;
}

CommandParseOptions utf8() {
  CommandParseOptions o;
  o.smtputf8 = true;
  return o;
}

CommandParseOptions strict() {
  CommandParseOptions o;
  o.strict_envelope_syntax = true;
  o.allow_trailing_spaces = false;
  return o;
}

TEST(CommandParser, VerbsAreCaseInsensitive) {
  // §2.4, docs/CONFORMANCE.md E3.
  const Command c = ok("mAiL fRoM:<a@b>");
  EXPECT_EQ(c.verb, Verb::mail);
  EXPECT_EQ(c.verb_text, "mAiL");
  EXPECT_EQ(c.argument, "fRoM:<a@b>");
  EXPECT_EQ(ok("ehlo x").verb, Verb::ehlo);
  EXPECT_EQ(ok("Helo x").verb, Verb::helo);
  EXPECT_EQ(ok("rcpt to:<a@b>").verb, Verb::rcpt);
  EXPECT_EQ(ok("data").verb, Verb::data);
  EXPECT_EQ(ok("bdat 1").verb, Verb::bdat);
  EXPECT_EQ(ok("rset").verb, Verb::rset);
  EXPECT_EQ(ok("noop").verb, Verb::noop);
  EXPECT_EQ(ok("quit").verb, Verb::quit);
  EXPECT_EQ(ok("vrfy u").verb, Verb::vrfy);
  EXPECT_EQ(ok("expn l").verb, Verb::expn);
  EXPECT_EQ(ok("help").verb, Verb::help);
  EXPECT_EQ(ok("StartTLS").verb, Verb::starttls);
  EXPECT_EQ(ok("auth plain").verb, Verb::auth);
}

TEST(CommandParser, VerbTable) {
  for (Verb v :
       {Verb::helo, Verb::ehlo, Verb::mail, Verb::rcpt, Verb::data, Verb::bdat, Verb::rset,
        Verb::noop, Verb::quit, Verb::vrfy, Verb::expn, Verb::help, Verb::starttls, Verb::auth}) {
    EXPECT_EQ(verb_from_string(to_string(v)), v) << to_string(v);
  }
  EXPECT_EQ(to_string(Verb::starttls), "STARTTLS");
  EXPECT_EQ(to_string(Verb::unknown), "UNKNOWN");
  EXPECT_EQ(verb_from_string("UNKNOWN"), Verb::unknown);
  EXPECT_EQ(verb_from_string(""), Verb::unknown);
  EXPECT_EQ(verb_from_string("MAILX"), Verb::unknown);
  EXPECT_EQ(verb_from_string("MAI"), Verb::unknown);
  EXPECT_EQ(verb_from_string("eHlO"), Verb::ehlo);
  EXPECT_EQ(verb_from_string("sTaRtTlS"), Verb::starttls);
  // The four-letter verbs are matched a word at a time with bit 5 cleared:
  // nothing but the letters and their lower case may match.
  EXPECT_EQ(verb_from_string("    "), Verb::unknown);
  EXPECT_EQ(verb_from_string(std::string_view("\0\0\0\0", 4)), Verb::unknown);
  EXPECT_EQ(verb_from_string("M@IL"), Verb::unknown);
  EXPECT_EQ(verb_from_string("\xCD\xC1IL"), Verb::unknown);
  EXPECT_EQ(verb_from_string("mail"), Verb::mail);
  EXPECT_EQ(verb_from_string("STARTTL"), Verb::unknown);
}

TEST(CommandParser, UnknownVerbIsKept) {
  // docs/CONFORMANCE.md C7: the server answers 500 and the session survives.
  const Command c = ok("XCLIENT ADDR=192.0.2.1");
  EXPECT_EQ(c.verb, Verb::unknown);
  EXPECT_EQ(c.verb_text, "XCLIENT");
  EXPECT_EQ(c.argument, "ADDR=192.0.2.1");
  EXPECT_EQ(ok("FOO").verb_text, "FOO");
  EXPECT_EQ(ok("MAILFROM:<a@b>").verb, Verb::unknown);
  EXPECT_EQ(ok("\xC3\x9C"
               "BER x\xFF")
                .verb,
            Verb::unknown);  // no byte rules for a verb nobody knows
}

TEST(CommandParser, EmptyLines) {
  EXPECT_EQ(bad("", CommandErrorKind::empty).verb, Verb::unknown);
  bad("   ", CommandErrorKind::empty);
  bad("   ", CommandErrorKind::bad_syntax, strict());
  bad(" NOOP", CommandErrorKind::bad_syntax);
}

TEST(CommandParser, LineLength) {
  // §4.5.3.1.4: 512 octets including CRLF (docs/CONFORMANCE.md L1, L2).
  const std::string at_limit = "NOOP " + std::string(505, 'x');
  ASSERT_EQ(at_limit.size() + 2, 512u);
  EXPECT_EQ(ok(at_limit).argument.size(), 505u);
  const auto e = bad(at_limit + "x", CommandErrorKind::line_too_long);
  EXPECT_EQ(e.verb, Verb::noop);
  bad(std::string(4096, 'A'), CommandErrorKind::line_too_long);
  CommandParseOptions small;
  small.max_line = 10;
  ok("NOOP 123", small);
  bad("NOOP 1234", CommandErrorKind::line_too_long, small);
}

TEST(CommandParser, AuthHasItsOwnLimit) {
  const std::string max = "AUTH WXYZ " + std::string(12272, 'A') + "AA==";
  ASSERT_EQ(max.size() + 2, 12288u);
  EXPECT_EQ(ok(max).initial_response->size(), 12276u);
  EXPECT_EQ(bad(max + "A", CommandErrorKind::line_too_long).verb, Verb::auth);
  bad("NOOP " + std::string(600, 'x'), CommandErrorKind::line_too_long);
  CommandParseOptions o;
  o.max_auth_line = 512;
  bad(max, CommandErrorKind::line_too_long, o);
}

TEST(CommandParser, ControlCharacters) {
  // §2.3.8, docs/CONFORMANCE.md D5: the framer passes "NOOP\nNOOP" through as one line.
  bad("NOOP\nNOOP", CommandErrorKind::control_character);
  bad("NOOP\rNOOP", CommandErrorKind::control_character);
  EXPECT_EQ(bad("NOOP \t", CommandErrorKind::control_character).verb, Verb::noop);
  bad(std::string("NO\0OP", 5), CommandErrorKind::control_character);
  bad("NOOP x\x7F", CommandErrorKind::control_character);
  bad("MAIL FROM:<a@b>\x1B", CommandErrorKind::control_character);
  bad("XFOO \x01", CommandErrorKind::control_character);
}

TEST(CommandParser, ControlCharactersAtEveryPosition) {
  // The scan looks at eight octets at a time: a control octet or DEL must be
  // found in every position of the word and of the overlapping tail.
  for (std::size_t size : {1u, 5u, 8u, 9u, 15u, 16u, 23u, 40u}) {
    for (std::size_t at = 0; at < size; ++at) {
      for (char bad_octet : {'\0', '\n', '\x1F', '\x7F'}) {
        std::string line = "NOOP " + std::string(size, 'x');
        line[5 + at] = bad_octet;
        SCOPED_TRACE(std::to_string(size) + "/" + std::to_string(at));
        const std::string detail = bad(line, CommandErrorKind::control_character).detail;
        EXPECT_NE(detail.find(" at " + std::to_string(5 + at) + " "), std::string::npos) << detail;
      }
      for (char high : {'\x80', '\xE9', '\xFF'}) {
        std::string eight = "NOOP " + std::string(size, 'x');
        eight[5 + at] = high;
        bad(eight, CommandErrorKind::non_ascii);
      }
      std::string fine = "NOOP " + std::string(size, 'x');
      fine[5 + at] = '!';  // just above the control range
      EXPECT_EQ(ok(fine).argument, fine.substr(5));
    }
  }
}

TEST(CommandParser, TrailingSpaces) {
  // §4.1.1, docs/CONFORMANCE.md C9: tolerated by default.
  EXPECT_EQ(ok("DATA   ").verb, Verb::data);
  EXPECT_EQ(ok("RSET ").argument, "");
  const Command m = ok("MAIL FROM:<a@b> SIZE=1  ");
  EXPECT_EQ(m.argument, "FROM:<a@b> SIZE=1");
  ASSERT_EQ(m.params.size(), 1u);
  bad("DATA ", CommandErrorKind::bad_syntax, strict());
  bad("MAIL FROM:<a@b> ", CommandErrorKind::bad_syntax, strict());
}

TEST(CommandParser, ArgumentlessVerbs) {
  // docs/CONFORMANCE.md C4 (RSET x, DATA x, QUIT x) and T2 (STARTTLS x): 501.
  EXPECT_EQ(bad("DATA x", CommandErrorKind::unexpected_argument).verb, Verb::data);
  EXPECT_EQ(bad("RSET x", CommandErrorKind::unexpected_argument).verb, Verb::rset);
  EXPECT_EQ(bad("QUIT x", CommandErrorKind::unexpected_argument).verb, Verb::quit);
  EXPECT_EQ(bad("STARTTLS x", CommandErrorKind::unexpected_argument).verb, Verb::starttls);
  EXPECT_EQ(bad("DATA \xC3\xA9", CommandErrorKind::unexpected_argument).verb, Verb::data);
  EXPECT_EQ(ok("DATA  ").verb, Verb::data);
  EXPECT_EQ(ok("QUIT").verb, Verb::quit);
  EXPECT_EQ(ok("STARTTLS").verb, Verb::starttls);
}

TEST(CommandParser, NoopAndHelp) {
  // docs/CONFORMANCE.md C1: NOOP takes an optional string.
  EXPECT_EQ(ok("NOOP").argument, "");
  EXPECT_EQ(ok("NOOP xyz").argument, "xyz");
  EXPECT_EQ(ok("HELP").verb, Verb::help);
  EXPECT_EQ(ok("HELP MAIL").argument, "MAIL");
  bad("NOOP \xC3\xA9", CommandErrorKind::non_ascii);
  EXPECT_EQ(ok("NOOP \xC3\xA9", utf8()).argument, "\xC3\xA9");
}

TEST(CommandParser, VrfyAndExpn) {
  EXPECT_EQ(bad("VRFY", CommandErrorKind::missing_argument).verb, Verb::vrfy);
  EXPECT_EQ(bad("EXPN", CommandErrorKind::missing_argument).verb, Verb::expn);
  bad("VRFY ", CommandErrorKind::missing_argument);
  EXPECT_EQ(ok("VRFY postmaster").argument, "postmaster");
  EXPECT_EQ(ok("EXPN staff-list").argument, "staff-list");
  EXPECT_EQ(bad("VRFY Jos\xC3\xA9", CommandErrorKind::non_ascii).verb, Verb::vrfy);
  // RFC 6531 §3.7.4.2: "VRFY" SP String [ SP "SMTPUTF8" ]
  EXPECT_EQ(ok("VRFY Jos\xC3\xA9 SMTPUTF8", utf8()).argument, "Jos\xC3\xA9 SMTPUTF8");
  bad("VRFY Jos\xC3", CommandErrorKind::bad_syntax, utf8());
}

TEST(CommandParser, Ehlo) {
  const Command c = ok("EHLO client.example");
  EXPECT_EQ(c.verb, Verb::ehlo);
  EXPECT_EQ(c.domain, "client.example");
  EXPECT_EQ(c.argument, "client.example");
  EXPECT_EQ(ok("HELO client.example").domain, "client.example");
  EXPECT_EQ(ok("EHLO [192.0.2.1]").domain, "[192.0.2.1]");
  // docs/CONFORMANCE.md E6: not validated, a name that does not fit is not refused.
  EXPECT_EQ(ok("EHLO exa_mple.bad").domain, "exa_mple.bad");
  const Command extra = ok("EHLO a.example and some words");
  EXPECT_EQ(extra.domain, "a.example");
  EXPECT_EQ(extra.argument, "a.example and some words");
  EXPECT_EQ(ok("EHLO  spaced.example").domain, "spaced.example");
}

TEST(CommandParser, EhloErrors) {
  // docs/CONFORMANCE.md E6: EHLO without an argument is 501.
  EXPECT_EQ(bad("EHLO", CommandErrorKind::missing_argument).verb, Verb::ehlo);
  EXPECT_EQ(bad("HELO", CommandErrorKind::missing_argument).verb, Verb::helo);
  bad("EHLO ", CommandErrorKind::missing_argument);
  bad("EHLO b\xC3\xBC\x63her.example", CommandErrorKind::non_ascii);
  EXPECT_EQ(ok("EHLO b\xC3\xBC\x63her.example", utf8()).domain, "b\xC3\xBC\x63her.example");
  bad("EHLO b\xC3", CommandErrorKind::bad_syntax, utf8());
}

TEST(CommandParser, MailFrom) {
  const Command c = ok("MAIL FROM:<sender@example.org>");
  EXPECT_EQ(c.verb, Verb::mail);
  ASSERT_TRUE(c.path.has_value());
  EXPECT_EQ(c.path->mailbox.local_part, "sender");
  EXPECT_EQ(c.path->mailbox.domain, "example.org");
  EXPECT_TRUE(c.params.empty());
  // docs/CONFORMANCE.md R1: the null reverse-path.
  const Command null = ok("MAIL FROM:<>");
  ASSERT_TRUE(null.path.has_value());
  EXPECT_TRUE(null.path->null);
  EXPECT_EQ(ok("mail from:<a@b>").path->mailbox.domain, "b");
  EXPECT_EQ(ok("MAIL FROM:<@relay.example:u@d.example>").path->source_route.size(), 1u);
}

TEST(CommandParser, MailFromSpacing) {
  // Common but not in the grammar; tolerated unless strict.
  EXPECT_EQ(ok("MAIL FROM: <a@b>").path->mailbox.local_part, "a");
  EXPECT_EQ(ok("MAIL FROM:   <a@b>").path->mailbox.local_part, "a");
  bad("MAIL FROM: <a@b>", CommandErrorKind::bad_syntax, strict());
  EXPECT_EQ(ok("MAIL FROM:<a@b>  SIZE=1   BODY=7BIT").params.size(), 2u);
  bad("MAIL FROM:<a@b>  SIZE=1", CommandErrorKind::bad_syntax, strict());
  EXPECT_EQ(ok("MAIL FROM:<a@b> SIZE=1 BODY=7BIT", strict()).params.size(), 2u);
}

TEST(CommandParser, MailErrors) {
  EXPECT_EQ(bad("MAIL", CommandErrorKind::missing_argument).verb, Verb::mail);
  bad("MAIL TO:<a@b>", CommandErrorKind::bad_syntax);
  bad("MAIL FROM <a@b>", CommandErrorKind::bad_syntax);
  bad("MAIL FRO", CommandErrorKind::bad_syntax);
  EXPECT_EQ(path_kind(bad("MAIL FROM:", CommandErrorKind::bad_path)),
            PathErrorKind::missing_brackets);
  EXPECT_EQ(path_kind(bad("MAIL FROM:a@b", CommandErrorKind::bad_path)),
            PathErrorKind::missing_brackets);
  EXPECT_EQ(path_kind(bad("MAIL FROM:<a@b", CommandErrorKind::bad_path)),
            PathErrorKind::missing_brackets);
  EXPECT_EQ(path_kind(bad("MAIL FROM:<Postmaster>", CommandErrorKind::bad_path)),
            PathErrorKind::bad_domain);
  bad("MAIL FROM:<a@b>SIZE=1", CommandErrorKind::bad_syntax);
  bad("MAIL FROM:<a@b>>", CommandErrorKind::bad_syntax);
}

TEST(CommandParser, PathErrorOffsetsAreInTheLine) {
  // docs/CONFORMANCE.md C10: "_" is not allowed in a domain.
  const auto e = bad("RCPT TO:<u@exa_mple.com>", CommandErrorKind::bad_path);
  ASSERT_TRUE(e.path_error.has_value());
  EXPECT_EQ(e.path_error->kind, PathErrorKind::bad_domain);
  EXPECT_EQ(e.path_error->offset, 14u);
  EXPECT_EQ(e.verb, Verb::rcpt);
  const auto spaced = bad("MAIL FROM:  <a b@c>", CommandErrorKind::bad_path);
  EXPECT_EQ(spaced.path_error->offset, 14u);
}

TEST(CommandParser, EsmtpParameters) {
  const Command c = ok("MAIL FROM:<a@b> size=1024 BODY=8BITMIME SMTPUTF8 AUTH=<>");
  ASSERT_EQ(c.params.size(), 4u);
  EXPECT_EQ(c.params[0], (EsmtpParam{"SIZE", "1024"}));
  EXPECT_EQ(c.params[1], (EsmtpParam{"BODY", "8BITMIME"}));
  EXPECT_EQ(c.params[2], (EsmtpParam{"SMTPUTF8", std::nullopt}));
  EXPECT_EQ(c.params[3], (EsmtpParam{"AUTH", "<>"}));  // docs/CONFORMANCE.md A8
  ASSERT_NE(c.param("Size"), nullptr);
  EXPECT_EQ(c.param("size")->value, "1024");
  EXPECT_EQ(c.param("SMTPUTF8")->value, std::nullopt);
  EXPECT_EQ(c.param("RET"), nullptr);
  // docs/CONFORMANCE.md C8: well-formed unknown parameters are kept (the server says 555).
  EXPECT_EQ(ok("MAIL FROM:<a@b> FOO=BAR").params[0], (EsmtpParam{"FOO", "BAR"}));
  EXPECT_EQ(ok("MAIL FROM:<a@b> X-1-=v").params[0].keyword, "X-1-");
  EXPECT_EQ(ok("RCPT TO:<a@b> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a+40b").params.size(), 2u);
  EXPECT_EQ(ok("MAIL FROM:<a@b> ENVID=!\"#$%&'()*+,-./:;<>?@[\\]^_`{|}~").params[0].value,
            "!\"#$%&'()*+,-./:;<>?@[\\]^_`{|}~");
}

TEST(CommandParser, BadParameters) {
  for (const char* line : {
           "MAIL FROM:<a@b> SIZE=",
           "MAIL FROM:<a@b> =1",
           "MAIL FROM:<a@b> -X=1",
           "MAIL FROM:<a@b> X_Y=1",
           "MAIL FROM:<a@b> A=B=C",
           "MAIL FROM:<a@b> A.B",
           "RCPT TO:<a@b> NOTIFY=",
       }) {
    EXPECT_EQ(bad(line, CommandErrorKind::bad_parameter).verb,
              verb_from_string(std::string_view(line).substr(0, 4)));
  }
}

TEST(CommandParser, RcptTo) {
  const Command c = ok("RCPT TO:<user42@example.net>");
  EXPECT_EQ(c.verb, Verb::rcpt);
  EXPECT_EQ(c.path->mailbox.to_string(), "user42@example.net");
  // §4.1.1.3, docs/CONFORMANCE.md R2: postmaster with and without the domain.
  const Command pm = ok("RCPT TO:<postmaster>");
  EXPECT_EQ(pm.path->mailbox.local_part, "postmaster");
  EXPECT_EQ(pm.path->mailbox.domain, "");
  EXPECT_EQ(ok("RCPT TO:<PostMaster@example.net>").path->mailbox.local_part, "PostMaster");
  // docs/CONFORMANCE.md R4: the source route is parsed and kept.
  const Command routed = ok("RCPT TO:<@a,@b:u@served.example>");
  EXPECT_EQ(routed.path->source_route, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ok("rcpt to: <a@b>").path->mailbox.domain, "b");
}

TEST(CommandParser, RcptErrors) {
  EXPECT_EQ(bad("RCPT", CommandErrorKind::missing_argument).verb, Verb::rcpt);
  bad("RCPT FROM:<a@b>", CommandErrorKind::bad_syntax);
  EXPECT_EQ(path_kind(bad("RCPT TO:<>", CommandErrorKind::bad_path)),
            PathErrorKind::bad_local_part);
  EXPECT_EQ(path_kind(bad("RCPT TO:<u@exa_mple.com>", CommandErrorKind::bad_path)),
            PathErrorKind::bad_domain);
  EXPECT_EQ(path_kind(bad("RCPT TO:<" + std::string(65, 'l') + "@d>", CommandErrorKind::bad_path)),
            PathErrorKind::local_part_too_long);
}

TEST(CommandParser, NonAsciiWithoutSmtputf8) {
  // docs/CONFORMANCE.md C11, RFC 6531 §3.3.
  EXPECT_EQ(path_kind(bad("MAIL FROM:<j\xC3\xB6rg@example>", CommandErrorKind::bad_path)),
            PathErrorKind::non_ascii);
  EXPECT_EQ(path_kind(bad("RCPT TO:<u@b\xC3\xBC\x63her.example>", CommandErrorKind::bad_path)),
            PathErrorKind::non_ascii);
  bad("MAIL FROM:<a@b> X=\xC3\xA9", CommandErrorKind::non_ascii);
  bad("MAIL FROM:<a@b> \xC3\xA9=1", CommandErrorKind::non_ascii);
}

TEST(CommandParser, Smtputf8OnMail) {
  // RFC 6531 §3.4: the MAIL line must carry SMTPUTF8 for a UTF-8 envelope.
  const Command c = ok("MAIL FROM:<j\xC3\xB6rg@b\xC3\xBC\x63her.example> SMTPUTF8", utf8());
  EXPECT_EQ(c.path->mailbox.local_part, "j\xC3\xB6rg");
  EXPECT_NE(c.param("SMTPUTF8"), nullptr);
  const auto missing = bad("MAIL FROM:<j\xC3\xB6rg@example>", CommandErrorKind::bad_path, utf8());
  ASSERT_TRUE(missing.path_error.has_value());
  EXPECT_EQ(missing.path_error->kind, PathErrorKind::non_ascii);
  EXPECT_EQ(missing.path_error->offset, 12u);
  EXPECT_EQ(path_kind(bad("MAIL FROM:<j\xC3\xB6rg@example> SMTPUTF8=YES",
                          CommandErrorKind::bad_path, utf8())),
            PathErrorKind::non_ascii);  // SMTPUTF8 takes no value
  EXPECT_EQ(ok("MAIL FROM:<a@b> ENVID=\xC3\xA9 SMTPUTF8", utf8()).params[0].value, "\xC3\xA9");
  bad("MAIL FROM:<a@b> ENVID=\xC3\xA9", CommandErrorKind::non_ascii, utf8());
  bad("MAIL FROM:<a@b> ENVID=\xC3 SMTPUTF8", CommandErrorKind::bad_parameter, utf8());
  bad("MAIL FROM:<a@b> \xC3\xA9=1 SMTPUTF8", CommandErrorKind::bad_parameter, utf8());
  EXPECT_EQ(path_kind(bad("MAIL FROM:<\xC3@b> SMTPUTF8", CommandErrorKind::bad_path, utf8())),
            PathErrorKind::bad_utf8);
  // ASCII lines are unaffected by the option.
  EXPECT_TRUE(ok("MAIL FROM:<a@b>", utf8()).params.empty());
}

TEST(CommandParser, Smtputf8OnRcpt) {
  // The transaction's MAIL carried SMTPUTF8; RCPT needs nothing more.
  EXPECT_EQ(ok("RCPT TO:<\xE7\x94\xA8\xE6\x88\xB7@\xE4\xBE\x8B\xE5\xAD\x90.example>", utf8())
                .path->mailbox.domain,
            "\xE4\xBE\x8B\xE5\xAD\x90.example");
}

TEST(CommandParser, Auth) {
  EXPECT_EQ(bad("AUTH", CommandErrorKind::missing_argument).verb, Verb::auth);
  const Command plain = ok("AUTH PLAIN");
  EXPECT_EQ(plain.mechanism, "PLAIN");
  EXPECT_FALSE(plain.initial_response.has_value());
  const Command ir = ok("auth plain dGVzdAB0ZXN0ADEyMzQ=");
  EXPECT_EQ(ir.mechanism, "PLAIN");
  EXPECT_EQ(ir.initial_response, "dGVzdAB0ZXN0ADEyMzQ=");
  EXPECT_EQ(ok("AUTH EXTERNAL =").initial_response, "=");  // docs/CONFORMANCE.md A7
  EXPECT_EQ(ok("AUTH NOPE").mechanism, "NOPE");            // A2: 504 is the server's call
  EXPECT_EQ(ok("AUTH SCRAM-SHA-256").mechanism, "SCRAM-SHA-256");
  EXPECT_EQ(ok("AUTH X_Y QQ==").initial_response, "QQ==");
  EXPECT_EQ(ok("AUTH X QUI=").initial_response, "QUI=");
  EXPECT_EQ(ok("AUTH X a+/9").initial_response, "a+/9");
  EXPECT_EQ(ok("AUTH ABCDEFGHIJKLMNOPQRST").mechanism.size(), 20u);
}

TEST(CommandParser, AuthErrors) {
  for (const char* line : {
           "AUTH PL@IN",
           "AUTH ABCDEFGHIJKLMNOPQRSTU",  // 21 characters (RFC 4422 §3.1)
           "AUTH PLAIN =AAA",             // RFC 4954 §4: "=" only at the end
           "AUTH PLAIN AAAA=BBB",
           "AUTH PLAIN abc",
           "AUTH PLAIN Q===",
           "AUTH PLAIN ====",
           "AUTH PLAIN *",
           "AUTH PLAIN ab-d",
           "AUTH PLAIN QQ== extra",
           "AUTH  PLAIN",
       }) {
    EXPECT_EQ(bad(line, CommandErrorKind::bad_syntax).verb, Verb::auth);
  }
  bad("AUTH PL\xC3\x84IN", CommandErrorKind::non_ascii);
}

TEST(CommandParser, Bdat) {
  // RFC 3030 §2.
  const Command last = ok("BDAT 0 LAST");
  EXPECT_EQ(last.verb, Verb::bdat);
  EXPECT_EQ(last.chunk_size, 0u);
  EXPECT_TRUE(last.last_chunk);
  const Command chunk = ok("BDAT 1000");
  EXPECT_EQ(chunk.chunk_size, 1000u);
  EXPECT_FALSE(chunk.last_chunk);
  EXPECT_TRUE(ok("bdat 5 last").last_chunk);
  EXPECT_EQ(ok("BDAT 007").chunk_size, 7u);
  EXPECT_EQ(ok("BDAT 18446744073709551615").chunk_size, 18446744073709551615u);
}

TEST(CommandParser, BdatErrors) {
  EXPECT_EQ(bad("BDAT", CommandErrorKind::missing_argument).verb, Verb::bdat);
  for (const char* line : {
           "BDAT abc",  // docs/CONFORMANCE.md K5
           "BDAT 18446744073709551616",
           "BDAT 99999999999999999999",
           "BDAT 5 NOTLAST",
           "BDAT 5 LAST x",
           "BDAT 5  LAST",
           "BDAT -1",
           "BDAT +1",
           "BDAT 5x",
           "BDAT  5",
           "BDAT 5 LASTX",
       }) {
    EXPECT_EQ(bad(line, CommandErrorKind::bad_syntax).verb, Verb::bdat);
  }
  bad("BDAT 5 L\xC3\x84ST", CommandErrorKind::non_ascii);
}

TEST(CommandParser, ErrorKindNames) {
  EXPECT_EQ(to_string(CommandErrorKind::empty), "empty");
  EXPECT_EQ(to_string(CommandErrorKind::line_too_long), "line_too_long");
  EXPECT_EQ(to_string(CommandErrorKind::control_character), "control_character");
  EXPECT_EQ(to_string(CommandErrorKind::missing_argument), "missing_argument");
  EXPECT_EQ(to_string(CommandErrorKind::unexpected_argument), "unexpected_argument");
  EXPECT_EQ(to_string(CommandErrorKind::bad_syntax), "bad_syntax");
  EXPECT_EQ(to_string(CommandErrorKind::bad_path), "bad_path");
  EXPECT_EQ(to_string(CommandErrorKind::bad_parameter), "bad_parameter");
  EXPECT_EQ(to_string(CommandErrorKind::non_ascii), "non_ascii");
}

// The server reads commands through the LineFramer: whatever the chunking of
// "line CRLF", the framed line must parse exactly as the line given whole.
void expect_framed_same(std::string_view line, const CommandParseOptions& options = {}) {
  const Result whole = parse_command(line, options);
  const std::string wire = std::string(line) + "\r\n";
  LineFramer::Options framing;
  framing.max_line = std::max(options.max_line, options.max_auth_line) + 2;
  for (const auto& chunks : smtp::test::every_split(wire)) {
    SCOPED_TRACE(std::string(line) + " / " + smtp::test::describe_split(chunks));
    LineFramer framer(framing);
    int lines = 0;
    for (auto chunk : chunks) {
      framer.feed(chunk);
      for (auto ev = framer.next(); ev.kind != LineFramer::Event::Kind::need_more;
           ev = framer.next()) {
        ASSERT_EQ(ev.kind, LineFramer::Event::Kind::line);
        EXPECT_EQ(parse_command(ev.line, options), whole) << describe(whole);
        ++lines;
      }
    }
    EXPECT_EQ(lines, 1);
  }
}

TEST(CommandParser, SplitAtEveryByte) {
  for (const char* line : {
           "MAIL FROM:<sender@example.org> SIZE=1024 BODY=8BITMIME",
           "RCPT TO:<user42@example.net>",
           "RCPT TO:<@a,@b:u@served.example> NOTIFY=NEVER",
           "DATA",
           "EHLO client.example",
           "BDAT 4096 LAST",
           "AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=",
           "NOOP\nNOOP",
           "NOOP\rNOOP",
           "QUIT now",
           "RCPT TO:<u@exa_mple.com>",
           "MAIL FROM:<j\xC3\xB6rg@example> SMTPUTF8",
           "XCLIENT NAME=x",
           "BDAT abc",
           "   ",
       }) {
    expect_framed_same(line);
    expect_framed_same(line, utf8());
    expect_framed_same(line, strict());
  }
}

}  // namespace
}  // namespace smtp::proto::command_parser_test
