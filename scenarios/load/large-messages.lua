-- Large messages: 5 MiB each, sent with BDAT when the server offers CHUNKING
-- (RFC 3030), in 1 MiB chunks otherwise DATA. The end_of_data (or bdat)
-- phase then measures how fast the server takes in a big body.
--
--   smtp-harness load scenarios/load/large-messages.lua
return {
  target = "127.0.0.1:2525",
  connections = 4,
  messages = 40,
  size = 5 * 1024 * 1024,
  chunking = true,
  timeout = "60s",
  thresholds = { "errors<1%" },
}
