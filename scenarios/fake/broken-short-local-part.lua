-- BROKEN ON PURPOSE: local parts over 32 octets are refused.
--
-- Breaks: RFC 5321 §4.5.3.1.1. The maximum length of a local part is 64
-- octets, and "to the maximum extent possible, implementation techniques
-- that impose no limits on the length of these objects should be used";
-- every implementation MUST be able to receive objects of at least these
-- sizes (§4.5.3.1). This server answers a RCPT whose local part is longer
-- than 32 octets with "501 5.1.3 Local part too long".
--
-- Fails: docs/CONFORMANCE.md L3 (its 64-octet local part, and the 256-octet
-- path built on it). The 255-octet EHLO domain is still accepted.
--
-- Everything else is the default server. A hook rather than a rule: a glob
-- cannot count octets.
-- expect-fail: L3
function on_rcpt(session, cmd)
  local local_part = cmd.arg:match("<([^<>@]*)@")
  if local_part and #local_part > 32 then
    return "501 5.1.3 Local part too long"
  end
end
