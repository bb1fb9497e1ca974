-- BROKEN ON PURPOSE: STARTTLS is refused.
--
-- A real server refuses a STARTTLS that has another command pipelined
-- behind it ("554 SMTP synchronization error"): the safe answer to the
-- injection of CVE-2011-0411. This profile refuses every STARTTLS, which is
-- what docs/CONFORMANCE.md T4 sees of such a server; T4 records the policy
-- refuses-pipelined-starttls (INFO) instead of ending in ERROR.
--
-- Only T4 is run against it: with STARTTLS refused the other TLS and AUTH
-- checks have nothing to judge.
-- only: T4
-- expect-info: T4
rule {
  name = "starttls-sync",
  on = "STARTTLS",
  reply = "554 5.5.0 SMTP synchronization error",
}
