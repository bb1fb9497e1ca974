-- BROKEN ON PURPOSE: domains are compared case-sensitively.
--
-- Breaks: RFC 5321 §2.4, "Mailbox domains follow normal DNS rules and are
-- hence not case sensitive." This server receives mail for example.com (the
-- default --domain of smtp-harness check) and relays for authenticated
-- clients only. It looks the domain of each recipient up in its list of
-- local domains byte for byte, so "postmaster@EXAMPLE.COM" is not local to
-- it, and an unauthenticated client gets "554 5.7.1 Relay access denied"
-- where "postmaster@example.com" gets 250.
--
-- INFO: docs/CONFORMANCE.md R5 (the sentence is descriptive). The suite's other
-- recipients are at example.com in lower case and are accepted; most open-relay
-- probes (R3, INFO) are now refused, as they should be (those with no plain
-- domain after the "@" still reach the default server, which accepts them).
--
-- Everything else is the default server. A hook rather than a rule: globs
-- ignore case. Domains that are not valid syntax are left to the server,
-- which answers them 501 as usual (C10).
-- expect-info: R5
local local_domains = { ["example.com"] = true }

function on_rcpt(session, cmd)
  local domain = cmd.arg:match("^[Tt][Oo]:%s*<[^>]*@([%w.-]+)>")
  if domain and not local_domains[domain] and not session.auth then
    return "554 5.7.1 Relay access denied"
  end
end
