-- A steady open-model run: transactions start at 200 per second, Poisson
-- arrivals, whatever the server's speed; latency counts from when each one
-- should have started (coordinated-omission correct), so a server that
-- stalls shows up as latency, not as a lower rate.
--
--   smtp-harness load scenarios/load/steady-open.lua --json steady.json
--   smtp-harness load scenarios/load/steady-open.lua --rate 2000 --duration 1m
return {
  target = "127.0.0.1:2525",
  rate = 200,
  arrivals = "poisson",
  duration = "30s",
  connections = 32,          -- the pool; a transaction waits when all are busy
  messages_per_connection = 100,
  seed = 42,
  thresholds = { "p99<100ms", "errors<1%" },
}
