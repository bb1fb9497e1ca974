-- Full mailboxes, chosen by the recipient's local part:
--
--   full*@*   RCPT gets  452 4.2.2 Mailbox full, try again later
--   quota*@*  the message is refused at the end of DATA with
--             552 5.2.2 Mailbox over quota
--
--   fake-smtpd scenarios/fake/mailbox-full.lua
--
-- RFC 5321 §4.2.2: 452 "insufficient system storage" is transient, 552
-- "exceeded storage allocation" is permanent; RFC 3463 X.2.2 "mailbox full"
-- serves both (the class digit says which). Every other recipient is
-- accepted as usual.
--
-- What a client sees: a message to full1@example.test alone fails at RCPT
-- (no recipient accepted, so no DATA); with another recipient, the client
-- should send the message to the others and keep the full one queued. A
-- message with any quota*@ recipient is refused as a whole after its final
-- dot: SMTP gives one reply per message, not one per recipient as LMTP does
-- (RFC 2033 §4.2), so the client must bounce it for every recipient.
--
-- What the HTTP API shows: only the accepted messages; GET /api/rules counts
-- each rule's refusals, and the transcripts name the rule.
rule {
  name = "mailbox-full",
  on = "RCPT",
  to = "full*@*",
  reply = "452 4.2.2 Mailbox full, try again later",
}

rule {
  name = "over-quota",
  on = ".",
  -- At the end of data, `to` holds when any accepted recipient matches.
  to = "quota*@*",
  reply = "552 5.2.2 Mailbox over quota",
}
