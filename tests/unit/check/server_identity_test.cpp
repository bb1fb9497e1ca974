// identify_server: each pattern of the table on the banner its server sends
// by default, the version when shown, and "unknown" for everything else.
#include "check/server_identity.hpp"

#include <gtest/gtest.h>

#include <string>

namespace smtp::check {
namespace {

struct Banner {
  std::string greeting;
  std::string ehlo;
  std::string software;
  std::string version;
};

void PrintTo(const Banner& banner, std::ostream* out) {
  *out << banner.greeting;
}

class IdentifyServer : public ::testing::TestWithParam<Banner> {};

TEST_P(IdentifyServer, NamesTheSoftwareAndTheVersionShown) {
  const Banner& banner = GetParam();
  const ServerIdentity server = identify_server(banner.greeting, banner.ehlo);
  EXPECT_EQ(server.software, banner.software);
  EXPECT_EQ(server.version, banner.version);
}

INSTANTIATE_TEST_SUITE_P(
    Banners, IdentifyServer,
    ::testing::Values(
        Banner{"220 mx.example.org ESMTP Postfix\r\n", "", "Postfix", "unknown"},
        Banner{"220 mx.example.org ESMTP Postfix (Debian/GNU)\r\n", "", "Postfix", "unknown"},
        Banner{"220 mx.example.org ESMTP Postfix 3.7.11\r\n", "", "Postfix", "3.7.11"},
        Banner{"220 mx.example.org ESMTP Postfix (3.8.5)\r\n", "", "Postfix", "3.8.5"},
        Banner{"220 mx.example.org ESMTP Exim 4.96 Mon, 01 Jan 2024 10:00:00 +0000\r\n", "", "Exim",
               "4.96"},
        Banner{"220 mx.example.org ESMTP Exim\r\n", "", "Exim", "unknown"},
        Banner{"220 mx.example.org ESMTP OpenSMTPD\r\n",
               "250-mx.example.org Hello client.example [127.0.0.1], pleased to meet you\r\n"
               "250 HELP\r\n",
               "OpenSMTPD", "unknown"},
        Banner{"220 mx.example.org ESMTP Sendmail 8.15.2/8.15.2; Mon, 1 Jan 2024 10:00:00 GMT\r\n",
               "", "Sendmail", "8.15.2"},
        Banner{"220 mx.example.org ESMTP Sendmail 8.17.1.9/8.17.1.9/Debian-2; Mon, 1 Jan 2024\r\n",
               "", "Sendmail", "8.17.1.9"},
        Banner{"220 mail.contoso.com Microsoft ESMTP MAIL Service ready at Mon, 1 Jan 2024\r\n", "",
               "Microsoft ESMTP MAIL Service", "unknown"},
        Banner{"220 smtp.example.org Microsoft ESMTP MAIL Service, Version: 10.0.17763.1 ready "
               "at Mon, 1 Jan 2024\r\n",
               "", "Microsoft ESMTP MAIL Service", "10.0.17763.1"},
        Banner{"220 mx.example.org ESMTP Haraka 2.8.28 ready\r\n", "", "Haraka", "2.8.28"},
        Banner{"220 host.example Python SMTP 1.4.3\r\n", "", "aiosmtpd", "1.4.3"},
        Banner{"220 host.example Python SMTP proxy version 0.3\r\n", "", "Python smtpd", "0.3"},
        Banner{"220 smtp-sink ESMTP\r\n", "250-smtp-sink\r\n250-PIPELINING\r\n250 \r\n",
               "smtp-sink", "unknown"},
        Banner{"220 fake-smtpd.test ESMTP fake-smtpd ready\r\n", "", "fake-smtpd", "unknown"},
        // Case does not matter; the line ending may be a bare LF or missing.
        Banner{"220 mx.example.org esmtp postfix\n", "", "Postfix", "unknown"},
        Banner{"220 mx.example.org ESMTP Exim 4.97.1", "", "Exim", "4.97.1"},
        // A multiline greeting: any line may name the server.
        Banner{"220-mx.example.org\r\n220-welcome\r\n220 ESMTP Exim 4.96\r\n", "", "Exim", "4.96"},
        // The EHLO reply may name it when the greeting does not.
        Banner{"220 mx.example.org ESMTP\r\n",
               "250-mx.example.org ESMTP Haraka 3.0.3\r\n250 OK\r\n", "Haraka", "3.0.3"},
        // The first pattern of the table wins: a host called "sendmail".
        Banner{"220 sendmail ESMTP Postfix\r\n", "", "Postfix", "unknown"}));

TEST(IdentifyServer, UnknownWhenNothingNamesTheServer) {
  for (const auto& [greeting, ehlo] : std::initializer_list<std::pair<std::string, std::string>>{
           {"220 mx.example.org ESMTP ready\r\n", "250-mx.example.org\r\n250 PIPELINING\r\n"},
           {"", ""},
           {"554 no service\r\n", ""},
           {"hello\r\n", ""},
           // Names inside a host name, or run into other words, are not the software.
           {"220 sendmail.example.org ESMTP\r\n", ""},
           {"220 postfix.example.org ESMTP\r\n", ""},
           {"220 mx.example.org ESMTP Postfixy\r\n", ""},
           {"220 mx.example.org NOTESMTP Postfix\r\n", ""},
       }) {
    const ServerIdentity server = identify_server(greeting, ehlo);
    EXPECT_EQ(server.software, "unknown") << greeting;
    EXPECT_EQ(server.version, "unknown") << greeting;
    EXPECT_FALSE(server.known()) << greeting;
    EXPECT_EQ(software_text(server), "unknown");
  }
}

TEST(IdentifyServer, AVersionMustStartWithADigitAndStayShort) {
  EXPECT_EQ(identify_server("220 h ESMTP Exim ready\r\n", "").version, "unknown");
  EXPECT_EQ(identify_server("220 h ESMTP Exim 4.96.\r\n", "").version, "4.96");
  EXPECT_EQ(identify_server("220 h ESMTP Exim " + std::string(41, '4') + "\r\n", "").version,
            "unknown");
  EXPECT_EQ(identify_server("220 h ESMTP Exim " + std::string(40, '4') + "\r\n", "").version,
            std::string(40, '4'));
}

TEST(IdentifyServer, KeepsTheFirstLinesAsReceived) {
  const ServerIdentity server =
      identify_server("220-mx.example.org ESMTP Postfix (Debian/GNU)\r\n220 more\r\n",
                      "250-mx.example.org\r\n250-PIPELINING\r\n250 SMTPUTF8\r\n");
  EXPECT_EQ(server.banner, "220-mx.example.org ESMTP Postfix (Debian/GNU)");
  EXPECT_EQ(server.ehlo, "250-mx.example.org");
  EXPECT_EQ(identify_server("220 x\r\n", "").ehlo, "");
}

TEST(IdentifyServer, SoftwareTextSaysWhatIsKnown) {
  ServerIdentity server;
  server.software = "Postfix";
  EXPECT_EQ(software_text(server), "Postfix (version unknown)");
  server.version = "3.7.11";
  EXPECT_EQ(software_text(server), "Postfix 3.7.11");
}

}  // namespace
}  // namespace smtp::check
