-- A server whose TLS is broken: STARTTLS is offered and answered 220, but
-- the handshake that follows fails: the server reads the ClientHello and
-- answers a fatal handshake_failure alert (RFC 8446 §6.2), then closes. The
-- implicit-TLS port (--tls-listen, RFC 8314 §3) fails the same way.
--
--   fake-smtpd scenarios/fake/tls-broken.lua
--
-- What a client sees: its TLS library reports a handshake failure (Python:
-- ssl.SSLError ... SSLV3_ALERT_HANDSHAKE_FAILURE; swaks exits 29). The
-- connection is lost: RFC 3207 §4 has a client whose handshake cannot go on
-- abort it, never carry on in the clear. A client that requires TLS must
-- give up; an opportunistic MTA may reconnect and deliver without STARTTLS,
-- which is the behaviour to check.
--
-- What the HTTP API shows: no messages; /api/stats counts the TLS failures,
-- GET /api/rules counts the handshakes the rule broke, and each session's
-- transcript names the rule.
--
-- Use fail_tls = "close" instead for a server that closes the connection
-- without an alert.
rule {
  name = "broken-tls",
  on = "tls",
  fail_tls = "alert",
}
