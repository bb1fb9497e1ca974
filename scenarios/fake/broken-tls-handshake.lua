-- BROKEN ON PURPOSE: STARTTLS gets 220, but no handshake completes.
--
-- Deviates from RFC 3207 §4. After "220 Ready to start TLS" the client and
-- the server negotiate TLS; this server reads the ClientHello and answers a
-- fatal handshake_failure alert (RFC 8446 §6.2), then closes, as a server
-- does whose TLS setup is broken (no usable certificate or key, no protocol
-- version or cipher in common with a TLS 1.2+ client) while STARTTLS stays
-- advertised.
--
-- Recorded by docs/CONFORMANCE.md T1 as INFO: RFC 3207 lists the replies to
-- STARTTLS without a keyword, and its MUST after the 220 binds the client
-- ("the client MUST start the TLS negotiation"); no sentence requires the
-- server to complete the handshake.
--
-- Only T1 is run against it: every check that needs a TLS session (T3, T4,
-- T7, the AUTH checks, which offer AUTH inside TLS only) would end in ERROR,
-- which says nothing new.
-- only: T1
-- expect-info: T1
rule {
  name = "broken-tls",
  on = "tls",
  fail_tls = "alert",
}
