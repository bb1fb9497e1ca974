-- Authenticated submission (port 587 style): STARTTLS, then AUTH PLAIN, then
-- the messages. Against the bundled server:
--
--   fake-smtpd scenarios/fake/submission.lua --listen 127.0.0.1:2587 &
--   smtp-harness load scenarios/load/submission-starttls-auth.lua
--
-- The certificate is not verified (fake-smtpd makes a self-signed one);
-- against a real server add --tls-verify (and --ca-file for a private CA).
-- The password never appears in the output or the result file.
return {
  target = "127.0.0.1:2587",
  tls = "starttls",
  auth = { user = "alice", password = "wonderland" },
  connections = 8,
  duration = "20s",
  messages_per_connection = 20,   -- reconnect (and re-authenticate) now and then
  from = "alice@submit.test",
  thresholds = { "p99:auth<50ms", "errors<1%" },
}
