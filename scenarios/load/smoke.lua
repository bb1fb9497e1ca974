-- Smoke test: a few messages through a handful of connections, to see that
-- the target accepts mail at all. Closed model (no rate): each connection
-- sends as fast as the server answers.
--
--   fake-smtpd &
--   smtp-harness load scenarios/load/smoke.lua
--   smtp-harness load scenarios/load/smoke.lua --target mx.example.org:25
return {
  target = "127.0.0.1:2525",
  connections = 4,
  messages = 200,
  size = 2048,
  -- Any refusal or error fails the run (exit 1): a smoke test wants none.
  thresholds = { "errors<=0", "delivered>=200" },
}
