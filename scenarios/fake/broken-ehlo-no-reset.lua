-- BROKEN ON PURPOSE: a second EHLO does not reset the transaction.
--
-- Breaks: RFC 5321 §4.1.4. EHLO (or HELO) during a transaction clears it, as
-- RSET does. This server answers the EHLO and keeps the sender and the
-- recipients: MAIL, RCPT, EHLO, DATA gets 354 instead of 503.
--
-- Fails: CONFORMANCE E7. RSET still resets the transaction (C2).
--
-- Everything else is the default server.
violate "ehlo-keeps-transaction"
