-- Large messages: 5 MiB each, with DATA; the end_of_data phase then
-- measures how fast the server takes in a big body. (With chunking = true,
-- BDAT is used when the server offers CHUNKING (RFC 3030): one BDAT LAST
-- chunk, pipelined behind MAIL and RCPT, so their replies are read only once
-- the body is written, and their latency includes the upload.)
--
--   smtp-harness load scenarios/load/large-messages.lua
return {
  target = "127.0.0.1:2525",
  connections = 4,
  messages = 40,
  size = 5 * 1024 * 1024,
  chunking = false,
  timeout = "60s",
  thresholds = { "errors<1%" },
}
