-- BROKEN ON PURPOSE: RSET says 250 but keeps the transaction.
--
-- Breaks: RFC 5321 §4.1.1.5. RSET aborts the current mail transaction: its
-- sender, recipients and data are discarded. This server answers "250 2.0.0
-- Ok" and keeps them: MAIL, RCPT, RSET, DATA gets 354 instead of 503.
--
-- Fails: CONFORMANCE C2. A second EHLO still resets the transaction (E7).
--
-- Everything else is the default server.
violate "rset-keeps-transaction"
