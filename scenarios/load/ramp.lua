-- A ramp: from nothing to 500 transactions per second over 20 seconds, hold
-- for 30, then back down over 10. Watch where p99 bends: that is the
-- server's knee.
--
--   smtp-harness load scenarios/load/ramp.lua --json ramp.json
return {
  target = "127.0.0.1:2525",
  start_rate = 0,
  stages = {
    { duration = "20s", rate = 500 },
    { duration = "30s", rate = 500 },
    { duration = "10s", rate = 0 },
  },
  arrivals = "constant",
  connections = 64,
  thresholds = { "p99<250ms" },
}
