-- BROKEN ON PURPOSE: every transaction after a session's first message is
-- refused as "pipelined after end of DATA".
--
-- A real server refuses, one by one, the commands a client pipelines behind the
-- end of data (an anti-smuggling policy): nothing is lost and every reply comes
-- in order (RFC 2920 §3.2), but the client's next message fails. This profile
-- refuses MAIL once a message was accepted in the session, which is what
-- docs/CONFORMANCE.md P4 sees of such a server: P4 records the policy
-- pipelined-after-data (INFO). RFC 2920 §3.1 lets the client pipeline there,
-- but no sentence requires the server to carry the commands out.
--
-- Only P4 is run against it: other checks send more than one message per
-- session.
-- only: P4
-- expect-info: P4
rule {
  name = "after-data",
  on = "MAIL",
  min_messages = 1,
  reply = "503 5.5.0 Error: command pipelined after end of DATA",
}
