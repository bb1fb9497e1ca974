-- BROKEN ON PURPOSE: the lines of the EHLO reply carry different codes.
--
-- Breaks: RFC 5321 §4.2 and §4.2.1. Every line of a multi-line reply carries
-- the same code, "250-" on all lines but the last, "250 " on the last. This
-- server ends its EHLO reply with a "251 " line ("250-PIPELINING" ...
-- "251 HELP"). The EHLO is still carried out.
--
-- Fails: docs/CONFORMANCE.md G2. As the broken reply is EHLO's, a client that
-- refuses malformed replies cannot get past EHLO: checks that need an EHLO
-- session end in ERROR, not FAIL; HELO sessions work as usual.
-- expect-fail: G2
-- expect-error: sessions
--
-- Everything else is the default server.
rule {
  name = "ehlo-mixed-codes",
  on = "EHLO",
  malformed = "mixed-codes",
}
