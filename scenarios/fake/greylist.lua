-- Greylisting (RFC 6647): the first delivery attempt of every
-- (client IP, sender, recipient) triplet is deferred at RCPT; a retry of the
-- same triplet after `delay` is accepted, and the triplet then passes at once
-- until it has not been seen for `expire`.
--
--   fake-smtpd scenarios/fake/greylist.lua
--
-- What a client sees: RCPT answered
--   450 4.7.1 Greylisted, try again later
-- on its first attempt and on every retry sooner than 1 s, then 250 and the
-- message is stored. 450 is a transient failure (RFC 5321 §4.2.2, "mailbox
-- unavailable"; §4.2.1: 4yz means try again later) and 4.7.1 is RFC 3463's
-- "delivery not authorized"; the enhanced code is sent only to a client that
-- used EHLO (RFC 2034 §3). A client that gives up, or treats the 450 as
-- permanent, loses the message: that is the bug this profile finds.
--
-- What the HTTP API shows: GET /api/rules has the greylist table (entries,
-- deferred_total, passed_total); each session's transcript has
-- "greylist: deferred (IP, FROM, TO), retry in Ns" or "greylist: passed ..."
-- events.
--
-- Real greylisters wait minutes (postgrey's default, and fake-smtpd's, is
-- 300 s; RFC 5321 §4.5.4.1 asks a client to wait at least 30 minutes between
-- retries). The delay is 1 s here so that client tests run fast; raise it to
-- watch a real MTA's queue retry.
greylist {
  delay = "1s",
  expire = "4h",
}
