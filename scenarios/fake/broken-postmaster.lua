-- BROKEN ON PURPOSE: mail to postmaster is refused.
--
-- Breaks: RFC 5321 §4.5.1. A server must accept RCPT TO:<Postmaster>
-- (without a domain, in any case) and postmaster at each of its domains.
-- This server refuses both with 550.
--
-- Fails: docs/CONFORMANCE.md R2. Every other recipient is accepted as usual.
-- expect-fail: R2
--
-- Everything else is the default server. Globs ignore case, so these two
-- rules catch "postmaster", "PostMaster" and "POSTMASTER@any.domain".
rule {
  name = "refuse-postmaster",
  on = "RCPT",
  to = "postmaster",
  reply = "550 5.1.1 Mailbox unavailable",
}
rule {
  name = "refuse-postmaster-at-domain",
  on = "RCPT",
  to = "postmaster@*",
  reply = "550 5.1.1 Mailbox unavailable",
}
