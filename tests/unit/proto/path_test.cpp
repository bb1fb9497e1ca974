// RFC 5321 §4.1.2 / §4.1.3 paths, limits of §4.5.3.1, RFC 6531 §3.3 UTF-8.
#include "proto/path.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/split.hpp"

namespace smtp::proto::path_test {
namespace {

const PathOptions ascii{};
const PathOptions utf8{true, true, false};
const PathOptions rcpt{false, false, true};

std::string describe(const std::variant<Path, PathError>& r) {
  if (const auto* p = std::get_if<Path>(&r)) return "path " + p->to_string();
  const auto& e = std::get<PathError>(r);
  return std::string(to_string(e.kind)) + " at " + std::to_string(e.offset) + ": " + e.detail;
}

// Parses `text`, expects success, and checks that the path consumed exactly
// `consumed` octets and that to_string() gives them back.
Path ok(std::string_view text, const PathOptions& options = ascii,
        std::size_t consumed = std::string_view::npos) {
  if (consumed == std::string_view::npos) consumed = text.size();
  std::size_t length = 0;
  auto r = parse_path(text, options, &length);
  EXPECT_TRUE(std::holds_alternative<Path>(r)) << text << " → " << describe(r);
  if (!std::holds_alternative<Path>(r)) return {};
  EXPECT_EQ(length, consumed) << text;
  const Path& p = std::get<Path>(r);
  EXPECT_EQ(p.to_string(), text.substr(0, consumed));
  return p;
}

PathError bad(std::string_view text, PathErrorKind kind, std::size_t offset,
              const PathOptions& options = ascii) {
  std::size_t length = 12345;
  auto r = parse_path(text, options, &length);
  EXPECT_TRUE(std::holds_alternative<PathError>(r)) << text << " → " << describe(r);
  if (!std::holds_alternative<PathError>(r)) return {};
  const PathError& e = std::get<PathError>(r);
  EXPECT_EQ(to_string(e.kind), to_string(kind)) << text << " → " << describe(r);
  EXPECT_EQ(e.offset, offset) << text << " → " << describe(r);
  EXPECT_FALSE(e.detail.empty());
  EXPECT_EQ(length, 12345u) << "length is only written on success";
  return e;
}

TEST(Path, NullPath) {
  const Path p = ok("<>");
  EXPECT_TRUE(p.null);
  EXPECT_TRUE(p.mailbox.local_part.empty());
  EXPECT_TRUE(p.source_route.empty());
  bad("<>", PathErrorKind::bad_local_part, 1, rcpt);  // §4.1.1.3: RCPT TO:<> is not a path
}

TEST(Path, PlainMailbox) {
  const Path p = ok("<user@example.com>");
  EXPECT_FALSE(p.null);
  EXPECT_EQ(p.mailbox.local_part, "user");
  EXPECT_EQ(p.mailbox.domain, "example.com");
  EXPECT_FALSE(p.mailbox.quoted_local_part());
  EXPECT_FALSE(p.mailbox.address_literal());
  EXPECT_EQ(p.mailbox.to_string(), "user@example.com");
  ok("<first.last+tag@sub.example.co.uk>");
  ok("<a@b>");
  ok("<1@2.3>");  // labels may be all digits (RFC 1123 §2.1)
  ok("<u@a-b--c.example>");
  ok("<U@EXAMPLE.COM>");
}

TEST(Path, EveryAtextCharacter) {
  const Path p = ok("<!#$%&'*+-/=?^_`{|}~09azAZ@example.org>");
  EXPECT_EQ(p.mailbox.local_part, "!#$%&'*+-/=?^_`{|}~09azAZ");
}

TEST(Path, ConsumesOnlyThePath) {
  ok("<a@b> SIZE=1", ascii, 5);
  ok("<>x", ascii, 2);
  ok("<Postmaster> NOTIFY=NEVER", rcpt, 12);
}

TEST(Path, QuotedLocalPart) {
  const Path p = ok(R"(<"john doe"@example.com>)");
  EXPECT_EQ(p.mailbox.local_part, R"("john doe")");
  EXPECT_TRUE(p.mailbox.quoted_local_part());
  EXPECT_EQ(ok(R"(<"a\"b\\c"@x>)").mailbox.local_part, R"("a\"b\\c")");
  EXPECT_EQ(ok(R"(<""@x>)").mailbox.local_part, R"("")");  // *QcontentSMTP may be empty
  ok(R"(<"@<>,;:[]"@x>)");
  ok(R"(<"\ "@x>)");  // quoted-pairSMTP admits SP
}

TEST(Path, QuotedLocalPartErrors) {
  bad("<\"a\tb\"@c>", PathErrorKind::bad_local_part, 3);
  bad("<\"a\\\tb\"@c>", PathErrorKind::bad_local_part, 4);
  bad(R"(<"ab"c@d>)", PathErrorKind::bad_local_part, 5);
  bad(R"(<"abc@d>)", PathErrorKind::missing_brackets, 8);  // the quote never closes
}

TEST(Path, AddressLiterals) {
  EXPECT_TRUE(ok("<u@[192.0.2.1]>").mailbox.address_literal());
  EXPECT_EQ(ok("<u@[192.0.2.1]>").mailbox.domain, "[192.0.2.1]");
  ok("<u@[0.0.0.0]>");
  ok("<u@[255.255.255.255]>");
  ok("<u@[001.02.3.4]>");  // Snum = 1*3DIGIT
  ok("<u@[IPv6:2001:db8::1]>");
  ok("<u@[ipv6:2001:DB8::1]>");  // ABNF strings are case-insensitive
  ok("<u@[IPv6:::]>");
  ok("<u@[IPv6:::1]>");
  ok("<u@[IPv6:1::]>");
  ok("<u@[IPv6:1:2:3:4:5:6:7:8]>");
  ok("<u@[IPv6:1:2:3::6:7:8]>");
  ok("<u@[IPv6:1:2:3:4:5:6::]>");  // 6 groups + "::"
  ok("<u@[IPv6:::ffff:192.0.2.1]>");
  ok("<u@[IPv6:1:2:3:4:5:6:192.0.2.1]>");
  ok("<u@[IPv6:1:2:3:4::192.0.2.1]>");  // 4 groups + "::" + IPv4
  ok("<u@[IPv6:::192.0.2.1]>");
  ok("<u@[x-tag:any!thing]>");  // General-address-literal
}

TEST(Path, BadAddressLiterals) {
  for (const char* text : {
           "<u@[256.1.1.1]>",
           "<u@[1.2.3]>",
           "<u@[1.2.3.4.5]>",
           "<u@[1.2.3.1000]>",
           "<u@[1..3.4]>",
           "<u@[]>",
           "<u@[IPv6:1:2:3:4:5:6:7]>",
           "<u@[IPv6:1:2:3:4:5:6:7:8:9]>",
           "<u@[IPv6:1::2::3]>",
           "<u@[IPv6:12345::]>",
           "<u@[IPv6:1:2:3:4:5:6:7::]>",  // "::" stands for at least two groups
           "<u@[IPv6:g::1]>",
           "<u@[IPv6:1:2:3:4:5::1.2.3.4]>",  // at most 4 groups beside "::" and IPv4
           "<u@[IPv6:::1.2.3.256]>",
           "<u@[IPv6:1:2:3:4:5:6:7:1.2.3.4]>",
           "<u@[IPv6::1]>",
           "<u@[IPv6:]>",
           "<u@[tag:]>",
           "<u@[-:x]>",  // Ldh-str ends with a letter or digit
           "<u@[:x]>",
       }) {
    bad(text, PathErrorKind::bad_domain, 3);
  }
  bad("<u@[a[b]>", PathErrorKind::bad_domain, 5);
  bad("<u@[a\\b]>", PathErrorKind::bad_domain, 5);
  bad("<u@[1.2.3.4>", PathErrorKind::missing_brackets, 12);  // ">" is dcontent
}

TEST(Path, SourceRouteIsKept) {
  // docs/CONFORMANCE.md R4: parsed; ignoring it is the server's decision (§4.1.1.3).
  const Path p = ok("<@a.example,@b.example:u@c.example>", rcpt);
  ASSERT_EQ(p.source_route.size(), 2u);
  EXPECT_EQ(p.source_route[0], "a.example");
  EXPECT_EQ(p.source_route[1], "b.example");
  EXPECT_EQ(p.mailbox.to_string(), "u@c.example");
  EXPECT_EQ(ok("<@one:u@d>").source_route, std::vector<std::string>{"one"});
}

TEST(Path, BadSourceRoutes) {
  bad("<@a,b:u@c>", PathErrorKind::bad_source_route, 4);
  bad("<@a_b:u@c>", PathErrorKind::bad_source_route, 3);
  bad("<@[1.2.3.4]:u@c>", PathErrorKind::bad_source_route, 2);
  bad("<@a;u@c>", PathErrorKind::bad_source_route, 3);
  bad("<@:u@c>", PathErrorKind::bad_source_route, 2);
  bad("<@a.b>", PathErrorKind::bad_source_route, 5);
  bad("<@a:>", PathErrorKind::bad_local_part, 4);
  bad("<@" + std::string(64, 'a') + ":u@c>", PathErrorKind::bad_source_route, 2);
}

TEST(Path, Postmaster) {
  // §4.1.1.3: "<Postmaster>" is a valid recipient without a domain.
  const Path p = ok("<Postmaster>", rcpt);
  EXPECT_EQ(p.mailbox.local_part, "Postmaster");
  EXPECT_EQ(p.mailbox.domain, "");
  EXPECT_EQ(p.mailbox.to_string(), "Postmaster");
  EXPECT_EQ(ok("<pOsTmAsTeR>", rcpt).mailbox.local_part, "pOsTmAsTeR");  // as written
  bad("<Postmaster>", PathErrorKind::bad_domain, 11);                    // not for MAIL
  EXPECT_EQ(ok("<Postmaster@example.com>", rcpt).mailbox.domain, "example.com");
  bad("<Postmasterx>", PathErrorKind::bad_domain, 12, rcpt);
}

TEST(Path, BadDomains) {
  bad("<u@exa_mple.com>", PathErrorKind::bad_domain, 6);  // docs/CONFORMANCE.md C10
  bad("<u@-a.com>", PathErrorKind::bad_domain, 3);
  bad("<u@a-.com>", PathErrorKind::bad_domain, 3);
  bad("<u@a..com>", PathErrorKind::bad_domain, 5);
  bad("<u@a.com.>", PathErrorKind::bad_domain, 9);
  bad("<u@.a>", PathErrorKind::bad_domain, 3);
  bad("<u@>", PathErrorKind::bad_domain, 3);
  bad("<u@a b>", PathErrorKind::bad_domain, 4);
  bad("<user>", PathErrorKind::bad_domain, 5);
  bad("<u@a@b>", PathErrorKind::bad_domain, 4);
}

TEST(Path, BadLocalParts) {
  bad("<.a@b>", PathErrorKind::bad_local_part, 1);
  bad("<a.@b>", PathErrorKind::bad_local_part, 2);
  bad("<a..b@c>", PathErrorKind::bad_local_part, 3);
  bad("<a b@c>", PathErrorKind::bad_local_part, 2);
  bad("< a@b>", PathErrorKind::bad_local_part, 1);
  bad("<a(b)@c>", PathErrorKind::bad_local_part, 2);
  bad("<a\x01@c>", PathErrorKind::bad_local_part, 2);
}

TEST(Path, MissingBrackets) {
  bad("", PathErrorKind::missing_brackets, 0);
  bad("a@b", PathErrorKind::missing_brackets, 0);
  bad(" <a@b>", PathErrorKind::missing_brackets, 0);
  bad("<", PathErrorKind::missing_brackets, 1);
  bad("<a@b", PathErrorKind::missing_brackets, 4);
  bad("<a@b.", PathErrorKind::missing_brackets, 5);
  bad("<@a,", PathErrorKind::missing_brackets, 4);
}

TEST(Path, LocalPartLimit) {
  // §4.5.3.1.1: 64 octets.
  ok("<" + std::string(64, 'l') + "@d>");
  bad("<" + std::string(65, 'l') + "@d>", PathErrorKind::local_part_too_long, 1);
  ok("<\"" + std::string(62, 'q') + "\"@d>");
  bad("<\"" + std::string(63, 'q') + "\"@d>", PathErrorKind::local_part_too_long, 1);
}

// A valid domain of exactly `size` octets: labels of at most 63 octets.
std::string domain_of(std::size_t size) {
  std::string d;
  while (size - d.size() > 63) {
    d += std::string(std::min<std::size_t>(63, size - d.size() - 2), 'd');
    d += '.';
  }
  d += std::string(size - d.size(), 'd');
  return d;
}

TEST(Path, DomainLimit) {
  // §4.5.3.1.2: 255 octets; RFC 1035 §2.3.4: labels of 63.
  ASSERT_EQ(domain_of(255).size(), 255u);
  ok("<a@" + domain_of(189) + ">");
  bad("<a@" + domain_of(256) + ">", PathErrorKind::domain_too_long, 3);
  ok("<a@" + std::string(63, 'x') + ".com>");
  bad("<a@" + std::string(64, 'x') + ".com>", PathErrorKind::bad_domain, 3);
  bad("<a@ok." + std::string(64, 'x') + ">", PathErrorKind::bad_domain, 6);
}

TEST(Path, PathLimit) {
  // §4.5.3.1.3: 256 octets with the brackets.
  const std::string local(64, 'l');
  const std::string at_limit = "<" + local + "@" + domain_of(189) + ">";
  ASSERT_EQ(at_limit.size(), 256u);
  ok(at_limit);
  const std::string over = "<" + local + "@" + domain_of(190) + ">";
  bad(over, PathErrorKind::path_too_long, 0);
  // The route counts too.
  bad("<@" + domain_of(100) + ":" + local + "@" + domain_of(88) + ">", PathErrorKind::path_too_long,
      0);
}

TEST(Path, EightBitWithoutSmtputf8) {
  bad("<\xC3\xBC@x>", PathErrorKind::non_ascii, 1);
  bad("<u@b\xC3\xBC.com>", PathErrorKind::non_ascii, 4);
  bad("<\"\xC3\xBC\"@x>", PathErrorKind::non_ascii, 2);
  bad("<u@[\xC3\xBC]>", PathErrorKind::non_ascii, 4);
  bad("<\xFF@x>", PathErrorKind::non_ascii, 1);
}

TEST(Path, Smtputf8) {
  // RFC 6531 §3.3: atext, qtextSMTP and sub-domain admit UTF-8.
  const Path p =
      ok("<\xE7\x94\xA8\xE6\x88\xB7@\xE4\xBE\x8B\xE5\xAD\x90.\xE5\xB9\xBF\xE5\x91\x8A>", utf8);
  EXPECT_EQ(p.mailbox.local_part, "\xE7\x94\xA8\xE6\x88\xB7");
  ok("<j\xC3\xB6rg@b\xC3\xBC\x63her.example>", utf8);
  ok("<\"\xC3\xA9 t\xC3\xA9\"@x>", utf8);
  ok("<\xF0\x9F\x98\x80@x-\xC3\xA9.example>", utf8);
  ok("<@\xC3\xA9.example:u@x>", utf8);
  // The 63-octet limit is on a U-label's A-label form; 40 "é" are 80 octets.
  std::string long_label;
  for (int i = 0; i < 40; ++i) long_label += "\xC3\xA9";
  ok("<u@" + long_label + ".example>", utf8);
  bad("<u@-\xC3\xA9.example>", PathErrorKind::bad_domain, 3, utf8);
  bad("<u@[\xC3\xA9]>", PathErrorKind::bad_domain, 4, utf8);          // no UTF-8 in literals
  bad("<\"\\\xC3\xA9\"@x>", PathErrorKind::bad_local_part, 3, utf8);  // nor in quoted pairs
}

// Each width of UTF-8 character, at both ends of its range, is one whole
// character of a local part (proto/utf8.hpp judges them for the path).
TEST(Path, Utf8CharLength) {
  for (const std::string_view c : {"\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80", "\xEF\xBF\xBF",
                                   "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF"}) {
    const Path p = ok("<a" + std::string(c) + "b@x>", utf8);
    EXPECT_EQ(p.mailbox.local_part, "a" + std::string(c) + "b");
  }
}

TEST(Path, IllFormedUtf8) {
  bad("<\xC3@x>", PathErrorKind::bad_utf8, 1, utf8);                  // lead without tail
  bad("<\xC0\xAF@x>", PathErrorKind::bad_utf8, 1, utf8);              // overlong
  bad("<\xE0\x80\xAF@x>", PathErrorKind::bad_utf8, 1, utf8);          // overlong
  bad("<\xED\xA0\x80@x>", PathErrorKind::bad_utf8, 1, utf8);          // surrogate
  bad("<\xF4\x90\x80\x80@x>", PathErrorKind::bad_utf8, 1, utf8);      // above U+10FFFF
  bad("<\xF8\x88\x80\x80\x80@x>", PathErrorKind::bad_utf8, 1, utf8);  // 5-octet form
  bad("<\x80@x>", PathErrorKind::bad_utf8, 1, utf8);                  // lone continuation
  bad("<u@a\xE2\x82>", PathErrorKind::bad_utf8, 4, utf8);
  // The text ends inside a character that may still be completed.
  bad("<u@a\xE2\x82", PathErrorKind::missing_brackets, 6, utf8);
}

// check_domain: the domain rules of a mailbox, for a whole text.
TEST(Path, CheckDomainAcceptsWhatAMailboxDomainAccepts) {
  for (const std::string_view d : {"example.org", "mx1.example.org", "a", "x-1.example",
                                   "[192.0.2.1]", "[IPv6:2001:db8::1]", "[tag:content]"}) {
    EXPECT_EQ(check_domain(d), std::nullopt) << d;
  }
  EXPECT_EQ(check_domain(domain_of(255)), std::nullopt);
  EXPECT_EQ(check_domain("b\xC3\xBC\x63her.example", utf8), std::nullopt);
}

TEST(Path, CheckDomainRefusesWhatAMailboxDomainRefuses) {
  const auto kind = [](std::string_view d, const PathOptions& o = ascii) {
    const auto e = check_domain(d, o);
    return e ? e->kind : PathErrorKind::missing_brackets;  // "no error" never happens below
  };
  EXPECT_EQ(kind(""), PathErrorKind::bad_domain);
  EXPECT_EQ(kind("-a.example"), PathErrorKind::bad_domain);
  EXPECT_EQ(kind("a..example"), PathErrorKind::bad_domain);
  EXPECT_EQ(kind("a_b.example"), PathErrorKind::bad_domain);
  EXPECT_EQ(kind("a.example "), PathErrorKind::bad_domain);
  EXPECT_EQ(kind("a>b"), PathErrorKind::bad_domain);
  EXPECT_EQ(kind(std::string(64, 'a') + ".example"), PathErrorKind::bad_domain);
  EXPECT_EQ(kind(domain_of(256)), PathErrorKind::domain_too_long);
  EXPECT_EQ(kind("[192.0.2.256]"), PathErrorKind::bad_domain);
  EXPECT_EQ(kind("[192.0.2.1"), PathErrorKind::bad_domain);
  EXPECT_EQ(kind("b\xC3\xBC\x63her.example"), PathErrorKind::non_ascii);
  const auto e = check_domain("ok.example.b_d");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->offset, 12u);  // the offending octet, counted in the text given
}

TEST(Path, ErrorKindNames) {
  EXPECT_EQ(to_string(PathErrorKind::missing_brackets), "missing_brackets");
  EXPECT_EQ(to_string(PathErrorKind::bad_local_part), "bad_local_part");
  EXPECT_EQ(to_string(PathErrorKind::bad_domain), "bad_domain");
  EXPECT_EQ(to_string(PathErrorKind::bad_source_route), "bad_source_route");
  EXPECT_EQ(to_string(PathErrorKind::local_part_too_long), "local_part_too_long");
  EXPECT_EQ(to_string(PathErrorKind::domain_too_long), "domain_too_long");
  EXPECT_EQ(to_string(PathErrorKind::path_too_long), "path_too_long");
  EXPECT_EQ(to_string(PathErrorKind::non_ascii), "non_ascii");
  EXPECT_EQ(to_string(PathErrorKind::bad_utf8), "bad_utf8");
}

TEST(Path, ToStringBuildsTheWireForm) {
  Path p;
  p.source_route = {"a", "b"};
  p.mailbox = {"\"x y\"", "[IPv6:::1]"};
  EXPECT_EQ(p.to_string(), "<@a,@b:\"x y\"@[IPv6:::1]>");
  Path null;
  null.null = true;
  EXPECT_EQ(null.to_string(), "<>");
}

// A path is read from a stream of command bytes, so its parse must not
// depend on where the input was cut: reassembled chunks parse the same, a
// prefix that still holds the whole path gives the same path, and a prefix
// that cuts a valid path short is missing_brackets, never a different path.
void expect_split_invariant(std::string_view input, const PathOptions& options) {
  std::size_t whole_length = 0;
  const auto whole = parse_path(input, options, &whole_length);
  const bool valid = std::holds_alternative<Path>(whole);
  for (const auto& chunks : smtp::test::every_split(input)) {
    SCOPED_TRACE(std::string(input) + " / " + smtp::test::describe_split(chunks));
    std::string joined;
    for (auto c : chunks) joined += c;
    std::size_t length = 0;
    EXPECT_EQ(parse_path(joined, options, &length), whole);
    if (valid) {
      EXPECT_EQ(length, whole_length);
    }

    const std::string prefix(chunks.front());  // its own buffer: no reading past it
    const auto head = parse_path(prefix, options, &length);
    if (!valid) continue;
    if (prefix.size() >= whole_length) {
      EXPECT_EQ(head, whole);
      EXPECT_EQ(length, whole_length);
    } else {
      ASSERT_TRUE(std::holds_alternative<PathError>(head)) << prefix;
      EXPECT_EQ(std::get<PathError>(head).kind, PathErrorKind::missing_brackets) << prefix;
    }
  }
}

TEST(Path, SplitAtEveryByte) {
  for (const char* text : {
           "<>",
           "<user@example.com> SIZE=10",
           "<\"john \\\" doe\"@example.com>",
           "<@a.example,@b.example:u@c.example>",
           "<u@[IPv6:2001:db8::192.0.2.1]>",
           "<u@[192.0.2.1]>",
           "<u@exa_mple.com>",
           "<a..b@c>",
           "<Postmaster>",
           "<j\xC3\xB6rg@b\xC3\xBC\x63her.example>",
           "<\xC3@x>",
       }) {
    expect_split_invariant(text, ascii);
    expect_split_invariant(text, utf8);
    expect_split_invariant(text, rcpt);
  }
}

TEST(Path, AddressHasNoBracketsAndIsEmptyForTheNullPath) {
  const auto path = std::get<Path>(parse_path("<@relay.example:Alice@Example.org>", {}));
  EXPECT_EQ(path.address(), "Alice@Example.org");  // no source route, case kept
  Path null_path;
  null_path.null = true;
  EXPECT_EQ(null_path.address(), "");
}

}  // namespace
}  // namespace smtp::proto::path_test
