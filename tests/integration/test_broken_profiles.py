"""The deliberately broken profiles of scenarios/fake/broken-*.lua (the
proof that the checks can fail): fake-smtpd started with each one breaks
exactly the requirement its header names, shown with a raw-socket client, and
a neighbouring requirement still holds, so the compliance check of that one
requirement is the one that fails.

Every loop is bounded in iterations and in time; readiness is waited for,
never slept on.
"""

import re
import subprocess
import unittest

from fakesmtpd import ServerTestCase, binary, plain_b64, unverified_tls
from profiles import scenario

# RFC 3463 status-code, as RFC 2034 §4 puts it before the reply text.
ENHANCED = re.compile(r"^[245]\.\d{1,3}\.\d{1,3} ")
CLI_TIMEOUT = 30


class BrokenProfile:
    """Mixed into a ServerTestCase: starts fake-smtpd with PROFILE
    (scenarios/fake/PROFILE.lua). VIOLATION names the one violation the
    profile turns on, or None for a profile that breaks with rules, hooks or
    a setting; either way the ports file and the ready line say so."""

    PROFILE = None
    VIOLATION = None

    def setUp(self):
        self.server = self.start_server(profile=scenario(self.PROFILE))

    def session(self, ehlo=True):
        c = self.client(self.server)
        if ehlo:
            c.ehlo()
        return c

    def envelope(self, c, rcpt="user@fake.test"):
        self.assertReply(c.cmd("MAIL FROM:<sender@client.test>"), 250)
        self.assertReply(c.cmd(f"RCPT TO:<{rcpt}>"), 250)

    def test_reports_its_violation(self):
        if self.VIOLATION is None:
            self.assertNotIn("violations", self.server.ports)
            self.assertNotIn("violations", self.server.banner)
        else:
            self.assertEqual(self.server.ports["violations"], [self.VIOLATION])
            self.assertTrue(self.server.banner.endswith(f", violations {self.VIOLATION}"),
                            self.server.banner)


class LfDotEndsData(BrokenProfile, ServerTestCase):  # D3
    PROFILE = "broken-lf-dot-ends-data"
    VIOLATION = "lf-dot-lf-ends-data"

    def test_lf_dot_lf_ends_data_and_a_second_message_is_smuggled(self):
        c = self.session()
        self.envelope(c)
        self.assertReply(c.cmd("DATA"), 354)
        c.send(b"Subject: smuggle\r\n\r\nfirst\n.\n"
               b"MAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@fake.test>\r\nDATA\r\n"
               b"smuggled\r\n.\r\n")
        self.assertEqual([r.code for r in c.replies(5)], [250, 250, 250, 354, 250])
        messages = self.server.expect_messages(2)
        self.assertEqual(messages[1]["from"], "evil@example.com")
        self.assertTrue(self.server.raw(messages[0]["id"]).endswith(b"\r\n\r\nfirst\n"))

    def test_the_other_look_alikes_are_still_data(self):
        c = self.session()
        self.envelope(c)
        self.assertReply(c.cmd("DATA"), 354)
        c.send(b"Subject: x\r\n\r\nfirst\r\n.\n"
               b"MAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@fake.test>\r\nDATA\r\n"
               b"smuggled\r\n.\r\n")
        self.assertReply(c.reply(), 550, "5.6.0")  # one reply, at the real terminator
        self.assertReply(c.cmd("NOOP"), 250)
        self.assertEqual(self.server.messages()["count"], 0)


class StarttlsBuffer(BrokenProfile, ServerTestCase):  # T4
    PROFILE = "broken-starttls-buffer"
    VIOLATION = "starttls-keeps-plaintext"

    def starttls_with_noop(self, server):
        """STARTTLS and NOOP in one write, the 220, then the handshake."""
        c = self.client(server)
        c.ehlo()
        c.send(b"STARTTLS\r\nNOOP\r\n")
        self.assertReply(c.reply(), 220)
        self.assertEqual(c.buf, b"")  # nothing more in plaintext
        c.sock = unverified_tls().wrap_socket(c.sock)
        return c

    def test_plaintext_noop_is_answered_inside_tls(self):
        c = self.starttls_with_noop(self.server)
        r = c.reply()  # unasked: the injected NOOP's answer, encrypted
        self.assertReply(r, 250)
        self.assertEqual(r.text, "2.0.0 Ok")
        events = self.server.events(self.server.session_of(c)["id"])
        self.assertIn("violation starttls-keeps-plaintext: kept 6 plaintext octets sent after "
                      "STARTTLS", events)

    def test_tls_still_resets_the_session(self):
        c = self.starttls_with_noop(self.server)
        self.assertReply(c.reply(), 250)
        self.assertReply(c.cmd("MAIL FROM:<a@client.test>"), 503)  # T3: EHLO first
        self.assertNotIn("STARTTLS", c.keywords(c.ehlo()))

    def test_the_default_server_discards_the_noop(self):
        c = self.starttls_with_noop(self.start_server())
        r = c.ehlo()  # the first reply inside TLS is EHLO's
        self.assertTrue(r.lines[0].startswith("fake-smtpd.test Hello"), r.raw)


class DataWithoutRecipients(BrokenProfile, ServerTestCase):  # S2
    PROFILE = "broken-data-without-recipients"
    VIOLATION = "data-without-recipients"

    def test_data_without_an_accepted_rcpt_gets_354(self):
        c = self.session()
        self.assertReply(c.cmd("MAIL FROM:<a@client.test>"), 250)
        self.assertReply(c.cmd("RCPT TO:<bad@exa_mple.com>"), 501)
        self.assertReply(c.cmd("DATA"), 354)
        c.send(b"Subject: nobody\r\n\r\nbody\r\n.\r\n")
        self.assertReply(c.reply(), 554, "5.5.1")  # refused at the dot
        self.assertEqual(self.server.messages()["count"], 0)

    def test_data_and_rcpt_without_mail_are_still_refused(self):
        c = self.session()
        self.assertReply(c.cmd("DATA"), 503)
        self.assertReply(c.cmd("RCPT TO:<user@fake.test>"), 503)


class UnknownDrops(BrokenProfile, ServerTestCase):  # C7
    PROFILE = "broken-unknown-drops"
    VIOLATION = "unknown-command-closes"

    def test_unknown_command_gets_500_then_close(self):
        c = self.session()
        self.assertReply(c.cmd("NOOP"), 250)
        self.assertReply(c.cmd("XYZZY"), 500, "5.5.2")
        rest, how = c.read_until_closed()
        self.assertEqual((rest, how), (b"", "eof"))

    def test_bad_arguments_still_keep_the_session(self):
        c = self.session()
        self.assertReply(c.cmd("RSET x"), 501)
        self.assertReply(c.cmd("NOOP"), 250)


class NoEnhancedCodes(BrokenProfile, ServerTestCase):  # X5
    PROFILE = "broken-no-enhanced-codes"
    VIOLATION = "no-enhanced-codes"

    def test_advertised_but_not_sent(self):
        c = self.client(self.server)
        self.assertIn("ENHANCEDSTATUSCODES", c.keywords(c.ehlo()))
        for line, code in [("MAIL FROM:<a@client.test>", 250), ("MAIL FROM:<a@client.test>", 503),
                           ("RCPT TO:<user@fake.test>", 250), ("XYZZY", 500), ("RSET", 250)]:
            r = c.cmd(line)
            self.assertEqual(r.code, code, r.raw)  # the codes are right
            self.assertIsNone(ENHANCED.match(r.text), r.raw)


class EhloNoReset(BrokenProfile, ServerTestCase):  # E7
    PROFILE = "broken-ehlo-no-reset"
    VIOLATION = "ehlo-keeps-transaction"

    def test_data_after_mail_rcpt_ehlo_gets_354(self):
        c = self.session()
        self.envelope(c)
        c.ehlo()
        self.assertReply(c.cmd("DATA"), 354)
        c.send(b"Subject: kept\r\n\r\nbody\r\n.\r\n")
        self.assertReply(c.reply(), 250)
        self.assertEqual(self.server.expect_messages(1)[0]["to"], ["user@fake.test"])

    def test_rset_still_resets(self):
        c = self.session()
        self.envelope(c)
        self.assertReply(c.cmd("RSET"), 250)
        self.assertReply(c.cmd("DATA"), 503)


class RsetKeeps(BrokenProfile, ServerTestCase):  # C2
    PROFILE = "broken-rset-keeps"
    VIOLATION = "rset-keeps-transaction"

    def test_rset_says_250_and_keeps_the_transaction(self):
        c = self.session()
        self.envelope(c)
        self.assertReply(c.cmd("RSET"), 250, "2.0.0")
        self.assertReply(c.cmd("DATA"), 354)

    def test_ehlo_still_resets(self):
        c = self.session()
        self.envelope(c)
        c.ehlo()
        self.assertReply(c.cmd("DATA"), 503)


class NullSender(BrokenProfile, ServerTestCase):  # R1
    PROFILE = "broken-null-sender"

    def test_null_sender_is_refused(self):
        c = self.session()
        self.assertReply(c.cmd("MAIL FROM:<>"), 550, "5.7.1")
        self.assertReply(c.cmd("MAIL FROM: <>"), 550, "5.7.1")
        self.assertReply(c.cmd("MAIL FROM:<> BODY=8BITMIME"), 550, "5.7.1")

    def test_other_senders_are_accepted(self):
        c = self.session()
        self.assertReply(c.cmd("MAIL FROM:<a@client.test>"), 250)
        self.assertReply(c.cmd("RSET"), 250)
        self.assertReply(c.cmd("MAIL FROM:<a@client.test> SIZE=10"), 250)


class Postmaster(BrokenProfile, ServerTestCase):  # R2
    PROFILE = "broken-postmaster"

    def test_postmaster_is_refused_in_any_spelling(self):
        c = self.session()
        self.assertReply(c.cmd("MAIL FROM:<a@client.test>"), 250)
        for rcpt in ("postmaster", "Postmaster", "POSTMASTER@fake.test", "PostMaster@Fake.Test"):
            self.assertReply(c.cmd(f"RCPT TO:<{rcpt}>"), 550, "5.1.1")

    def test_other_recipients_are_accepted(self):
        c = self.session()
        self.envelope(c, rcpt="post@fake.test")


class NoopArgument(BrokenProfile, ServerTestCase):  # C1
    PROFILE = "broken-noop-argument"

    def test_noop_with_an_argument_gets_500(self):
        c = self.session()
        self.assertReply(c.cmd("NOOP xyz"), 500)  # as OpenSMTPD answers it

    def test_plain_noop_and_trailing_spaces_still_get_250(self):
        c = self.session()
        self.assertReply(c.cmd("NOOP"), 250)
        self.assertReply(c.cmd("NOOP   "), 250)  # C9


class LowercaseVerbs(BrokenProfile, ServerTestCase):  # E3
    PROFILE = "broken-lowercase-verbs"

    def test_lower_and_mixed_case_verbs_get_500_and_are_not_carried_out(self):
        c = self.client(self.server)
        self.assertReply(c.cmd("ehlo client.test"), 500)
        self.assertReply(c.cmd("MAIL FROM:<a@client.test>"), 503)  # the ehlo did nothing
        c.ehlo()
        self.assertReply(c.cmd("Mail From:<a@client.test>"), 500)
        self.assertReply(c.cmd("RCPT TO:<user@fake.test>"), 503)  # nor the Mail
        self.assertReply(c.cmd("noop"), 500)

    def test_upper_case_verbs_work(self):
        c = self.session()
        self.envelope(c)
        self.assertReply(c.cmd("NOOP"), 250)


class VrfyAlways(BrokenProfile, ServerTestCase):  # C6
    PROFILE = "broken-vrfy-always"

    def test_vrfy_of_any_user_gets_250(self):
        c = self.session()
        self.assertReply(c.cmd("VRFY nobody-7f3a91"), 250)
        self.assertReply(c.cmd("VRFY <nobody@nowhere.invalid>"), 250)

    def test_expn_is_still_not_implemented(self):
        c = self.session()
        self.assertReply(c.cmd("EXPN staff"), 502)


class QuitStays(BrokenProfile, ServerTestCase):  # C3
    PROFILE = "broken-quit-stays"

    def test_quit_gets_221_and_the_session_goes_on(self):
        c = self.session()
        self.assertReply(c.cmd("QUIT"), 221)
        # Still open: the next command is answered instead of meeting EOF.
        self.assertReply(c.cmd("NOOP"), 250)
        self.envelope(c)


class PipeliningDrops(BrokenProfile, ServerTestCase):  # P1
    PROFILE = "broken-pipelining-drops"
    VIOLATION = "drops-pipelined-commands"

    def test_only_the_first_pipelined_command_is_answered(self):
        c = self.session()
        self.assertIn("PIPELINING", c.keywords(c.ehlo()))
        rest = b"RCPT TO:<user@fake.test>\r\nRCPT TO:<bad@exa_mple.com>\r\nDATA\r\n"
        c.send(b"MAIL FROM:<a@client.test>\r\n" + rest)
        self.assertReply(c.reply(), 250, "2.1.0")  # MAIL's
        # The next reply answers the next command: the three others are gone.
        self.assertReply(c.cmd("RSET"), 250, "2.0.0")
        events = self.server.events(self.server.session_of(c)["id"])
        self.assertIn(f"violation drops-pipelined-commands: dropped {len(rest)} pipelined octets",
                      events)

    def test_one_command_at_a_time_works(self):
        c = self.session()
        self.envelope(c)
        self.assertReply(c.cmd("DATA"), 354)
        c.send(b"Subject: slow\r\n\r\nbody\r\n.\r\n")
        self.assertReply(c.reply(), 250)
        self.server.expect_messages(1)


class BdatAfterLast(BrokenProfile, ServerTestCase):  # K3
    PROFILE = "broken-bdat-after-last"
    VIOLATION = "data-after-bdat"

    def test_data_after_bdat_gets_354(self):
        c = self.session()
        self.envelope(c)
        c.send(b"BDAT 5\r\nchunk")
        self.assertReply(c.reply(), 250)
        self.assertReply(c.cmd("DATA"), 354)
        c.send(b"Subject: after\r\n\r\nbody\r\n.\r\n")
        self.assertReply(c.reply(), 250)
        message = self.server.expect_messages(1)[0]
        self.assertTrue(self.server.raw(message["id"]).endswith(b"\r\n\r\nbody\r\n"))

    def test_bdat_after_last_is_still_refused(self):
        c = self.session()
        self.envelope(c)
        c.send(b"BDAT 5 LAST\r\nchunk")
        self.assertReply(c.reply(), 250)
        c.send(b"BDAT 1 LAST\r\nx")
        self.assertReply(c.reply(), 503)


class SizeIgnored(BrokenProfile, ServerTestCase):  # X1
    PROFILE = "broken-size-ignored"
    VIOLATION = "ignores-declared-size"

    def test_size_over_the_maximum_is_accepted(self):
        c = self.client(self.server)
        ehlo = c.ehlo()
        limit = int([l for l in ehlo.lines if l.startswith("SIZE ")][0].split()[1])
        self.assertReply(c.cmd(f"MAIL FROM:<a@client.test> SIZE={limit + 1}"), 250)

    def test_size_syntax_is_still_checked(self):
        c = self.session()
        self.assertReply(c.cmd("MAIL FROM:<a@client.test> SIZE=abc"), 501)


class AuthTwice(BrokenProfile, ServerTestCase):  # A6
    PROFILE = "broken-auth-twice"
    VIOLATION = "auth-twice"

    def tls_session(self):
        c = self.session()
        c.starttls()
        self.assertIn("AUTH", c.keywords(c.ehlo()))
        return c

    def test_second_auth_gets_235(self):
        c = self.tls_session()
        self.assertReply(c.cmd("AUTH PLAIN " + plain_b64("alice", "a")), 235)
        self.assertReply(c.cmd("AUTH PLAIN " + plain_b64("bob", "b")), 235)
        self.assertEqual(self.server.session_of(c)["auth_user"], "bob")

    def test_auth_in_a_transaction_is_still_refused(self):
        c = self.tls_session()
        self.assertReply(c.cmd("AUTH PLAIN " + plain_b64("alice", "a")), 235)
        self.assertReply(c.cmd("MAIL FROM:<a@client.test>"), 250)
        self.assertReply(c.cmd("AUTH PLAIN " + plain_b64("bob", "b")), 503)


class StarttlsTwice(BrokenProfile, ServerTestCase):  # T3
    PROFILE = "broken-starttls-twice"
    VIOLATION = "starttls-twice"

    def test_starttls_offered_and_accepted_inside_tls(self):
        c = self.session()
        c.starttls()
        self.assertReply(c.cmd("MAIL FROM:<a@client.test>"), 503)  # still reset
        self.assertIn("STARTTLS", c.keywords(c.ehlo()))
        self.assertReply(c.cmd("STARTTLS"), 220)
        _, how = c.read_until_closed()  # no TLS inside TLS: the session ends
        self.assertIn(how, ("eof", "reset", "tls-error"))


class StarttlsAgain(BrokenProfile, ServerTestCase):  # T3, INFO
    PROFILE = "broken-starttls-again"
    VIOLATION = "starttls-again"

    def test_starttls_not_offered_but_accepted_inside_tls(self):
        c = self.session()
        c.starttls()
        self.assertNotIn("STARTTLS", c.keywords(c.ehlo()))
        self.assertReply(c.cmd("STARTTLS"), 220)
        _, how = c.read_until_closed()  # no TLS inside TLS: the session ends
        self.assertIn(how, ("eof", "reset", "tls-error"))


class ShortLines(BrokenProfile, ServerTestCase):  # L1
    PROFILE = "broken-short-lines"
    VIOLATION = "short-command-lines"

    def test_a_512_octet_line_is_too_long(self):
        c = self.session()
        self.assertReply(c.cmd("NOOP " + "x" * 505), 500, "5.5.2")  # 512 with CRLF
        self.assertReply(c.cmd("NOOP " + "x" * 293), 250)  # 300 with CRLF

    def test_very_long_lines_are_refused_and_the_session_survives(self):
        c = self.session()
        self.assertReply(c.cmd("NOOP " + "x" * 4096), 500)  # L2
        self.assertReply(c.cmd("NOOP"), 250)


class FewRecipients(BrokenProfile, ServerTestCase):  # L6
    PROFILE = "broken-few-recipients"

    def test_the_51st_recipient_gets_452(self):
        c = self.session()
        self.assertReply(c.cmd("MAIL FROM:<a@client.test>"), 250)
        codes = [c.cmd(f"RCPT TO:<u{i}@fake.test>").code for i in range(51)]
        self.assertEqual(codes, [250] * 50 + [452])
        self.assertReply(c.cmd("DATA"), 354)
        c.send(b"Subject: fifty\r\n\r\nbody\r\n.\r\n")
        self.assertReply(c.reply(), 250)
        self.assertEqual(len(self.server.expect_messages(1)[0]["to"]), 50)  # kept


class Greeting(BrokenProfile, ServerTestCase):  # G1
    PROFILE = "broken-greeting"

    def test_the_greeting_names_no_domain(self):
        c = self.client(self.server, greet=False)
        r = c.reply()
        self.assertEqual(r.raw, b"220 *** fake-smtpd ready\r\n")

    def test_the_session_works_after_it(self):
        c = self.client(self.server)
        r = c.ehlo()
        self.assertTrue(r.lines[0].startswith("fake-smtpd.test "), r.raw)
        self.envelope(c)


class MultilineCodes(BrokenProfile, ServerTestCase):  # G2
    PROFILE = "broken-multiline-codes"

    def test_ehlo_reply_lines_carry_two_codes(self):
        c = self.client(self.server)
        r = c.cmd("EHLO client.test")
        lines = r.raw.split(b"\r\n")[:-1]
        self.assertGreater(len(lines), 2)
        self.assertEqual({l[:4] for l in lines[:-1]}, {b"250-"})
        self.assertEqual(lines[-1][:4], b"251 ")

    def test_helo_and_the_rest_of_the_session_are_correct(self):
        c = self.client(self.server)
        self.assertEqual(c.cmd("HELO client.test").raw, b"250 fake-smtpd.test\r\n")
        self.envelope(c)


class HeloMultiline(BrokenProfile, ServerTestCase):  # E2
    PROFILE = "broken-helo-multiline"
    VIOLATION = "ehlo-reply-to-helo"

    def test_helo_gets_the_ehlo_reply(self):
        c = self.client(self.server)
        r = c.cmd("HELO client.test")
        self.assertEqual(r.code, 250)
        self.assertGreater(len(r.lines), 1)
        self.assertIn("PIPELINING", c.keywords(r))
        # Only the reply changed: MAIL is answered as after any HELO.
        r = c.cmd("MAIL FROM:<a@client.test>")
        self.assertEqual(r.raw, b"250 2.1.0 Sender ok\r\n")

    def test_ehlo_is_unchanged(self):
        c = self.client(self.server)
        self.assertIn("PIPELINING", c.keywords(c.ehlo()))
        self.assertReply(c.cmd("MAIL FROM:<a@client.test>"), 250, "2.1.0")


class EhloEmpty(BrokenProfile, ServerTestCase):  # E6
    PROFILE = "broken-ehlo-empty"
    VIOLATION = "ehlo-without-domain"

    def test_ehlo_without_a_domain_gets_250(self):
        c = self.client(self.server)
        r = c.cmd("EHLO")
        self.assertEqual(r.code, 250)
        self.assertEqual(r.lines[0], "fake-smtpd.test")
        self.assertReply(c.cmd("MAIL FROM:<a@client.test>"), 250)

    def test_helo_without_a_domain_is_still_refused(self):
        c = self.client(self.server)
        self.assertReply(c.cmd("HELO"), 501)
        self.assertReply(c.cmd("MAIL FROM:<a@client.test>"), 503)


class ExpnUnadvertised(BrokenProfile, ServerTestCase):  # E5
    PROFILE = "broken-expn-unadvertised"

    def test_expn_answers_250_without_being_advertised(self):
        c = self.client(self.server)
        self.assertNotIn("EXPN", c.keywords(c.ehlo()))
        self.assertReply(c.cmd("EXPN staff"), 250)

    def test_vrfy_still_answers_252(self):
        c = self.session()
        self.assertReply(c.cmd("VRFY someone"), 252)


class EhloSizeEquals(BrokenProfile, ServerTestCase):  # E1
    PROFILE = "broken-ehlo-size-equals"
    VIOLATION = "ehlo-keyword-equals"

    def test_size_is_listed_with_an_equals_sign(self):
        c = self.client(self.server)
        lines = c.ehlo().lines
        self.assertIn("SIZE=33554432", lines)
        self.assertNotIn("SIZE", c.keywords(c.ehlo()))
        self.assertIn("PIPELINING", lines)  # the other keywords as usual


class UnknownParameter(BrokenProfile, ServerTestCase):  # C8
    PROFILE = "broken-unknown-parameter"
    VIOLATION = "unknown-mail-parameter-ignored"

    def test_unknown_mail_parameter_gets_250(self):
        c = self.session()
        self.assertReply(c.cmd("MAIL FROM:<a@client.test> FOO=BAR"), 250)
        self.assertReply(c.cmd("RCPT TO:<user@fake.test>"), 250)

    def test_known_parameters_are_still_checked(self):
        c = self.session()
        self.assertReply(c.cmd("MAIL FROM:<a@client.test> BODY=FOO"), 501)
        self.assertReply(c.cmd("MAIL FROM:<a@client.test> SIZE=abc"), 501)


class BodyUnchecked(BrokenProfile, ServerTestCase):  # X2
    PROFILE = "broken-body-unchecked"
    VIOLATION = "unknown-body-accepted"

    def test_body_foo_gets_250(self):
        c = self.session()
        self.assertReply(c.cmd("MAIL FROM:<a@client.test> BODY=FOO"), 250)
        self.assertReply(c.cmd("RSET"), 250)
        self.assertReply(c.cmd("MAIL FROM:<a@client.test> BODY=8BITMIME"), 250)


class BdatRefusalUnread(BrokenProfile, ServerTestCase):  # K4
    PROFILE = "broken-bdat-refusal-unread"
    VIOLATION = "refused-chunk-not-read"

    def test_the_refused_chunk_is_executed(self):
        c = self.session()
        self.assertReply(c.cmd("MAIL FROM:<a@client.test>"), 250)
        c.send(b"BDAT 12\r\nRSET\r\nQUIT\r\n")
        self.assertEqual([r.code for r in c.replies(3)], [554, 250, 221])

    def test_chunks_with_a_recipient_are_read(self):
        c = self.session()
        self.envelope(c)
        c.send(b"BDAT 12 LAST\r\nRSET\r\nQUIT\r\n")
        self.assertReply(c.reply(), 250)
        self.assertTrue(self.server.raw(self.server.expect_messages(1)[0]["id"])
                        .endswith(b"RSET\r\nQUIT\r\n"))


class BdatAtoi(BrokenProfile, ServerTestCase):  # K5
    PROFILE = "broken-bdat-atoi"
    VIOLATION = "bdat-size-unchecked"

    def test_bdat_abc_is_an_empty_chunk(self):
        c = self.session()
        self.envelope(c)
        self.assertReply(c.cmd("BDAT abc"), 250)
        c.send(b"BDAT 3 LAST\r\nabc")
        self.assertReply(c.reply(), 250)
        self.assertTrue(self.server.raw(self.server.expect_messages(1)[0]["id"]).endswith(b"abc"))


class StarttlsArgument(BrokenProfile, ServerTestCase):  # T2
    PROFILE = "broken-starttls-argument"
    VIOLATION = "starttls-ignores-argument"

    def test_starttls_x_starts_tls(self):
        c = self.session()
        self.assertReply(c.cmd("STARTTLS x"), 220)
        c.sock = unverified_tls().wrap_socket(c.sock)
        self.assertIn("AUTH", c.keywords(c.ehlo()))  # a TLS session like any other

    def test_other_arguments_are_still_refused(self):
        c = self.session()
        self.assertReply(c.cmd("RSET x"), 501)
        self.assertReply(c.cmd("NOOP"), 250)


class AuthProfile(BrokenProfile):
    """AUTH is offered inside TLS only (the default server)."""

    def tls_session(self):
        c = self.session()
        c.starttls()
        self.assertIn("AUTH", c.keywords(c.ehlo()))
        return c


class AuthCancel(AuthProfile, ServerTestCase):  # A3
    PROFILE = "broken-auth-cancel"
    VIOLATION = "auth-cancel-not-501"

    def test_star_gets_535(self):
        c = self.tls_session()
        self.assertReply(c.cmd("AUTH LOGIN"), 334)
        self.assertReply(c.cmd("*"), 535, "5.7.8")
        self.assertReply(c.cmd("AUTH PLAIN " + plain_b64("alice", "a")), 235)


class AuthBase64(AuthProfile, ServerTestCase):  # A4
    PROFILE = "broken-auth-base64"
    VIOLATION = "auth-bad-base64-535"

    def test_initial_response_not_base64_gets_535(self):
        c = self.tls_session()
        self.assertReply(c.cmd("AUTH PLAIN !!!not-base64!!!"), 535, "5.7.8")
        self.assertReply(c.cmd("AUTH LOGIN"), 334)
        self.assertReply(c.cmd("!!!not-base64!!!"), 501)  # inside the exchange: still 501


class AuthEmpty(AuthProfile, ServerTestCase):  # A7
    PROFILE = "broken-auth-empty"
    VIOLATION = "auth-empty-response-accepted"

    def test_empty_response_logs_in(self):
        c = self.tls_session()
        self.assertReply(c.cmd("AUTH PLAIN ="), 235)
        self.assertReply(c.cmd("AUTH PLAIN " + plain_b64("alice", "a")), 503)  # logged in


class Flag(ServerTestCase):
    """--violate NAME, the command-line form of `violate`."""

    def test_flag_turns_a_violation_on(self):
        server = self.start_server("--violate", "unknown-command-closes",
                                   "--violate", "no-enhanced-codes")
        self.assertEqual(server.ports["violations"],
                         ["unknown-command-closes", "no-enhanced-codes"])
        c = self.client(server)
        c.ehlo()
        self.assertEqual(c.cmd("XYZZY").raw, b"500 Command unrecognized\r\n")
        self.assertEqual(c.read_until_closed(), (b"", "eof"))

    def test_the_default_server_has_none(self):
        server = self.start_server()
        self.assertNotIn("violations", server.ports)
        c = self.client(server)
        self.assertReply(c.cmd("XYZZY"), 500)
        self.assertReply(c.cmd("NOOP"), 250)

    def run_cli(self, *args):
        return subprocess.run([binary(), "--listen", "127.0.0.1:0", "--no-api", *args],
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=CLI_TIMEOUT)

    def test_unknown_name_is_a_usage_error(self):
        result = self.run_cli("--violate", "nope")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("--violate: unknown violation 'nope' (known: lf-dot-lf-ends-data, ",
                      result.stderr)

    def test_unknown_name_in_a_profile_names_file_and_line(self):
        path = self.profile_file("-- broken\nviolate { \"auth-twice\", \"nope\" }\n")
        result = self.run_cli(path)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn(f"bad profile: {path}:2: violate: unknown violation 'nope' (known: ",
                      result.stderr)


if __name__ == "__main__":
    unittest.main()
