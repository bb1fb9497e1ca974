-- BROKEN ON PURPOSE: VRFY is advertised, then answered 502.
--
-- Breaks: RFC 5321 §4.2.4, "Extended SMTP systems MUST NOT list
-- capabilities in response to EHLO for which they will return 502 (or 500)
-- replies". This server lists VRFY in its EHLO reply, as the default server
-- does, and then answers every VRFY with "502 5.5.1 Command not implemented".
--
-- Fails: docs/CONFORMANCE.md E4. A VRFY that is not implemented claims nothing
-- about the user, so C6 still passes.
--
-- Everything else is the default server.
-- expect-fail: E4
rule {
  name = "vrfy-not-implemented",
  on = "VRFY",
  reply = "502 5.5.1 Command not implemented",
}
