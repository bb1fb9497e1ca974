-- BROKEN ON PURPOSE: the end of data is answered twice.
--
-- Breaks: RFC 5321 §3.3 and §4.2: DATA gets 354, and the end of the mail
-- data one reply (§4.2: "an SMTP server MUST generate exactly one reply for
-- each command it receives"; the end of data counts as one). This server
-- answers the final dot "250 2.0.0 Ok: queued" twice.
--
-- Fails: docs/CONFORMANCE.md D1, and by the same fault P4 (the message and the
-- next transaction in one write: the replies after the first 250 are one
-- behind) and G4, a SHOULD that WARNs (its RSET after the message reads the
-- extra 250, and its QUIT then RSET's 250). CHUNKING is switched off so that
-- the rule on "." does not also answer BDAT ... LAST twice (K2, K3).
--
-- Everything else is the default server. `raw` sends the bytes exactly.
-- expect-fail: D1, P4
-- expect-warn: G4
server {
  disable = { "CHUNKING" },
}
rule {
  name = "queued-twice",
  on = ".",
  raw = "250 2.0.0 Ok: queued\r\n250 2.0.0 Ok: queued\r\n",
}
