-- BROKEN ON PURPOSE: an idle session is closed after 2 seconds.
--
-- Breaks: RFC 5321 §4.5.3.2.7, "An SMTP server SHOULD have a timeout of at
-- least 5 minutes while it is awaiting the next command from the sender."
-- This server waits 2 seconds, then says "421 4.4.2 ... Idle timeout,
-- closing" and closes.
--
-- Fails (WARN, a SHOULD): docs/CONFORMANCE.md L7, at once: the 421 arrives in
-- its first 10-second wait, so the run takes seconds, not minutes.
--
-- Only L7 is run against it: it is a slow check that runs only when named,
-- and the other checks do not idle for 2 seconds.
-- only: L7
-- expect-warn: L7
--
-- Everything else is the default server: a setting, no violation needed.
server {
  idle_timeout = "2s",
}
