-- A submission server (port 587 style): AUTH is required before MAIL, only
-- the two users below may log in, messages are limited to 10 MiB.
--
--   fake-smtpd scenarios/fake/submission.lua --listen 127.0.0.1:2587
--
-- AUTH is offered after STARTTLS only (add --auth-cleartext to test a client
-- that cannot do TLS).
server {
  hostname = "submit.test",
  require_auth = true,
  users = { alice = "wonderland", bob = "builder" },
  max_size = 10 * 1024 * 1024,
}
