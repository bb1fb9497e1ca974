-- BROKEN ON PURPOSE: the largest message is 32 KiB.
--
-- Breaks: RFC 5321 §4.5.3.1.7, "The maximum total length of a message
-- content (including any message header section as well as the message
-- body) MUST BE at least 64K octets". This server advertises "SIZE 32768"
-- and refuses a larger message with "552 5.3.4".
--
-- Fails: docs/CONFORMANCE.md L5. SIZE itself is enforced correctly (X1): the
-- maximum is advertised, a larger declared SIZE is refused at MAIL.
--
-- Everything else is the default server: a setting, no violation needed.
-- expect-fail: L5
server {
  max_size = 32768,
}
