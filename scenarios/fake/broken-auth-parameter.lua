-- BROKEN ON PURPOSE: MAIL with AUTH=<> is refused although AUTH is offered.
--
-- Breaks: RFC 4954 §5. A server that offers AUTH must accept the AUTH=
-- parameter of MAIL; "AUTH=<>" says the message's original submitter is
-- unknown and the MAIL is accepted. This server does not know the
-- parameter: "555 5.5.4 MAIL parameter not recognized".
--
-- Fails: docs/CONFORMANCE.md A8. MAIL without the parameter is accepted as
-- usual.
--
-- Everything else is the default server: AUTH is offered only inside TLS.
-- A hook rather than a rule: the parameter may follow any sender.
-- expect-fail: A8
function on_mail(session, cmd)
  if cmd.arg:upper():find("%sAUTH=") then
    return "555 5.5.4 MAIL parameter not recognized"
  end
end
